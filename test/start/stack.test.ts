import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
let home: string;
let ports: Record<string, number>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(): Run {
  const child = spawn(process.execPath, [path.join(root, "cli/bin.ts"), "start"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DOCTEL_HOME: home,
      PORT: String(ports.api),
      EMBEDDED_CHAIN_PORT: String(ports.chain),
      EMBEDDED_IPFS_PORT: String(ports.ipfs),
      EMBEDDED_POSTGRES_PORT: String(ports.pg),
      INDEXER_OPS_PORT: String(ports.ops),
      LOG_FORMAT: "json",
      // A small demo: this test is about starting and resuming, not about the demo's density.
      SIMULATE_EVENTS: "3000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d) => {
    text += String(d);
  });
  child.stderr!.on("data", (d) => {
    text += String(d);
  });
  return { child, output: () => text, exited: new Promise((r) => child.once("exit", (code) => r(code))) };
}

async function until<T>(what: string, run: Run, fn: () => Promise<T | undefined>, ms = 480_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (run.child.exitCode !== null)
      throw new Error(
        `doctel start exited (${run.child.exitCode}) before ${what}:\n${run.output().slice(-3000)}`,
      );
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms:\n${run.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function graphql<T>(query: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${ports.api}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

type Status = {
  indexingStatus: { indexedBlock: string | null; headBlock: string | null; lagBlocks: string | null };
};
const STATUS = "{ indexingStatus { indexedBlock headBlock lagBlocks } }";

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "doctel-start-"));
  // As a checkout would be: readable by others (as root, embedded PostgreSQL runs as "postgres").
  await chmod(home, 0o755);
  ports = {
    api: await freePort(),
    chain: await freePort(),
    ipfs: await freePort(),
    pg: await freePort(),
    ops: await freePort(),
  };
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
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('"msg":"stopped"');
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
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  }, 600_000);
});
