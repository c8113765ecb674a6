/**
 * The publication job: in every API process, a periodic job (schedule/periodic-job.ts) that, under
 * the `doctel:publications` advisory lock, publishes every week that is due (publish.ts). Only one
 * replica publishes at a time; the others skip the tick. The work runs in a worker thread
 * (worker.ts) so the LP audit never stalls requests; `inProcess` runs it on the caller's pool
 * instead (tests, the benchmark).
 *
 * Publication times depend only on the calendar (a week's end plus the lag, then the next tick),
 * never on the data, so when a week appears tells nobody anything about its counts.
 */
import { Worker } from "node:worker_threads";
import type { Pool } from "pg";
import type { Logger } from "../../../shared/logger.ts";
import {
  createPeriodicJob,
  type LockOutcome,
  type PeriodicJob,
  withAdvisoryLock,
} from "../schedule/periodic-job.ts";
import {
  dueWeeks,
  type PublicationSettings,
  type PublishDueArgs,
  type PublishedNode,
  publishDue,
} from "./publish.ts";
import type { WorkerInput, WorkerMessage } from "./worker.ts";

export const PUBLICATION_LOCK = "doctel:publications";

export interface PublicationJobArgs {
  pool: Pool;
  databaseUrl: string;
  settings: PublicationSettings;
  logger: Logger;
  intervalMs: number;
  /** Publish on `pool` in this thread (default: in a worker thread). */
  inProcess?: boolean;
  /** Wall clock (injected in tests). */
  now?: () => Date;
}

/** The job's default "now": no wall-clock limit; the index's finalized chain time alone decides (publish.ts). */
export const NO_WALL_CLOCK_LIMIT = new Date(8.64e15);

export interface PublicationSummary {
  nodes: number;
}

function inWorker(args: PublicationJobArgs, now: Date): Promise<PublicationSummary> {
  return new Promise((resolve, reject) => {
    const input: WorkerInput = {
      databaseUrl: args.databaseUrl,
      settings: args.settings,
      nowMs: now.getTime(),
    };
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { workerData: input });
    let nodes = 0;
    let failure: Error | null = null;
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "published") {
        nodes++;
        args.logger.info(
          {
            level_name: m.level,
            label: m.label,
            cells: m.cells,
            suppressed_cells: m.suppressedCells,
            duration_ms: m.durationMs,
          },
          "published",
        );
      } else if (m.kind === "failed") {
        failure = new Error(`publication failed: ${m.name}: ${m.message}`);
      }
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`the publication worker exited with code ${code}`));
      else resolve({ nodes });
    });
  });
}

export function createPublicationJob(args: PublicationJobArgs): PeriodicJob<PublicationSummary> {
  const now = args.now ?? (() => NO_WALL_CLOCK_LIMIT);
  return createPeriodicJob({
    name: "publications",
    pool: args.pool,
    lockKey: PUBLICATION_LOCK,
    intervalMs: args.intervalMs,
    logger: args.logger,
    async run(signal) {
      // Cheap check first (two queries): a worker thread only when a week is due.
      const due = await dueWeeks({
        pool: args.pool,
        settings: args.settings,
        logger: args.logger,
        now: now(),
      });
      if (due.length === 0) return { nodes: 0 };
      if (!args.inProcess) return inWorker(args, now());
      const published: PublishedNode[] = await publishDue({
        pool: args.pool,
        settings: args.settings,
        logger: args.logger,
        now: now(),
        signal,
      });
      return { nodes: published.length };
    },
  });
}

/**
 * Publishes what is due now, in this thread, under the job's lock (`locked: false` while another
 * session, such as an API's job, is publishing): for tests and commands, as cutDueReleases is.
 */
export function publishDueNow(
  args: Omit<PublishDueArgs, "now"> & { now?: Date },
): Promise<LockOutcome<PublishedNode[]>> {
  return withAdvisoryLock(args.pool, PUBLICATION_LOCK, () =>
    publishDue({ ...args, now: args.now ?? NO_WALL_CLOCK_LIMIT }),
  );
}
