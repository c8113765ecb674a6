/**
 * Indexer benchmark: the indexer's cold backfill and live latency against the node's own rate
 * for the same requests, on a chain built by the simulator. `--help` lists the options, the
 * variants (dense, sparse, growing history) and every field of the JSON on the last line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPublicClient, createWalletClient, encodeFunctionData, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { indexerConfigSchema } from "../indexer/config.ts";
import { indexerSettings } from "../indexer/main.ts";
import { INDEXER_NODE_FLAGS } from "../indexer/node-flags.ts";
import { createIndexerMetrics } from "../indexer/ops/metrics.ts";
import { createRpcClient } from "../indexer/rpc/client.ts";
import { createHeaderFetcher } from "../indexer/sync/header-fetcher.ts";
import { createLogFetcher } from "../indexer/sync/log-fetcher.ts";
import { headersForRun } from "../indexer/sync/run-headers.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { deployDocTel, type SigningWalletClient } from "../sdk/index.ts";
import { docTelAbi } from "../shared/abi/generated/DocTel.ts";
import { parseConfig } from "../shared/config.ts";
import { createSilentLogger } from "../shared/logger.ts";
import { DEV_PRIVATE_KEYS } from "../shared/services/chain.ts";
import {
  createDatabase,
  type EmbeddedPostgres,
  startTemporaryPostgres,
} from "../shared/services/postgres.ts";
import { runSimulation } from "../simulator/index.ts";
import {
  childrenCpuSecondsOf,
  cpuSecondsOf,
  memoryOf,
  percentile,
  spawnJsonLine,
  stop,
} from "./support/process.ts";

const HELP = `npm run bench:indexer [-- options]

Builds a chain with the simulator on a Hardhat node in its own process, then measures against
that node: what the node serves for the indexer's requests alone (eth_getLogs over the indexer's
own adaptive ranges, plus the block headers the indexer needs for them), a cold backfill by
\`node indexer/main.ts\` in its own process, and live latency. Progress on stderr; one JSON object
on the last line of stdout.

Options:
  --events N             events on the chain (default 1000000)
  --events-per-block K   a sparse chain of about K events per block (one block per simulated
                         hour, clinical events mostly; at most K x 87,840 events)
  --sparse               preset: --events 250000 --events-per-block 5
  --compare-events A,B   index a chain of A events, extend it to B and index all of it again
                         into a fresh database; reports both and their ratios (cost per event as
                         history grows), e.g. --compare-events 1000000,3000000
  --live-blocks N        live blocks after the (last) backfill (default 1000; 0: none)
  --seed S               simulator seed (default "bench")
  --help                 this text

Examples:
  npm run bench:indexer
  npm run bench:indexer -- --sparse
  npm run bench:indexer -- --compare-events 1000000,3000000 --live-blocks 0

Fields of the JSON (of the last run; with --compare-events, "runs" holds every run):
  events, blocks            events indexed (rows of event_log) and blocks of the chain
  events_per_s, blocks_per_s   cold backfill rate of the indexer process (backfill_s)
  getlogs_events_per_s      the node's eth_getLogs alone over the same ranges (getlogs_s)
  ratio                     events_per_s / getlogs_events_per_s
  node_events_per_s, node_blocks_per_s   the node's raw rate: eth_getLogs plus the headers the
                            indexer needs for those ranges (header_requests of them, headers_s),
                            one request after the other
  node_ratio                events_per_s / node_events_per_s
  header_share              headers_s / (getlogs_s + headers_s): the node's time spent on headers
  headers_without_log_timestamps_s, header_share_without_log_timestamps
                            the same if the node's logs carried no blockTimestamp (a header for
                            every block with logs), measured on the same node
  peak_rss_mb               the indexer process's peak RSS (VmHWM) during the backfill
  indexer_cpu_s             CPU time (user + system) of the indexer process during the backfill
  node_cpu_backfill_s, node_cpu_alone_s   CPU time of the node's process during the backfill,
                            and while serving eth_getLogs and headers alone (where the time goes)
  postgres_cpu_s            CPU time of PostgreSQL's backends during the backfill
  live_p50_ms, live_p99_ms  one event per block mined: time until its rows are committed
  db_mb, db_mb_per_million_events   public schema after the backfill (checkpointed, vacuumed)
  simulate_s                time to build the chain (not part of any rate)
  load_average              1-minute load average when measuring began and ended; cpus: cores
  scale                     (--compare-events) events_per_s_ratio = last / first run (≥ 0.9 is
                            "within 10 %"), peak_rss_mb of each, peak_rss_ratio
`;

const { values } = parseArgs({
  options: {
    events: { type: "string" },
    "events-per-block": { type: "string" },
    sparse: { type: "boolean", default: false },
    "compare-events": { type: "string" },
    "live-blocks": { type: "string", default: "1000" },
    seed: { type: "string", default: "bench" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const perBlock = values["events-per-block"] ?? (values.sparse ? "5" : undefined);
const eventsPerBlock = perBlock === undefined ? undefined : Number(perBlock);
const sizes = (values["compare-events"] ?? values.events ?? (values.sparse ? "250000" : "1000000"))
  .split(",")
  .map((v) => Number(v.trim()));
if (sizes.some((n, i) => !Number.isInteger(n) || n < 1000 || (i > 0 && n <= sizes[i - 1]!))) {
  throw new Error(`--events/--compare-events: whole numbers ≥ 1000, ascending (got ${sizes.join(",")})`);
}
if (eventsPerBlock !== undefined && !(eventsPerBlock >= 1 && eventsPerBlock <= 400)) {
  throw new Error(`--events-per-block must be between 1 and 400 (got ${perBlock})`);
}
const root = path.resolve(import.meta.dirname, "..");
const say = (msg: string) => process.stderr.write(`[bench:indexer] ${msg}\n`);
const logger = createSilentLogger();
const pepper = Buffer.alloc(32, 0x5a);
const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;
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
  // Same client limits, adaptive ranges and finality as the indexer's defaults: "the same range".
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

  let simulated = 0;
  let simulateMs = 0;
  const runs: Run[] = [];
  let indexer: ChildProcess | undefined;
  let livePool: pg.Pool | undefined;
  for (const [k, target] of sizes.entries()) {
    // 1. The chain (extended to the next size with another seed: a second network on the same contract).
    const more = target - simulated;
    say(
      `simulating ${more} events${eventsPerBlock ? ` at about ${eventsPerBlock} per block` : ""} on ${rpcUrl}`,
    );
    const simulation = await runSimulation({
      rpcUrl,
      wsUrl,
      deployment: record,
      governanceKey: DEV_PRIVATE_KEYS[0],
      pepper,
      seed: k === 0 ? values.seed : `${values.seed}-${k + 1}`,
      targetEvents: more,
      ...(eventsPerBlock ? sparseSizes(more, eventsPerBlock) : {}),
      castFile: false,
      logger,
    });
    simulated += simulation.events;
    simulateMs += simulation.durationMs;
    const head = await publicClient.getBlockNumber();
    say(
      `chain ready: ${simulated} events in ${head} blocks (${Math.round(simulation.durationMs / 1000)} s, ${round1(simulation.events / simulation.blocks)} events per block)`,
    );

    // 2. The node alone, then the indexer, on a database of its own.
    const loadAtStart = loadavg()[0]!;
    const served = await nodeRate(BigInt(record.deployBlock), head);
    const databaseUrl = await createDatabase(db.url, `bench_${k + 1}`);
    const last = k === sizes.length - 1;
    const backfill = await runBackfill(databaseUrl, head, last);
    if (last) {
      indexer = backfill.indexer;
      livePool = backfill.pool;
    } else {
      await stop(backfill.indexer);
      await backfill.pool.end();
    }
    const blocks = Number(head) - record.deployBlock + 1;
    runs.push({
      events: backfill.events,
      blocks,
      events_per_block: round1(backfill.events / blocks),
      events_per_s: Math.round(backfill.events / backfill.seconds),
      blocks_per_s: Math.round(blocks / backfill.seconds),
      getlogs_events_per_s: Math.round(served.logs / served.getLogsSeconds),
      ratio: round2(backfill.events / backfill.seconds / (served.logs / served.getLogsSeconds)),
      node_events_per_s: Math.round(served.logs / (served.getLogsSeconds + served.headersSeconds)),
      node_blocks_per_s: Math.round(blocks / (served.getLogsSeconds + served.headersSeconds)),
      node_ratio: round2(
        backfill.events / backfill.seconds / (served.logs / (served.getLogsSeconds + served.headersSeconds)),
      ),
      getlogs_requests: served.ranges,
      getlogs_s: round2(served.getLogsSeconds),
      header_requests: served.headerRequests,
      headers_s: round2(served.headersSeconds),
      header_share: round2(served.headersSeconds / (served.getLogsSeconds + served.headersSeconds)),
      headers_without_log_timestamps: served.headersWithoutTimestamps,
      headers_without_log_timestamps_s: round2(served.headersWithoutTimestampsSeconds),
      header_share_without_log_timestamps: round2(
        served.headersWithoutTimestampsSeconds /
          (served.getLogsSeconds + served.headersWithoutTimestampsSeconds),
      ),
      peak_rss_mb: Math.round(backfill.peakMb),
      backfill_s: round1(backfill.seconds),
      indexer_cpu_s: round1(backfill.cpu.indexer),
      node_cpu_backfill_s: round1(backfill.cpu.node),
      node_cpu_alone_s: round1(served.nodeCpuSeconds),
      postgres_cpu_s: round1(backfill.cpu.postgres),
      db_mb: mb(backfill.dbBytes),
      db_mb_per_million_events: mb((backfill.dbBytes / backfill.events) * 1e6),
      load_average: [round2(loadAtStart), round2(loadavg()[0]!)],
    });
    say(`run ${k + 1}: ${JSON.stringify(runs[k])}`);
  }

  // 4. Live: one event per block, mined on send; latency until its checkpoint commits.
  const liveBlocks = Number(values["live-blocks"]);
  const latencies: number[] = [];
  let livePeakMb = 0;
  if (liveBlocks > 0 && indexer && livePool) {
    const pool = livePool;
    await publicClient.request({ method: "evm_setAutomine", params: [true] } as never);
    let nonce = await publicClient.getTransactionCount({ address: governance.address });
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
      while ((await indexedBlock(pool)) < block) await new Promise((r) => setTimeout(r, 2));
      latencies.push(performance.now() - mined);
      const mem = await memoryOf(indexer.pid!);
      if (mem) livePeakMb = Math.max(livePeakMb, mem.peakMb);
    }
    latencies.sort((a, b) => a - b);
  }
  if (indexer) await stop(indexer);
  await livePool?.end();

  const lastRun = runs[runs.length - 1]!;
  const first = runs[0]!;
  const result = {
    ...lastRun,
    live_p50_ms: latencies.length ? round1(percentile(latencies, 50)) : null,
    live_p99_ms: latencies.length ? round1(percentile(latencies, 99)) : null,
    live_blocks: latencies.length,
    live_peak_rss_mb: latencies.length ? Math.round(livePeakMb) : null,
    simulate_s: round1(simulateMs / 1000),
    ...(runs.length > 1
      ? {
          scale: {
            events: runs.map((r) => r.events),
            events_per_s: runs.map((r) => r.events_per_s),
            events_per_s_ratio: round2(lastRun.events_per_s / first.events_per_s),
            peak_rss_mb: runs.map((r) => r.peak_rss_mb),
            peak_rss_ratio: round2(lastRun.peak_rss_mb / first.peak_rss_mb),
          },
          runs,
        }
      : {}),
    load_average: [first.load_average[0]!, round2(loadavg()[0]!)],
    cpus: availableParallelism(),
  };
  console.log(JSON.stringify(result));

  /** The node alone: eth_getLogs over the indexer's adaptive ranges, then the headers the indexer needs for each. */
  async function nodeRate(from: bigint, head: bigint) {
    const fetcher = createLogFetcher({
      rpc,
      address: record.address,
      range: defaults.getLogs,
      retry: defaults.retry,
      logger,
      metrics: createIndexerMetrics(),
    });
    const headers = createHeaderFetcher({
      rpc,
      retry: defaults.retry,
      logger,
      batchSize: defaults.headerBatchSize,
    });
    const headFinal = head - BigInt(defaults.finalityDepth);
    const nodeCpuBefore = (await cpuSecondsOf(node.child.pid!)) ?? 0;
    let logs = 0;
    let ranges = 0;
    let headerRequests = 0;
    let getLogsSeconds = 0;
    let headersSeconds = 0;
    // What a node whose logs carry no timestamps would be asked for: a header per block with logs too.
    const withoutTimestamps: bigint[][] = [];
    for (let n = from; n <= head; ) {
      let since = performance.now();
      const chunk = await fetcher.next(n, head);
      getLogsSeconds += (performance.now() - since) / 1000;
      const { numbers } = headersForRun(chunk.logs, chunk.fromBlock, chunk.toBlock, headFinal);
      since = performance.now();
      await headers.many(numbers);
      headersSeconds += (performance.now() - since) / 1000;
      headerRequests += numbers.length;
      const all = new Set(numbers);
      for (let i = 0; i < chunk.logs.count; i++) all.add(BigInt(chunk.logs.blockNumber(i)));
      withoutTimestamps.push([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      logs += chunk.logs.count;
      ranges++;
      chunk.logs.release();
      n = chunk.toBlock + 1n;
    }
    const nodeCpuSeconds = ((await cpuSecondsOf(node.child.pid!)) ?? 0) - nodeCpuBefore;
    let headersWithoutTimestamps = 0;
    const since = performance.now();
    for (const numbers of withoutTimestamps) {
      await headers.many(numbers);
      headersWithoutTimestamps += numbers.length;
    }
    const headersWithoutTimestampsSeconds = (performance.now() - since) / 1000;
    say(
      `node: ${logs} logs in ${ranges} eth_getLogs, ${round1(getLogsSeconds)} s = ${Math.round(logs / getLogsSeconds)}/s; ${headerRequests} headers ${round2(headersSeconds)} s (${headersWithoutTimestamps} without log timestamps: ${round2(headersWithoutTimestampsSeconds)} s)`,
    );
    return {
      nodeCpuSeconds,
      logs,
      ranges,
      getLogsSeconds,
      headerRequests,
      headersSeconds,
      headersWithoutTimestamps,
      headersWithoutTimestampsSeconds,
    };
  }

  /** A cold backfill by the indexer in a process of its own, into `databaseUrl`, up to `head`. */
  async function runBackfill(databaseUrl: string, head: bigint, keepRunning: boolean) {
    await applyMigrations({ databaseUrl });
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on("error", (error) => say(`database pool error: ${error.message}`));
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      RPC_WS_URL: wsUrl,
      CHAIN_ID: String(record.chainId),
      CONTRACT_ADDRESS: record.address,
      START_BLOCK: String(record.deployBlock),
      OPS_PORT: "0",
      LOG_LEVEL: "warn",
    };
    const child = spawn(process.execPath, [...INDEXER_NODE_FLAGS, path.join(root, "indexer/main.ts")], {
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const started = performance.now();
    const nodeCpuBefore = (await cpuSecondsOf(node.child.pid!)) ?? 0;
    const postmaster = await postmasterPid();
    const postgresCpuBefore = await childrenCpuSecondsOf(postmaster);
    let peakMb = 0;
    while ((await indexedBlock(pool)) < head) {
      // VmHWM is the kernel's high-water mark: polling it misses nothing.
      const mem = await memoryOf(child.pid!);
      if (mem) peakMb = Math.max(peakMb, mem.peakMb);
      if (child.exitCode !== null) throw new Error(`indexer exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = {
      indexer: (await cpuSecondsOf(child.pid!)) ?? 0,
      node: ((await cpuSecondsOf(node.child.pid!)) ?? 0) - nodeCpuBefore,
      postgres: (await childrenCpuSecondsOf(postmaster)) - postgresCpuBefore,
    };
    const mem = await memoryOf(child.pid!);
    if (mem) peakMb = Math.max(peakMb, mem.peakMb);
    const events = Number(
      (await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM event_log")).rows[0]!.n,
    );
    say(
      `backfill: ${events} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)}/s, peak RSS ${peakMb.toFixed(0)} MB`,
    );
    if (!keepRunning) await stop(child);
    // The database's size after the backfill (checkpointed, vacuumed: what a deployment holds at
    // rest): tables, indexes and TOAST of the public schema. Partitions are tables of their own
    // (relkind 'r'); a partitioned parent holds nothing.
    await pool.query("CHECKPOINT");
    await pool.query("VACUUM (ANALYZE)");
    const dbBytes = Number(
      (
        await pool.query<{ bytes: string }>(
          `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')`,
        )
      ).rows[0]!.bytes,
    );
    return { indexer: child, pool, events, seconds, peakMb, dbBytes, cpu };
  }
} finally {
  await stop(node.child);
  await db?.stop();
  await rm(work, { recursive: true, force: true });
}

