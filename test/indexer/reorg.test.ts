/**
 * Reorgs against a real chain node (evm_snapshot / evm_revert give the same heights new hashes).
 * The indexer runs on an injected clock: it reads the node only when a test ticks, so the chain is
 * changed while it waits and it then sees the new chain whole. Every wait is on exact state: the
 * checkpoint's block number and hash.
 */
import { encodeFunctionData, stringToHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { docTelEvents } from "../../indexer/decode/events.ts";
import { COVER_EVENT } from "../../indexer/decode/sequence.ts";
import type { IndexerSettings } from "../../indexer/indexer.ts";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  CLOCK_SETTINGS,
  clearIndex,
  dumpIndex,
  headBlockOf,
  headOf,
  manualClock,
  startIndexer,
} from "../helpers/indexer.ts";
import { startRpcProxy } from "../helpers/rpc-proxy.ts";
import { type Cast, patientData, ref, type Send, seedNetwork, sender, vitals } from "./scenario.ts";

const chain = useTestChain();
const live = useTestDatabase();
const clean = useTestDatabase();
let cast: Cast;
let send: Send;

beforeAll(async () => {
  cast = await seedNetwork(chain);
  send = sender(chain, cast.address);
});

/**
 * Indexes the current chain from scratch into the `clean` database and compares, the undo log and
 * the unfinalized blocks' event numbers included (with the same finality depth: what is kept for
 * reorgs depends on it). The checkpoint's last event number after a rollback and the blocks
 * after it must be those a clean index finds.
 */
async function expectEqualToCleanIndex(settings: Partial<IndexerSettings> = {}): Promise<void> {
  await clearIndex(clean.pool);
  const fresh = startIndexer({
    pool: clean.pool,
    rpcUrl: chain.rpcUrl,
    address: cast.address,
    deployBlock: cast.deployBlock,
    settings,
  });
  await fresh.waitFor(await headBlockOf(chain.rpcUrl));
  await fresh.stop();
  expect(await dumpIndex(live.pool, { unfinalized: true })).toEqual(
    await dumpIndex(clean.pool, { unfinalized: true }),
  );
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await live.pool.query(sql, params)).rows[0].n);

/** An indexer on `live`, driven by a clock, caught up with the chain. */
async function startLive(settings = {}) {
  const clock = manualClock();
  const run = startIndexer({
    pool: live.pool,
    rpcUrl: chain.rpcUrl,
    address: cast.address,
    deployBlock: cast.deployBlock,
    clock,
    settings: { ...CLOCK_SETTINGS, ...settings },
  });
  await run.catchUp();
  return { run, clock };
}

