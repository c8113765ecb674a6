import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { cleanIndex, dumpIndex, headOf } from "../helpers/indexer.ts";
import { addBackfill, type Cast, patientData, ref, type Send, seedNetwork, sender } from "./scenario.ts";

const chain = useTestChain();
const crashed = useTestDatabase();
const clean = useTestDatabase();
let cast: Cast;
let send: Send;

const root = path.resolve(import.meta.dirname, "../..");

/** Starts `node indexer/main.ts` as its own process: SIGKILL really kills it mid-transaction. */
function spawnIndexer(logLevel = "warn"): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, "indexer/main.ts")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: crashed.url,
      RPC_URL: chain.rpcUrl,
      CHAIN_ID: "31337",
      CONTRACT_ADDRESS: cast.address,
      START_BLOCK: cast.deployBlock.toString(),
      POLL_INTERVAL_MS: "20",
      // Small ranges: many commits, so kills land in every phase of a batch.
      GETLOGS_INITIAL_RANGE: "2",
      GETLOGS_MAX_RANGE: "3",
      OPS_PORT: "0",
      VERIFY_ENABLED: "false",
      LOG_LEVEL: logLevel,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (d) => childErrors.push(String(d)));
  return child;
}

const childErrors: string[] = [];

async function indexedBlock(): Promise<bigint> {
  const { rows } = await crashed.pool.query<{ b: string }>(
    "SELECT indexed_block::text AS b FROM indexer_state",
  );
  return rows[0] ? BigInt(rows[0].b) : -1n;
}

/** Waits until the child has committed past `from` (it is mid-work), then `ms` more, then SIGKILL. */
async function killWhileWorking(child: ChildProcess, from: bigint, ms: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await indexedBlock()) <= from && child.exitCode === null) {
    if (Date.now() > deadline)
      throw new Error(`no progress past block ${from} in 60 s: ${childErrors.join("")}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  if (child.exitCode !== null)
    throw new Error(`indexer exited with ${child.exitCode}: ${childErrors.join("")}`);
  await new Promise((r) => setTimeout(r, ms));
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

/** A random delay, from a seeded generator so a failure can be replayed. */
function delays(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % 120;
  };
}

beforeAll(async () => {
  cast = await seedNetwork(chain);
  send = sender(chain, cast.address);
  // ~120 blocks of patients, treatments and vitals to backfill.
  await addBackfill(chain, cast, 40, 25);
}, 300_000);

describe("crash safety", () => {
  it("loses and duplicates nothing when killed with SIGKILL at random moments of backfill and live following", async () => {
    const next = delays(20261125);
    const head = await headOf(chain.rpcUrl);
    let kills = 0;
    const progress: bigint[] = [];
    // Backfill, killed again and again; every restart resumes from the committed checkpoint.
    while ((await indexedBlock()) < head && kills < 6) {
      const before = await indexedBlock();
      const child = spawnIndexer();
      await killWhileWorking(child, before, next());
      kills++;
      progress.push(await indexedBlock());
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(progress.some((b) => b > cast.deployBlock && b < head)).toBe(true);

    // Live following: new blocks keep coming while the indexer is killed.
    for (let round = 0; round < 3; round++) {
      const before = await indexedBlock();
      const child = spawnIndexer();
      for (let i = 0; i < 3; i++) {
        await send(cast.staff, "updatePatient", [
          ref(1000 + round),
          { ...patientData(round), weightGrams: 70_000 + round * 10 + i },
        ]);
      }
      await killWhileWorking(child, before, next());
      kills++;
    }

    // A last run to the head, then the database must equal a clean run's. The child must be up
    // (its signal handlers installed) before SIGTERM: wait for it to say it caught up (its logs
    // go to stderr).
    const logsBefore = childErrors.length;
    const child = spawnIndexer("info");
    const caughtUp = () => childErrors.slice(logsBefore).join("").includes("caught up with the chain");
    const finalHead = await headOf(chain.rpcUrl);
    const deadline = Date.now() + 120_000;
    while ((await indexedBlock()) < finalHead || !caughtUp()) {
      if (Date.now() > deadline)
        throw new Error(`indexer stuck at ${await indexedBlock()} / ${finalHead}: ${childErrors.join("")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const b = await cleanIndex({
      pool: clean.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    const a = await dumpIndex(crashed.pool);
    expect(a.event_log!.length).toBe(b.event_log!.length);
    expect(a).toEqual(b);
  }, 600_000);
});
