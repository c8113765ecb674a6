/**
 * Indexer failover: several `node indexer/main.ts` processes on one database; one leads, the
 * others stand by. SIGKILL the leader during backfill and during live following: a standby takes
 * over (the takeover time is measured and printed), and the database ends equal to a clean index.
 * And a process that no longer leads writes nothing (the fence in every write).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { captureLogger } from "../helpers/capture-logger.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { cleanIndex, dumpIndex, headOf, startIndexer } from "../helpers/indexer.ts";
import { type RpcProxy, startRpcProxy } from "../helpers/rpc-proxy.ts";
import { indexedBlock, type MainProcess, spawnMain, waitForCheckpoint } from "./main-process.ts";
import { addBackfill, type Cast, patientData, ref, type Send, seedNetwork, sender } from "./scenario.ts";

const chain = useTestChain();
const shared = useTestDatabase();
const clean = useTestDatabase();
const fenced = useTestDatabase();
let cast: Cast;
let send: Send;
let proxy: RpcProxy;
/** Takeover times, reported at the end of the file's run. */
const takeovers: { phase: string; leadsMs: number; resumedMs: number }[] = [];

const LEADING = "leading: this process indexes";
const STANDING_BY = "another indexer process leads: standing by to take over";

beforeAll(async () => {
  cast = await seedNetwork(chain);
  send = sender(chain, cast.address);
  await addBackfill(chain, cast, 30);
  // Every eth_getLogs answer a little late, so the backfill lasts long enough to be interrupted.
  proxy = await startRpcProxy(chain.rpcUrl);
  proxy.setFault((method) => (method === "eth_getLogs" ? { delayMs: 30 } : undefined));
}, 300_000);

const env = () => ({
  DATABASE_URL: shared.url,
  RPC_URL: proxy.url,
  CHAIN_ID: "31337",
  CONTRACT_ADDRESS: cast.address,
  START_BLOCK: cast.deployBlock.toString(),
  GETLOGS_INITIAL_RANGE: "2",
  GETLOGS_MAX_RANGE: "2",
  RESTART_MAX_DELAY_MS: "200",
});

const isLine = (msg: string) => (line: Record<string, unknown>) => line.msg === msg;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

/** Starts two processes at once; resolves when one leads and the other stands by. */
async function leaderAndStandby(): Promise<{ leader: MainProcess; standby: MainProcess }> {
  const a = spawnMain(env());
  const b = spawnMain(env());
  const first = await Promise.race([
    a.waitForLine(isLine(LEADING)).then(() => a),
    b.waitForLine(isLine(LEADING)).then(() => b),
  ]);
  const other = first === a ? b : a;
  await other.waitForLine(isLine(STANDING_BY));
  return { leader: first, standby: other };
}

/**
 * SIGKILLs the leader; resolves with the ms until the standby says it leads, and until the
 * checkpoint passes `past` (indexing resumed).
 */
async function killAndTakeOver(
  leader: MainProcess,
  standby: MainProcess,
  past: () => Promise<bigint>,
): Promise<{ leadsMs: number; resumedMs: number }> {
  const killedAt = Date.now();
  leader.child.kill("SIGKILL");
  await leader.exited;
  const before = await past();
  const line = await standby.waitForLine(isLine(LEADING), 30_000);
  await waitForCheckpoint(shared.pool, (b) => b > before, [standby]);
  return { leadsMs: Date.parse(String(line.time)) - killedAt, resumedMs: Date.now() - killedAt };
}

async function cleanIndexEquals(): Promise<void> {
  const b = await cleanIndex({
    pool: clean.pool,
    rpcUrl: chain.rpcUrl,
    address: cast.address,
    deployBlock: cast.deployBlock,
  });
  const a = await dumpIndex(shared.pool);
  expect(a.event_log!.length).toBe(b.event_log!.length);
  expect(a).toEqual(b);
}

/** An indexer in this process on the `fenced` database, at the head and leading. */
async function leadingInProcess() {
  const { logger, lines } = captureLogger();
  const run = startIndexer({
    pool: fenced.pool,
    rpcUrl: chain.rpcUrl,
    address: cast.address,
    deployBlock: cast.deployBlock,
    settings: { restartMaxDelayMs: 50 },
    logger,
  });
  await run.waitFor(await headOf(chain.rpcUrl));
  await until(() => lines.some(isLine(LEADING)));
  return { run, lines };
}

