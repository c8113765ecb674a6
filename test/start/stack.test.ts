import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freeStackPorts,
  graphql as graphqlOn,
  type StackPorts,
  startDoctel,
  until,
} from "../helpers/cli-stack.ts";

let home: string;
let ports: StackPorts;

// A small demo: this test is about starting and resuming, not about the demo's density.
const start = () => startDoctel(home, ports, { SIMULATE_EVENTS: "3000" });
const graphql = <T>(query: string) => graphqlOn<T>(ports.api, query);

type Status = {
  indexingStatus: { indexedBlock: string | null; headBlock: string | null; lagBlocks: string | null };
};
const STATUS = "{ indexingStatus { indexedBlock headBlock lagBlocks } }";

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "doctel-start-"));
  // As a checkout would be: readable by others (as root, embedded PostgreSQL runs as "postgres").
  await chmod(home, 0o755);
  ports = await freeStackPorts();
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("npm start, the one-command stack", () => {
  let firstHead = "";

  it("starts everything embedded, simulates a year once, indexes it and serves the API and the dashboards", async () => {
    const run = start();
    const status = await until("a caught-up index", run, async () => {
      const s = await graphql<Status>(STATUS);
      return s.indexingStatus.lagBlocks === "0" && Number(s.indexingStatus.indexedBlock) > 100
        ? s
        : undefined;
    });
    firstHead = status.indexingStatus.headBlock!;
    expect(run.output()).toContain(`Dashboards     http://127.0.0.1:${ports.api}/`);
    expect(run.output()).toContain("Sign in (demo mode)");
    const page = await fetch(`http://127.0.0.1:${ports.api}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"');
    const demo = await fetch(`http://127.0.0.1:${ports.api}/demo/accounts`);
    expect(demo.status).toBe(200);
    for (const file of [
      "secrets.json",
      "deployment.json",
      "cast.json",
      "chain/journal.ndjson",
      "postgres",
      "ipfs",
    ]) {
      expect(existsSync(path.join(home, file))).toBe(true);
    }
    const { code, after } = await run.signal("SIGINT");
    expect(code).toBe(0);
    expect(after).toContain("DocTel stopped; data kept in");
  }, 600_000);

  it("resumes on a second start: the same chain from its journal, the same index, no second simulation", async () => {
    const cast = await readFile(path.join(home, "cast.json"), "utf8");
    const run = start();
    const status = await until("the index", run, async () => {
      const s = await graphql<Status>(STATUS);
      return s.indexingStatus.indexedBlock === firstHead ? s : undefined;
    });
    expect(status.indexingStatus.lagBlocks).toBe("0");
    expect(run.output()).toContain("embedded chain replayed its journal");
    expect(run.output()).not.toContain("first start: simulating");
    expect(await readFile(path.join(home, "cast.json"), "utf8")).toBe(cast);
    expect((await run.signal("SIGTERM")).code).toBe(0);
  }, 600_000);
});
