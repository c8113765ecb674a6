import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface VerifyMetrics {
  /** Results written, by status (VERIFIED, INVALID, UNAVAILABLE). */
  outcomes: Counter<"status">;
  /** UNAVAILABLE results that used the last attempt: the CID now waits for an operator. */
  exhausted: Counter;
  /** Time to verify one file, by status. */
  duration: Histogram<"status">;
  /** File bytes that passed verification. */
  bytes: Counter;
  /** Queue rows by state: pending, retrying, exhausted, due. */
  queue: Gauge<"state">;
  /** Files being verified now. */
  inFlight: Gauge;
  /** Results discarded because the row's lease had run out or the row was requeued meanwhile. */
  leaseLost: Counter;
}

/** Registers the verifier's metrics on `registry` (or reuses them if already registered there). */
export function createVerifyMetrics(registry: Registry): VerifyMetrics {
  const reuse = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  const registers = [registry];
  return {
    outcomes: reuse(
      "doctel_verify_outcomes_total",
      () =>
        new Counter({
          name: "doctel_verify_outcomes_total",
          help: "CID verification results written, by status",
          labelNames: ["status"],
          registers,
        }),
    ),
    exhausted: reuse(
      "doctel_verify_exhausted_total",
      () =>
        new Counter({
          name: "doctel_verify_exhausted_total",
          help: "CIDs still unavailable after the last attempt, left for an operator to requeue",
          registers,
        }),
    ),
    duration: reuse(
      "doctel_verify_duration_seconds",
      () =>
        new Histogram({
          name: "doctel_verify_duration_seconds",
          help: "Time to verify one CID, by status",
          labelNames: ["status"],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
          registers,
        }),
    ),
    bytes: reuse(
      "doctel_verify_bytes_total",
      () => new Counter({ name: "doctel_verify_bytes_total", help: "File bytes verified", registers }),
    ),
    queue: reuse(
      "doctel_verify_queue_rows",
      () =>
        new Gauge({
          name: "doctel_verify_queue_rows",
          help: "Verification queue rows by state (pending, retrying, exhausted, due)",
          labelNames: ["state"],
          registers,
        }),
    ),
    inFlight: reuse(
      "doctel_verify_in_flight",
      () => new Gauge({ name: "doctel_verify_in_flight", help: "CIDs being verified now", registers }),
    ),
    leaseLost: reuse(
      "doctel_verify_lease_lost_total",
      () =>
        new Counter({
          name: "doctel_verify_lease_lost_total",
          help: "Verification results discarded because the row's lease ran out or it was requeued",
          registers,
        }),
    ),
  };
}