describe("indexer failover: one leader, hot standbys", () => {
  let survivor: MainProcess;

  it("hands the backfill to a standby within 10 s when the leader is killed with SIGKILL, losing and duplicating nothing", async () => {
    const head = await headOf(chain.rpcUrl);
    const { leader, standby } = await leaderAndStandby();
    // The standby says so on /ready, and is healthy.
    expect(standby.lines().some(isLine(STANDING_BY))).toBe(true);
    // Mid-backfill: past the first blocks, well before the head.
    const at = await waitForCheckpoint(shared.pool, (b) => b >= cast.deployBlock + 20n, [leader]);
    expect(at).toBeLessThan(head - 20n);
    const times = await killAndTakeOver(leader, standby, () => indexedBlock(shared.pool));
    takeovers.push({ phase: "backfill", ...times });
    expect(times.leadsMs).toBeLessThan(10_000);
    expect(times.resumedMs).toBeLessThan(10_000);
    // The new leader resumed from the checkpoint: on to the head.
    await waitForCheckpoint(shared.pool, (b) => b >= head, [standby]);
    await standby.waitForLine(isLine("caught up with the chain"));
    survivor = standby;
    await cleanIndexEquals();
  });

  it("hands live following to a standby within 10 s when the leader is killed with SIGKILL, losing and duplicating nothing", async () => {
    const leader = survivor;
    const standby = spawnMain(env());
    await standby.waitForLine(isLine(STANDING_BY));
    // Live: a block indexed by the leader, then another written and the leader killed at once.
    const first = await send(cast.staff, "updatePatient", [
      ref(1000),
      { ...patientData(0), weightGrams: 70_001 },
    ]);
    await waitForCheckpoint(shared.pool, (b) => b >= first, [leader]);
    const second = await send(cast.staff, "updatePatient", [
      ref(1001),
      { ...patientData(1), weightGrams: 70_002 },
    ]);
    // Resumed: the block written as the leader died is indexed.
    const times = await killAndTakeOver(leader, standby, async () => second - 1n);
    takeovers.push({ phase: "live", ...times });
    expect(times.leadsMs).toBeLessThan(10_000);
    expect(times.resumedMs).toBeLessThan(10_000);
    const last = await send(cast.staff, "updatePatient", [
      ref(1002),
      { ...patientData(2), weightGrams: 70_003 },
    ]);
    await waitForCheckpoint(shared.pool, (b) => b >= last, [standby]);
    expect(await standby.stop()).toBe(0);
    await cleanIndexEquals();
    // For the closing note: how long each takeover took.
    console.info(`indexer failover takeover times: ${JSON.stringify(takeovers)}`);
  });

  it("refuses every write of a process whose epoch is over, then leads again under a new one", async () => {
    const { run, lines } = await leadingInProcess();
    // Another leader's epoch bump, as its opening of the checkpoint does.
    await fenced.pool.query("UPDATE indexer_state SET leader_epoch = leader_epoch + 1");
    const before = await indexedBlock(fenced.pool);
    const block = await send(cast.staff, "updatePatient", [
      ref(1003),
      { ...patientData(3), weightGrams: 70_004 },
    ]);
    await run.waitFor(block);
    const refused = lines.filter((l) => l.code === "LEADERSHIP_LOST");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(String(refused[0]!.reason)).toMatch(/indexer epoch \d+ is over: another indexer process leads/);
    expect(before).toBeLessThan(block);
    expect(lines.some(isLine("no longer leading: waiting to lead again"))).toBe(true);
    expect(lines.filter(isLine(LEADING)).length).toBe(2);
    await run.stop();
  });

  it("refuses every write of a process whose lock's session is gone, even when no one else leads yet", async () => {
    const { run, lines } = await leadingInProcess();
    // The session holding the leader lock ends (a network cut, an administrator).
    const { rows } = await fenced.pool.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
       WHERE locktype = 'advisory' AND classid = 1148150612 AND objid = 1 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows).toEqual([{ ended: true }]);
    const block = await send(cast.staff, "updatePatient", [
      ref(1004),
      { ...patientData(4), weightGrams: 70_005 },
    ]);
    await run.waitFor(block);
    expect(lines.some(isLine("no longer leading: waiting to lead again"))).toBe(true);
    expect(lines.filter(isLine(LEADING)).length).toBe(2);
    await run.stop();
  });
});
