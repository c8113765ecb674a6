import { encodeFunctionData, stringToHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { clearIndex, dumpIndex, headOf, startIndexer } from "../helpers/indexer.ts";
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

/** Indexes the current chain from scratch into the `clean` database and compares. */
async function expectEqualToCleanIndex(): Promise<void> {
  await clearIndex(clean.pool);
  const fresh = startIndexer({
    pool: clean.pool,
    rpcUrl: chain.rpcUrl,
    address: cast.address,
    deployBlock: cast.deployBlock,
  });
  await fresh.waitFor(await headOf(chain.rpcUrl));
  await fresh.stop();
  expect(await dumpIndex(live.pool)).toEqual(await dumpIndex(clean.pool));
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await live.pool.query(sql, params)).rows[0].n);

describe("chain reorganizations", () => {
  it("rolls back a 1-block reorg at the head and indexes the replacement block", async () => {
    const run = startIndexer({
      pool: live.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    const snap = await chain.snapshot();
    const block = await send(cast.staff, "updatePatient", [ref(11), { ...patientData(11), heightCm: 199 }]);
    await run.waitFor(block);
    expect(await count("SELECT height_cm AS n FROM patient WHERE ref = $1", [ref(11)])).toBe(199);
    await chain.revert(snap);
    await send(cast.staff, "updatePatient", [ref(11), { ...patientData(11), heightCm: 188 }]);
    await chain.mine(1);
    await run.waitFor(await headOf(chain.rpcUrl));
    await new Promise((r) => setTimeout(r, 200));
    await run.stop();
    expect(await count("SELECT height_cm AS n FROM patient WHERE ref = $1", [ref(11)])).toBe(188);
    expect(await count("SELECT version AS n FROM patient WHERE ref = $1", [ref(11)])).toBe(2);
    expect(await run.metrics.registry.getSingleMetric("doctel_indexer_reorgs_total")?.get()).toMatchObject({
      values: [{ value: 1 }],
    });
    await expectEqualToCleanIndex();
  });

  it("undoes a deep reorg that removed an attachment, a stage change, a diagnosis, a doctor revocation and new patients", async () => {
    const run = startIndexer({
      pool: live.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
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
    const tip = await headOf(chain.rpcUrl);
    await run.waitFor(tip);
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
    await run.waitFor(await headOf(chain.rpcUrl));
    await new Promise((r) => setTimeout(r, 200));
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

  it("handles a reorg that happens while it is still backfilling", async () => {
    await clearIndex(live.pool);
    const snap = await chain.snapshot();
    for (let i = 0; i < 30; i++) {
      await send(cast.staff, "updatePatient", [ref(12), { ...patientData(12), weightGrams: 40_000 + i }]);
    }
    // A slow node: the indexer reads two blocks per request, 40 ms each.
    const proxy = await startRpcProxy(chain.rpcUrl);
    proxy.setFault((method) => (method === "eth_getLogs" ? { delayMs: 40 } : undefined));
    const run = startIndexer({
      pool: live.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { getLogs: { initial: 2, min: 1, max: 2, targetLogs: 1000 }, finalityDepth: 500 },
    });
    const head = await headOf(chain.rpcUrl);
    await run.waitFor(head - 10n);
    await chain.revert(snap);
    for (let i = 0; i < 35; i++) {
      await send(cast.staff, "updatePatient", [ref(12), { ...patientData(12), weightGrams: 80_000 + i }]);
    }
    await run.waitFor(await headOf(chain.rpcUrl));
    await new Promise((r) => setTimeout(r, 300));
    await run.stop();
    await proxy.close();
    expect(await count("SELECT weight_grams AS n FROM patient WHERE ref = $1", [ref(12)])).toBe(80_034);
    await expectEqualToCleanIndex();
  });

  it("stops with REORG_PAST_FINALITY when a reorg reaches a block it treated as final, rather than serve wrong data", async () => {
    await clearIndex(live.pool);
    const snap = await chain.snapshot();
    for (let i = 0; i < 6; i++)
      await send(cast.staff, "updatePatient", [ref(10), { ...patientData(10), heightCm: 160 + i }]);
    const proxy = await startRpcProxy(chain.rpcUrl);
    const run = startIndexer({
      pool: live.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { finalityDepth: 3 },
      logger: (await import("../../shared/logger.ts")).createLogger({
        level: "debug",
        format: "json",
        service: "t",
      }),
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await new Promise((r) => setTimeout(r, 200));
    // The node is unreachable while the chain is rewritten, so the indexer next sees the new chain
    // whole (longer than the old one) rather than the moment between the revert and the mining.
    proxy.setFault(() => ({ drop: true }));
    await new Promise((r) => setTimeout(r, 100)); // requests already forwarded see the old chain
    await chain.revert(snap);
    await chain.mine(8);
    proxy.setFault(undefined);
    const failure = await run.failure;
    await proxy.close();
    expect(failure).toMatchObject({ code: "REORG_PAST_FINALITY" });
    expect(String((failure as Error).message)).toMatch(
      /reorg past finality: block \d+ was 0x[0-9a-f]{64} and is now 0x[0-9a-f]{64}/,
    );
  });
});