interface Run {
  events: number;
  blocks: number;
  events_per_block: number;
  events_per_s: number;
  blocks_per_s: number;
  getlogs_events_per_s: number;
  ratio: number;
  node_events_per_s: number;
  node_blocks_per_s: number;
  node_ratio: number;
  getlogs_requests: number;
  getlogs_s: number;
  header_requests: number;
  headers_s: number;
  header_share: number;
  headers_without_log_timestamps: number;
  headers_without_log_timestamps_s: number;
  header_share_without_log_timestamps: number;
  peak_rss_mb: number;
  backfill_s: number;
  indexer_cpu_s: number;
  node_cpu_backfill_s: number;
  node_cpu_alone_s: number;
  postgres_cpu_s: number;
  db_mb: number;
  db_mb_per_million_events: number;
  load_average: number[];
}

/** The PostgreSQL server's main process (the first line of postmaster.pid). */
async function postmasterPid(): Promise<number> {
  const text = await readFile(path.join(db!.dataDir, "postmaster.pid"), "utf8");
  return Number(text.split("\n")[0]);
}

async function indexedBlock(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ b: string }>(
    "SELECT coalesce(max(indexed_block), -1)::text AS b FROM indexer_state",
  );
  return BigInt(rows[0]!.b);
}

/**
 * Simulator sizes for about `perBlock` events per block: one block per simulated hour with
 * actions, over as many days as the target needs; device uploads (a vitals batch is one
 * transaction of many events) a small share, so blocks are not one upload each.
 */
function sparseSizes(events: number, perBlock: number) {
  return {
    slotHours: 1,
    // About one hour in five has no action (nights, quiet days): a quarter more hours than blocks.
    days: Math.min(3660, Math.max(1, Math.ceil((events / perBlock / 24) * 1.25))),
    vitalsShare: 0.2,
    filesFraction: 0,
  };
}