describe("chain reorganizations", () => {
  it("rolls back a 1-block reorg at the head and indexes the replacement block", async () => {
    const { run } = await startLive();
    const snap = await chain.snapshot();
    await send(cast.staff, "updatePatient", [ref(11), { ...patientData(11), heightCm: 199 }]);
    await run.catchUp();
    expect(await count("SELECT height_cm AS n FROM patient WHERE ref = $1", [ref(11)])).toBe(199);
    await chain.revert(snap);
    // The replacement starts with a block without events: its event number is the one restored
    // at the common ancestor (compared with a clean index's below).
    await chain.mine(1);
    await send(cast.staff, "updatePatient", [ref(11), { ...patientData(11), heightCm: 188 }]);
    await chain.mine(1);
    await run.catchUp();
    await run.stop();
    expect(await count("SELECT height_cm AS n FROM patient WHERE ref = $1", [ref(11)])).toBe(188);
    expect(await count("SELECT version AS n FROM patient WHERE ref = $1", [ref(11)])).toBe(2);
    expect(await run.metrics.registry.getSingleMetric("doctel_indexer_reorgs_total")?.get()).toMatchObject({
      values: [{ value: 1 }],
    });
    await expectEqualToCleanIndex();
  });

  it("undoes a deep reorg that removed an attachment, a stage change, a diagnosis, a doctor revocation and new patients", async () => {
    const { run } = await startLive();
    const snap = await chain.snapshot();
    const cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    await send(cast.staff, "attachFile", [2n, 3, cid]);
    await send(cast.staff, "assignDoctor", [2n, cast.doctor.account.address]);
    await send(cast.doctor, "recordDiagnosis", [2n, stringToHex("I10", { size: 8 })]);
    await send(cast.doctor, "advanceStage", [2n, 2]);
    await send(cast.staff, "multicall", [
      [30, 31].map((i) =>
        encodeFunctionData({
          abi: docTelAbi,
          functionName: "registerPatient",
          args: [ref(i), patientData(i)],
        }),
      ),
    ]);
    await send(cast.doctor, "openTreatment", [ref(30)]);
    await send(cast.staff, "revokeMember", [cast.doctor.account.address]);
    await chain.mine(5);
    await run.catchUp();
    expect(await count("SELECT count(*) AS n FROM attachment WHERE cid = $1", [cid])).toBe(1);
    expect(
      await count("SELECT count(*) AS n FROM treatment_doctor WHERE doctor = $1", [
        cast.doctor.account.address.toLowerCase(),
      ]),
    ).toBe(0);

    // The other fork: longer, with different events.
    await chain.revert(snap);
    const now = Number((await chain.publicClient.getBlock()).timestamp);
    await send(cast.device, "recordVitalsBatch", [1n, []]).catch(() => undefined); // reverts: empty batch, no block kept
    await send(cast.staff, "recordVitals", [2n, vitals(now, 7)]);
    await send(cast.staff, "registerPatient", [ref(32), patientData(32)]);
    await chain.mine(14);
    await run.catchUp();
    await run.stop();

    expect(await count("SELECT count(*) AS n FROM attachment WHERE cid = $1", [cid])).toBe(0);
    expect(await count("SELECT count(*) AS n FROM file_verification WHERE cid = $1", [cid])).toBe(0);
    expect(
      (await live.pool.query("SELECT stage::text, diagnosis FROM treatment WHERE id = 2")).rows[0],
    ).toEqual({
      stage: "ADMITTED",
      diagnosis: "E11.9",
    });
    expect(await count("SELECT count(*) AS n FROM treatment WHERE id = 4")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM patient WHERE ref = ANY($1)", [[ref(30), ref(31)]])).toBe(
      0,
    );
    // The revocation is gone, so the doctor's assignment to treatment 1 is back.
    expect(
      await count("SELECT count(*) AS n FROM treatment_doctor WHERE doctor = $1", [
        cast.doctor.account.address.toLowerCase(),
      ]),
    ).toBe(1);
    expect(
      await count("SELECT count(*)::int AS n FROM member WHERE account = $1 AND active", [
        cast.doctor.account.address.toLowerCase(),
      ]),
    ).toBe(1);
    const depth = (
      await run.metrics.registry.getSingleMetric("doctel_indexer_reorg_depth_blocks")?.get()
    )?.values.find(
      (v) => (v as { metricName?: string }).metricName === "doctel_indexer_reorg_depth_blocks_sum",
    );
    expect(depth?.value).toBeGreaterThanOrEqual(12);
    await expectEqualToCleanIndex();
  });

  it("undoes a reorg across every event type and partition boundaries, ending equal to a clean index", async () => {
    await clearIndex(live.pool);
    // Partitions of 4 blocks past the forks, so the reorg crosses several (the store adds its own after them).
    await live.pool.query("DROP TABLE vital_p0, event_record_p0");
    const head = await headOf(chain.rpcUrl);
    await live.pool.query(
      "SELECT ensure_block_partitions(p, 0, $1, 4) FROM unnest(ARRAY['vital', 'event_record']::regclass[]) AS p",
      [(head + 80n).toString()],
    );
    const { run } = await startLive();
    const ancestor = await headOf(chain.rpcUrl);
    const snap = await chain.snapshot();

    // Rows that existed before the fork and that it changes, and rows it creates.
    const newcomer = chain.wallets[6]!;
    const newDevice = chain.wallets[7]!;
    const newStaff = chain.wallets[8]!;
    const analystRole = await chain.publicClient.readContract({
      address: cast.address,
      abi: docTelAbi,
      functionName: "ANALYST_ROLE",
    });
    await send(cast.governance, "registerHospital", ["Rural Health Centre Kalyan", 27, 490]); // 3
    await send(cast.governance, "registerStaff", [newStaff.account.address, 3, ref(43)]);
    await send(cast.staff, "registerDoctor", [newcomer.account.address, ref(40), 7]);
    await send(cast.staff, "updatePatient", [ref(10), { ...patientData(10), weightGrams: 70_500 }]);
    await send(cast.staff, "registerPatient", [ref(41), patientData(41)]);
    await chain.mine(3);
    await send(cast.staff, "registerDevice", [newDevice.account.address, ref(41)]);
    await send(cast.staff, "openTreatment", [ref(41)]); // 3
    await send(cast.staff, "assignDoctor", [3n, cast.doctor.account.address]);
    await send(cast.staff, "assignDoctor", [2n, cast.doctor.account.address]);
    await send(cast.doctor, "recordDiagnosis", [3n, stringToHex("A90", { size: 8 })]);
    await send(cast.doctor, "recordDiagnosis", [2n, stringToHex("J18.9", { size: 8 })]);
    await chain.mine(2);
    // The first file is also treatment 1's: its verification row outlives the reorg.
    await send(cast.doctor, "attachFile", [
      3n,
      1,
      "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    ]);
    await send(cast.doctor, "attachFile", [
      3n,
      2,
      "bafkreidivzimqfqtoqxkrpge6bjyhlvxqs3rhe73owtmdulaxr5do5in7u",
    ]);
    await send(cast.doctor, "advanceStage", [3n, 2]);
    const now = Number((await chain.publicClient.getBlock()).timestamp);
    await send(newDevice, "recordVitalsBatch", [3n, [vitals(now - 60, 1), vitals(now - 30, 2)]]);
    await send(cast.doctor, "recordVitals", [2n, vitals(now, 3)]);
    await send(cast.staff, "unassignDoctor", [3n, cast.doctor.account.address]);
    await chain.mine(4);
    await send(cast.staff, "revokeMember", [cast.doctor.account.address]);
    await send(cast.governance, "grantRole", [analystRole, newcomer.account.address]);
    await send(cast.governance, "revokeRole", [analystRole, cast.analyst.account.address]);
    await send(cast.governance, "beginDefaultAdminTransfer", [newcomer.account.address]);
    await send(cast.governance, "cancelDefaultAdminTransfer", []);
    await send(cast.governance, "changeDefaultAdminDelay", [3600]);
    await send(cast.governance, "rollbackDefaultAdminDelay", []);
    await chain.mine(2);
    await run.catchUp();

    // The fork holds every event the contract emits after its deployment (RoleAdminChanged is
    // only emitted by the constructor; AccessControlSequenced only numbers OpenZeppelin's
    // events and is consumed by the sync).
    const { rows } = await live.pool.query<{ name: string }>(
      "SELECT DISTINCT name::text AS name FROM event_log WHERE block_number > $1 ORDER BY 1",
      [ancestor.toString()],
    );
    expect(rows.map((r) => r.name)).toEqual(
      docTelEvents
        .map((e) => e.name)
        .filter((n) => n !== "RoleAdminChanged" && n !== COVER_EVENT)
        .sort(),
    );
    expect(
      await count("SELECT count(*) AS n FROM undo_log WHERE block_number > $1", [ancestor.toString()]),
    ).toBeGreaterThan(20);
    expect(
      await count("SELECT count(DISTINCT tableoid) AS n FROM event_record WHERE block_number > $1", [
        ancestor.toString(),
      ]),
    ).toBeGreaterThanOrEqual(5);

    // The other fork: longer (finality follows the highest head), with other rows under the same
    // keys (hospital 3, treatment 3).
    await chain.revert(snap);
    await send(cast.staff, "updatePatient", [ref(10), { ...patientData(10), weightGrams: 64_000 }]);
    await send(cast.governance, "registerHospital", ["Sub-district Hospital Murbad", 27, 490]); // 3
    await send(cast.staff, "registerPatient", [ref(42), patientData(42)]);
    await send(cast.staff, "openTreatment", [ref(42)]); // 3
    await chain.mine(50);
    await run.catchUp();
    await run.stop();
    await expectEqualToCleanIndex();
  });

  it("handles a reorg that happens while it is still backfilling", async () => {
    await clearIndex(live.pool);
    const snap = await chain.snapshot();
    for (let i = 0; i < 30; i++) {
      await send(cast.staff, "updatePatient", [ref(12), { ...patientData(12), weightGrams: 40_000 + i }]);
    }
    // A slow node: the indexer reads two blocks per request, 40 ms each, so it is still
    // backfilling when the chain is rewritten under it.
    const proxy = await startRpcProxy(chain.rpcUrl);
    proxy.setFault((method) => (method === "eth_getLogs" ? { delayMs: 40 } : undefined));
    const clock = manualClock();
    const run = startIndexer({
      pool: live.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      clock,
      settings: {
        ...CLOCK_SETTINGS,
        getLogs: { initial: 2, min: 1, max: 2, targetLogs: 1000 },
        finalityDepth: 500,
      },
    });
    const head = await headOf(chain.rpcUrl);
    await run.waitFor(head - 10n);
    await chain.revert(snap);
    for (let i = 0; i < 35; i++) {
      await send(cast.staff, "updatePatient", [ref(12), { ...patientData(12), weightGrams: 80_000 + i }]);
    }
    await run.catchUp();
    await run.stop();
    await proxy.close();
    expect(await count("SELECT weight_grams AS n FROM patient WHERE ref = $1", [ref(12)])).toBe(80_034);
    await expectEqualToCleanIndex({ finalityDepth: 500 });
  });

  it("stops with REORG_PAST_FINALITY when a reorg reaches a block it treated as final, rather than serve wrong data", async () => {
    await clearIndex(live.pool);
    const snap = await chain.snapshot();
    for (let i = 0; i < 6; i++)
      await send(cast.staff, "updatePatient", [ref(10), { ...patientData(10), heightCm: 160 + i }]);
    const { run, clock } = await startLive({ finalityDepth: 3 });
    const head = await headOf(chain.rpcUrl);
    expect(await count("SELECT finalized_block AS n FROM indexer_state")).toBe(Number(head - 3n));
    // Rewritten while the indexer waits for its clock: it next sees the new chain whole, longer
    // than the old one, forked below the finalized block.
    await clock.idle();
    await chain.revert(snap);
    await chain.mine(8);
    clock.tick();
    const failure = await run.failure;
    expect(failure).toMatchObject({ code: "REORG_PAST_FINALITY" });
    expect(String((failure as Error).message)).toMatch(
      /reorg past finality: block \d+ was 0x[0-9a-f]{64} and is now 0x[0-9a-f]{64}/,
    );
  });
});
