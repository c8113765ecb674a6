import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { createHealth } from "../../indexer/ops/health.ts";
import { createProgressReporter } from "../../indexer/ops/progress.ts";
import { startOpsServer } from "../../indexer/ops/server.ts";
import { captureLogger } from "../helpers/capture-logger.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf, startIndexer } from "../helpers/indexer.ts";
import { startRpcProxy } from "../helpers/rpc-proxy.ts";
import { type Cast, patientData, ref, seedNetwork, sender } from "./scenario.ts";

const chain = useTestChain();
const db = useTestDatabase();
const lagging = useTestDatabase();
const failing = useTestDatabase();
let cast: Cast;

beforeAll(async () => {
  cast = await seedNetwork(chain);
});

describe("operating the indexer", () => {
  it("serves Prometheus metrics, health, and readiness that turns on once caught up", async () => {
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    const ops = await startOpsServer({
      host: "127.0.0.1",
      port: 0,
      pool: db.pool,
      metrics: run.metrics,
      logger: pino({ level: "silent" }),
      isReady: run.indexer.isReady,
      status: run.indexer.status,
    });
    const base = `http://127.0.0.1:${ops.port}`;
    const head = await headOf(chain.rpcUrl);
    await run.waitFor(head);
    // Readiness follows the sync loop's view of the head, one poll later at most.
    let ready = await fetch(`${base}/ready`);
    for (let i = 0; i < 40 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = await fetch(`${base}/ready`);
    }
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, indexedBlock: head.toString(), lagBlocks: 0 });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      "doctel_indexer_head_block",
      "doctel_indexer_indexed_block",
      "doctel_indexer_lag_blocks",
      "doctel_indexer_events_total",
      "doctel_indexer_events_per_second",
      "doctel_indexer_reorgs_total",
      "doctel_indexer_rpc_requests_total",
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/doctel_indexer_events_total\{event="VitalsRecorded"\} 21/);
    await run.stop();
    await ops.close();
  });

  it("is ready at once when restarted at the head with nothing new to index, since no batch will come to say so", async () => {
    const first = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    const head = await headOf(chain.rpcUrl);
    await first.waitFor(head);
    await first.stop();

    const again = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    for (let i = 0; i < 40 && !again.indexer.isReady(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(again.indexer.isReady()).toBe(true);
    expect(again.indexer.status()).toMatchObject({ indexedBlock: head.toString(), lagBlocks: 0 });
    expect(await headOf(chain.rpcUrl)).toBe(head);
    await again.stop();
  });

  it("reports backfill progress with blocks done, total, events/s and an ETA", () => {
    const { logger, lines } = captureLogger();
    const progress = createProgressReporter({ logger, startBlock: 0n, intervalMs: 0, minLag: 10 });
    progress.update(500n, 1000n, 2000);
    progress.update(995n, 1000n, 10);
    const [line] = lines;
    expect(lines).toHaveLength(1);
    expect(line).toMatchObject({
      msg: "backfill progress",
      blocks_done: "500",
      blocks_total: "1000",
      percent: 50,
      events: 2000,
    });
    expect(line).toHaveProperty("events_per_s");
    expect(line).toHaveProperty("eta_s");
  });

  it("decides readiness and health in one place: caught up once, failing, standby, and the lag alarm on an injected clock", () => {
    let now = 1_000_000;
    const health = createHealth({ lagBlocks: 2, lagMs: 30_000, now: () => now });
    expect(health.view()).toMatchObject({ ready: false, healthy: true, reason: "starting" });
    health.setRole("standby");
    expect(health.view()).toMatchObject({ ready: false, healthy: true, role: "standby" });
    health.setRole("leader");
    health.progress(500n);
    expect(health.view()).toMatchObject({ ready: false, reason: "catching up with the chain" });
    health.progress(2n);
    expect(health.view()).toMatchObject({ ready: true, healthy: true, lagAlarm: false });
    // A burst of blocks: lagging, but not for long enough to matter.
    health.progress(10n);
    now += 30_000;
    expect(health.view()).toMatchObject({ ready: true, lagAlarm: false, laggingSince: 1_000_000 });
    now += 1;
    expect(health.view()).toMatchObject({
      ready: false,
      healthy: true,
      lagAlarm: true,
      reason: "lagging more than 2 blocks behind the head for over 30000 ms",
    });
    health.progress(1n);
    expect(health.view()).toMatchObject({ ready: true, lagAlarm: false, laggingSince: null });
    health.fail("writing blocks 10-12: database unavailable");
    expect(health.view()).toMatchObject({
      ready: false,
      healthy: false,
      reason: "failing: writing blocks 10-12: database unavailable",
    });
    health.recovered();
    expect(health.view()).toMatchObject({ ready: true, healthy: true });
  });

  it("turns /ready false when the index lags the head for longer than READY_LAG_MS, and ready again once it catches up", async () => {
    const proxy = await startRpcProxy(chain.rpcUrl);
    const run = startIndexer({
      pool: lagging.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { readyLagBlocks: 1, readyLagMs: 200 },
    });
    const ops = await startOpsServer({
      host: "127.0.0.1",
      port: 0,
      pool: lagging.pool,
      metrics: run.metrics,
      logger: pino({ level: "silent" }),
      isReady: run.indexer.isReady,
      isHealthy: run.indexer.isHealthy,
      status: run.indexer.status,
    });
    const base = `http://127.0.0.1:${ops.port}`;
    const ready = () =>
      fetch(`${base}/ready`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await run.waitFor(await headOf(chain.rpcUrl));
    await until(async () => (await ready()).status === 200);
    // The node now answers eth_getLogs slowly: the head moves on, the index does not keep up.
    proxy.setFault((method) => (method === "eth_getLogs" ? { delayMs: 1_500 } : undefined));
    await chain.mine(3);
    await until(async () => (await ready()).status === 503);
    const { body } = await ready();
    expect(body).toMatchObject({
      ready: false,
      healthy: true,
      reason: "lagging more than 1 blocks behind the head for over 200 ms",
    });
    expect(body.laggingSince).toEqual(expect.any(String));
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^doctel_indexer_lag_alarm 1$/m);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    proxy.setFault(undefined);
    await run.waitFor(await headOf(chain.rpcUrl));
    await until(async () => (await ready()).status === 200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^doctel_indexer_lag_alarm 0$/m);
    await run.stop();
    await ops.close();
    await proxy.close();
  });

  it("reports a failed write at once (log, red /ready and /health, metric), not when the next block comes, then retries from the checkpoint", async () => {
    // A trigger of the test's: every patient_history row fails with a serialization failure
    // (retryable) while fail_writes has a row.
    await failing.pool.query(`
      CREATE TABLE fail_writes (reason text);
      CREATE FUNCTION fail_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM fail_writes) THEN
          RAISE EXCEPTION 'injected write failure' USING ERRCODE = '40001';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_writes BEFORE INSERT ON patient_history FOR EACH ROW EXECUTE FUNCTION fail_writes();`);
    const { logger, lines } = captureLogger();
    const run = startIndexer({
      pool: failing.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { restartMaxDelayMs: 100 },
      logger,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await until(async () => run.indexer.isReady());
    await failing.pool.query("INSERT INTO fail_writes VALUES ('test')");
    // One more block, then the chain stays idle: no later batch will settle the failed commit.
    const [staff] = [cast.staff];
    const block = await sender(chain, cast.address)(staff, "updatePatient", [
      ref(10),
      { ...patientData(10), weightGrams: 62_000 },
    ]);
    await until(async () => !run.indexer.isHealthy());
    expect(run.indexer.isReady()).toBe(false);
    expect(run.indexer.status().reason).toMatch(
      /^failing: writing blocks \d+-\d+: database unavailable: injected write failure/,
    );
    const failed = lines.filter((l) => l.msg === "indexing failed; resuming from the checkpoint");
    expect(failed[0]).toMatchObject({ code: "DATABASE_UNAVAILABLE", level: 50 });
    const errors = await run.metrics.registry.getSingleMetric("doctel_indexer_errors_total")?.get();
    expect(
      errors?.values.find((v) => v.labels.code === "DATABASE_UNAVAILABLE")?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(await headOf(chain.rpcUrl)).toBe(block);
    // The database takes writes again: the retry from the checkpoint writes the block.
    await failing.pool.query("DELETE FROM fail_writes");
    await run.waitFor(block);
    await until(async () => run.indexer.isHealthy() && run.indexer.isReady());
    await run.stop();
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("condition not reached within 60 s");
}
