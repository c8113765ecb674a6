import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { createProgressReporter } from "../../indexer/ops/progress.ts";
import { startOpsServer } from "../../indexer/ops/server.ts";
import { captureLogger } from "../helpers/capture-logger.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf, startIndexer } from "../helpers/indexer.ts";
import { type Cast, seedNetwork } from "./scenario.ts";

const chain = useTestChain();
const db = useTestDatabase();
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
});
