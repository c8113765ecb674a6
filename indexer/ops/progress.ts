import type { Logger } from "../../shared/logger.ts";

/**
 * A progress line during backfill: blocks done / total, events/s, ETA. Logged at most every
 * `intervalMs`, and only while far from the head.
 */
export interface ProgressReporter {
  update(indexedBlock: bigint, headBlock: bigint, events: number): void;
}

export function createProgressReporter(args: {
  logger: Logger;
  startBlock: bigint;
  intervalMs: number;
  minLag: number;
}): ProgressReporter {
  const startedAt = performance.now();
  let lastLog = startedAt;
  let totalEvents = 0;
  let windowEvents = 0;
  let windowStart = startedAt;
  let rate = 0;
  return {
    update(indexed, head, events) {
      totalEvents += events;
      windowEvents += events;
      const now = performance.now();
      if (now - windowStart >= 1000) {
        rate = (windowEvents * 1000) / (now - windowStart);
        windowEvents = 0;
        windowStart = now;
      }
      if (now - lastLog < args.intervalMs) return;
      if (Number(head - indexed) < args.minLag) return;
      lastLog = now;
      const total = head - args.startBlock;
      const done = indexed - args.startBlock;
      const blocksPerSecond = Number(done) / ((now - startedAt) / 1000);
      const etaSeconds = blocksPerSecond > 0 ? Math.round(Number(head - indexed) / blocksPerSecond) : null;
      args.logger.info(
        {
          blocks_done: done.toString(),
          blocks_total: total.toString(),
          percent: total > 0n ? Math.round((Number(done) / Number(total)) * 1000) / 10 : 100,
          events: totalEvents,
          events_per_s: Math.round(rate),
          eta_s: etaSeconds,
        },
        "backfill progress",
      );
    },
  };
}
