/** `doctel simulate` as a user runs it: a subprocess against a development chain, JSON out, a cast file written. */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import type { CastFile, SimulationSummary } from "../../simulator/index.ts";
import { json, runCli } from "../cli/run.ts";
import { useTestChain } from "../helpers/chain.ts";

const chain = useTestChain();
const PEPPER = Buffer.alloc(32, 0x5a);
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  const { address } = await chain.deployDocTel({ pepper: PEPPER });
  dir = await mkdtemp(path.join(tmpdir(), "doctel-sim-cli-"));
  env = {
    RPC_URL: chain.rpcUrl,
    CONTRACT_ADDRESS: address,
    DOCTEL_PEPPER: PEPPER.toString("hex"),
    DOCTEL_PRIVATE_KEY: DEV_PRIVATE_KEYS[0],
  };
});

describe("doctel simulate", { timeout: 300_000 }, () => {
  it("writes a small network to the chain, prints the summary as JSON and writes the cast file", async () => {
    const castFile = path.join(dir, "cast.json");
    const result = await runCli(
      [
        "simulate",
        "--seed",
        "cli",
        "--target-events",
        "600",
        "--hospitals",
        "2",
        "--days",
        "30",
        "--no-files",
        "--cast-file",
        castFile,
        "--json",
      ],
      env,
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    const summary = json<SimulationSummary>(result);
    expect(summary.events).toBe(summary.plannedEvents);
    expect(summary.hospitals).toBe(2);
    expect(summary.eventsByKind.TreatmentOpened).toBeGreaterThan(10);
    // Progress went to stderr, periodic lines (not a terminal) ending with the done phase.
    expect(result.stderr).toMatch(/simulate done \| events \d+/);
    const cast = JSON.parse(await readFile(castFile, "utf8")) as CastFile;
    expect(cast.seed).toBe("cli");
    expect(cast.hospitals).toHaveLength(2);
  });

  it("refuses to run without the governance key, saying how to give it", async () => {
    const { DOCTEL_PRIVATE_KEY: _omitted, ...withoutKey } = env;
    const result = await runCli(["simulate", "--target-events", "500", "--no-files"], withoutKey);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DOCTEL_PRIVATE_KEY|--key-file/);
  });
});
