/**
 * Indexer benchmark. Builds a chain with the simulator (≥ 1,000,000 events by default) on a
 * Hardhat node in its own process, then measures, against that same node:
 *  - the raw eth_getLogs rate over the whole range (same adaptive ranges as the indexer),
 *  - a cold backfill by `node indexer/main.ts` in its own process (events/s, peak RSS),
 *  - live latency: blocks with one event each, time from the block being mined to its rows
 *    being committed in PostgreSQL (p50/p99 over --live-blocks blocks).
 * Progress on stderr; one JSON object on the last line of stdout:
 * {"events","events_per_s","getlogs_events_per_s","ratio","peak_rss_mb","live_p50_ms","live_p99_ms",
 *  "db_mb_per_million_events",…} (the size after the backfill: tables, indexes, TOAST).
 *
 *   npm run bench:indexer [-- --events 1000000 --live-blocks 1000]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { indexerConfigSchema } from "../indexer/config.ts";
import { indexerSettings } from "../indexer/main.ts";
import { INDEXER_NODE_FLAGS } from "../indexer/node-flags.ts";
import { createIndexerMetrics } from "../indexer/ops/metrics.ts";
import { createRpcClient } from "../indexer/rpc/client.ts";
import { createLogFetcher } from "../indexer/sync/log-fetcher.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { deployDocTel, type SigningWalletClient } from "../sdk/index.ts";
import { docTelAbi } from "../shared/abi/generated/DocTel.ts";
import { parseConfig } from "../shared/config.ts";
import { createSilentLogger } from "../shared/logger.ts";
import { DEV_PRIVATE_KEYS } from "../shared/services/chain.ts";
import { type EmbeddedPostgres, startTemporaryPostgres } from "../shared/services/postgres.ts";
import { runSimulation } from "../simulator/index.ts";
import { memoryOf, percentile, spawnJsonLine, stop } from "./support/process.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    "live-blocks": { type: "string", default: "1000" },
    seed: { type: "string", default: "bench" },
  },
});
const root = path.resolve(import.meta.dirname, "..");
const say = (msg: string) => process.stderr.write(`[bench:indexer] ${msg}\n`);
const logger = createSilentLogger();
const pepper = Buffer.alloc(32, 0x5a);
const work = await mkdtemp(path.join(tmpdir(), "doctel-bench-indexer-"));

// The node's fixed genesis date: the same seed then simulates the same year, so every run indexes the same chain.
const node = await spawnJsonLine<{ rpcUrl: string; wsUrl: string }>(
  path.join(root, "bench/support/chain-node.ts"),
);
const { rpcUrl, wsUrl } = node.value;
let db: EmbeddedPostgres | undefined;
try {
  // Durable settings, as in production: fsync and synchronous commits on.
  db = await startTemporaryPostgres({ fsync: true, synchronousCommit: true });
  // 1. The chain.
  say(`simulating ${values.events} events on ${rpcUrl}`);
  const transport = http(rpcUrl, { retryCount: 0 });
  const governance = privateKeyToAccount(DEV_PRIVATE_KEYS[0]);
  const publicClient = createPublicClient({ transport }) as PublicClient;
  const walletClient = createWalletClient({ account: governance, transport }) as SigningWalletClient;
  const { record } = await deployDocTel({
    publicClient,
    walletClient,
    governance: governance.address,
    pepper,
    adminDelaySeconds: 0,
  });
  const simulation = await runSimulation({
    rpcUrl,
    wsUrl,
    deployment: record,
    governanceKey: DEV_PRIVATE_KEYS[0],
    pepper,
    seed: values.seed,
    targetEvents: Number(values.events),
    castFile: false,
    logger,
  });
  const head = await publicClient.getBlockNumber();
  say(
    `chain ready: ${simulation.events} events in ${head} blocks (${Math.round(simulation.durationMs / 1000)} s)`,
  );

  // 2. Raw eth_getLogs over the same range, with the indexer's own adaptive ranges.
  // Same client limits and adaptive ranges as the indexer's defaults: "the same range".
  const defaults = indexerSettings(
    parseConfig(indexerConfigSchema, {
      DATABASE_URL: "postgresql://unused",
      CHAIN_ID: "1",
      CONTRACT_ADDRESS: record.address,
    }),
  );
  const rpc = createRpcClient({
    url: rpcUrl,
    timeoutMs: defaults.rpcTimeoutMs,
    maxResponseBytes: defaults.rpcMaxResponseBytes,
  });
  const fetcher = createLogFetcher({
    rpc,
    address: record.address,
    range: defaults.getLogs,
    retry: defaults.retry,
    logger,
    metrics: createIndexerMetrics(),
  });
  let rawLogs = 0;
  const rawStart = performance.now();
  for (let from = BigInt(record.deployBlock); from <= head; ) {
    const chunk = await fetcher.next(from, head);
    rawLogs += chunk.logs.count;
    from = chunk.toBlock + 1n;
  }
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const getLogsRate = rawLogs / rawSeconds;
  say(`raw eth_getLogs: ${rawLogs} logs in ${rawSeconds.toFixed(1)} s = ${Math.round(getLogsRate)}/s`);

  // 3. Cold backfill in a process of its own.
  await applyMigrations({ databaseUrl: db.url });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const indexedBlock = async () =>
    BigInt(
      (
        await pool.query<{ b: string }>(
          "SELECT coalesce(max(indexed_block), -1)::text AS b FROM indexer_state",
        )
      ).rows[0]!.b,
    );
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: db.url,
    RPC_URL: rpcUrl,
    RPC_WS_URL: wsUrl,
    CHAIN_ID: String(record.chainId),
    CONTRACT_ADDRESS: record.address,
    START_BLOCK: String(record.deployBlock),
    OPS_PORT: "0",
    LOG_LEVEL: "warn",
  };
  const { spawn } = await import("node:child_process");
  const indexer = spawn(process.execPath, [...INDEXER_NODE_FLAGS, path.join(root, "indexer/main.ts")], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const backfillStart = performance.now();
  let peakMb = 0;
  while ((await indexedBlock()) < head) {
    const mem = await memoryOf(indexer.pid!);
    if (mem) peakMb = Math.max(peakMb, mem.peakMb);
    if (indexer.exitCode !== null) throw new Error(`indexer exited with ${indexer.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const backfillSeconds = (performance.now() - backfillStart) / 1000;
  const events = Number(
    (await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM event_log")).rows[0]!.n,
  );
  const eventsPerSecond = events / backfillSeconds;
  // The database's size after the backfill, per million events (checkpointed, vacuumed: what a
  // deployment holds at rest): tables, indexes and TOAST of the public schema.
  await pool.query("CHECKPOINT");
  await pool.query("VACUUM (ANALYZE)");
  // Partitions are tables of their own (relkind 'r'); a partitioned parent holds nothing.
  const dbBytes = Number(
    (
      await pool.query<{ bytes: string }>(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')`,
      )
    ).rows[0]!.bytes,
  );
  say(
    `backfill: ${events} events in ${backfillSeconds.toFixed(1)} s = ${Math.round(eventsPerSecond)}/s, peak RSS ${peakMb.toFixed(0)} MB`,
  );

  // 4. Live: one event per block, mined on send; latency until its checkpoint commits.
  await publicClient.request({ method: "evm_setAutomine", params: [true] } as never);
  const liveBlocks = Number(values["live-blocks"]);
  const latencies: number[] = [];
  let nonce = await publicClient.getTransactionCount({ address: governance.address });
  const { encodeFunctionData } = await import("viem");
  for (let i = 0; i < liveBlocks; i++) {
    const raw = await governance.signTransaction({
      to: record.address,
      data: encodeFunctionData({
        abi: docTelAbi,
        functionName: "registerHospital",
        args: [`Live benchmark hospital ${i}`, 7, 94],
      }),
      nonce: nonce++,
      gas: 200_000n,
      maxFeePerGas: 100_000_000_000n,
      maxPriorityFeePerGas: 1n,
      chainId: record.chainId,
      type: "eip1559",
    });
    await rpc.request("eth_sendRawTransaction", [raw]);
    const mined = performance.now();
    const block = await publicClient.getBlockNumber();
    while ((await indexedBlock()) < block) await new Promise((r) => setTimeout(r, 2));
    latencies.push(performance.now() - mined);
    const mem = await memoryOf(indexer.pid!);
    if (mem) peakMb = Math.max(peakMb, mem.peakMb);
  }
  latencies.sort((a, b) => a - b);
  await stop(indexer);
  await pool.end();
  const result = {
    events,
    events_per_s: Math.round(eventsPerSecond),
    getlogs_events_per_s: Math.round(getLogsRate),
    ratio: Math.round((eventsPerSecond / getLogsRate) * 100) / 100,
    peak_rss_mb: Math.round(peakMb),
    live_p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
    live_p99_ms: Math.round(percentile(latencies, 99) * 10) / 10,
    live_blocks: liveBlocks,
    db_mb: Math.round(dbBytes / 1024 / 102.4) / 10,
    db_mb_per_million_events: Math.round(((dbBytes / events) * 1e6) / 1024 / 102.4) / 10,
    blocks: Number(head),
    backfill_s: Math.round(backfillSeconds * 10) / 10,
    simulate_s: Math.round(simulation.durationMs / 100) / 10,
  };
  console.log(JSON.stringify(result));
} finally {
  await stop(node.child);
  await db?.stop();
  await rm(work, { recursive: true, force: true });
}
