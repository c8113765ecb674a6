/** The API's Prometheus metrics, in a registry of their own (tests start several servers). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<"operation" | "status">;
  duration: Histogram<"operation">;
  errors: Counter<"code">;
  auditEntries: Counter<"record_type">;
  http: Counter<"route" | "status">;
  /** Reads of chain-derived tables, by where they went (replica or primary). */
  reads: Counter<"target">;
  replicaUp: Gauge;
  replicaLagBytes: Gauge;
}

export function createApiMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "doctel_api_" });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "doctel_api_graphql_requests_total",
      help: "GraphQL requests, by operation name and outcome (ok or the HTTP status)",
      labelNames: ["operation", "status"],
      registers,
    }),
    duration: new Histogram({
      name: "doctel_api_graphql_request_duration_seconds",
      help: "GraphQL request latency, by operation name",
      labelNames: ["operation"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    errors: new Counter({
      name: "doctel_api_graphql_errors_total",
      help: "GraphQL errors, by code",
      labelNames: ["code"],
      registers,
    }),
    auditEntries: new Counter({
      name: "doctel_api_audit_entries_total",
      help: "Access audit log rows written",
      labelNames: ["record_type"],
      registers,
    }),
    http: new Counter({
      name: "doctel_api_http_requests_total",
      help: "HTTP requests outside /graphql, by route and status",
      labelNames: ["route", "status"],
      registers,
    }),
    reads: new Counter({
      name: "doctel_api_db_reads_total",
      help: "Statements reading the chain-derived tables, by target (replica or primary)",
      labelNames: ["target"],
      registers,
    }),
    replicaUp: new Gauge({
      name: "doctel_api_read_replica_up",
      help: "1 while the read replica (READ_DATABASE_URL) answers within READ_REPLICA_MAX_LAG_BYTES, else 0",
      registers,
    }),
    replicaLagBytes: new Gauge({
      name: "doctel_api_read_replica_lag_bytes",
      help: "WAL bytes the read replica's replay is behind the primary, at the last check",
      registers,
    }),
  };
}

/** Operation names come from clients: keep the label set bounded. */
export function createOperationLabeler(max = 200): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return "anonymous";
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return "invalid";
    if (seen.has(name)) return name;
    if (seen.size >= max) return "other";
    seen.add(name);
    return name;
  };
}
