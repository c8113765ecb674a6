import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The indexer's Prometheus metrics, in a registry of their own (tests create one each). */
export interface IndexerMetrics {
  registry: Registry;
  headBlock: Gauge;
  indexedBlock: Gauge;
  finalizedBlock: Gauge;
  lagBlocks: Gauge;
  eventsTotal: Counter<"event">;
  eventsPerSecond: Gauge;
  reorgsTotal: Counter;
  reorgDepth: Histogram;
  rpcRequests: Counter<"method" | "outcome">;
  rpcDuration: Histogram<"method">;
  getLogsRange: Gauge;
  batchDuration: Histogram;
  batchEvents: Histogram;
  /** Failures that stopped indexing (then retried from the checkpoint, or fatal), by code. */
  errorsTotal: Counter<"code">;
  /** 1 while this process leads (indexes), 0 while it waits as a standby. */
  leader: Gauge;
  /** Times this process took the lead. */
  leadershipsTotal: Counter;
  /** Idle database connections that failed (the pool replaces them). */
  poolErrorsTotal: Counter<"pool">;
  /** Last event sequence number committed (the contract numbers every event). */
  eventSequence: Gauge;
  /** doctel_indexer_ready, _healthy and _lag_alarm are read from `source` when scraped. */
  watchHealth(source: () => { ready: boolean; healthy: boolean; lagAlarm: boolean }): void;
}

export function createIndexerMetrics(options: { defaultMetrics?: boolean } = {}): IndexerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "doctel_indexer_" });
  const registers = [registry];
  let healthSource: (() => { ready: boolean; healthy: boolean; lagAlarm: boolean }) | null = null;
  const fromHealth = (name: string, help: string, key: "ready" | "healthy" | "lagAlarm") =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        if (healthSource) this.set(healthSource()[key] ? 1 : 0);
      },
    });
  fromHealth("doctel_indexer_ready", "1 when /ready answers 200", "ready");
  fromHealth("doctel_indexer_healthy", "1 when /health answers 200 (no failure being retried)", "healthy");
  fromHealth(
    "doctel_indexer_lag_alarm",
    "1 while the index lags the head by more than READY_LAG_BLOCKS for over READY_LAG_MS",
    "lagAlarm",
  );
  return {
    registry,
    headBlock: new Gauge({
      name: "doctel_indexer_head_block",
      help: "Latest block number seen on the node",
      registers,
    }),
    indexedBlock: new Gauge({
      name: "doctel_indexer_indexed_block",
      help: "Last block committed to the database",
      registers,
    }),
    finalizedBlock: new Gauge({
      name: "doctel_indexer_finalized_block",
      help: "Last block considered final",
      registers,
    }),
    lagBlocks: new Gauge({
      name: "doctel_indexer_lag_blocks",
      help: "Head block minus indexed block",
      registers,
    }),
    eventsTotal: new Counter({
      name: "doctel_indexer_events_total",
      help: "DocTel events committed, by event name",
      labelNames: ["event"],
      registers,
    }),
    eventsPerSecond: new Gauge({
      name: "doctel_indexer_events_per_second",
      help: "Events committed per second over the last batches",
      registers,
    }),
    reorgsTotal: new Counter({
      name: "doctel_indexer_reorgs_total",
      help: "Chain reorganizations handled",
      registers,
    }),
    reorgDepth: new Histogram({
      name: "doctel_indexer_reorg_depth_blocks",
      help: "Blocks rolled back per reorganization",
      buckets: [1, 2, 3, 5, 8, 13, 21, 34, 64, 128],
      registers,
    }),
    rpcRequests: new Counter({
      name: "doctel_indexer_rpc_requests_total",
      help: "JSON-RPC requests, by method and outcome (ok or the error class)",
      labelNames: ["method", "outcome"],
      registers,
    }),
    rpcDuration: new Histogram({
      name: "doctel_indexer_rpc_duration_seconds",
      help: "JSON-RPC request duration",
      labelNames: ["method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    getLogsRange: new Gauge({
      name: "doctel_indexer_getlogs_range_blocks",
      help: "Current eth_getLogs block range",
      registers,
    }),
    batchDuration: new Histogram({
      name: "doctel_indexer_batch_write_seconds",
      help: "Time to commit one batch of events",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    batchEvents: new Histogram({
      name: "doctel_indexer_batch_events",
      help: "Events per committed batch",
      buckets: [1, 10, 100, 1000, 5000, 10000, 25000, 50000],
      registers,
    }),
    errorsTotal: new Counter({
      name: "doctel_indexer_errors_total",
      help: "Failures that interrupted indexing (a failed write, the node or database gone), by error code",
      labelNames: ["code"],
      registers,
    }),
    leader: new Gauge({
      name: "doctel_indexer_leader",
      help: "1 while this process leads, 0 while it waits as a hot standby",
      registers,
    }),
    leadershipsTotal: new Counter({
      name: "doctel_indexer_leaderships_total",
      help: "Times this process took the lead",
      registers,
    }),
    poolErrorsTotal: new Counter({
      name: "doctel_indexer_pool_errors_total",
      help: "Idle database connections that failed, by pool",
      labelNames: ["pool"],
      registers,
    }),
    eventSequence: new Gauge({
      name: "doctel_indexer_event_sequence",
      help: "Last contract event sequence number committed",
      registers,
    }),
    watchHealth(fn) {
      healthSource = fn;
    },
  };
}
