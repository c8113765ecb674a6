/**
 * The dataset release job: on the API's one scheduler (schedule/periodic-job.ts), under
 * RELEASE_LOCK, it cuts every release that is due (cut-due-releases.ts) at start and then every
 * ANALYTICS_RELEASE_POLL_SECONDS. Replicas share the work through the lock; a failed run is
 * logged and counted, and the next tick retries.
 */
import { Counter, type Registry } from "prom-client";
import { createPeriodicJob, type PeriodicJob } from "../schedule/periodic-job.ts";
import { type CutContext, cutDueReleasesLocked, RELEASE_LOCK } from "./cut-due-releases.ts";

export interface ReleaseJobArgs extends CutContext {
  readonly intervalMs: number;
  readonly registry?: Registry;
}

/** The job; the caller starts and stops it. `runOnce` resolves with the releases cut. */
export function createReleaseJob(args: ReleaseJobArgs): PeriodicJob<number> {
  const registers = args.registry ? [args.registry] : [];
  const cuts = new Counter({
    name: "doctel_api_dataset_releases_cut_total",
    help: "Dataset releases cut by this process",
    registers,
  });
  const failures = new Counter({
    name: "doctel_api_dataset_release_cut_failures_total",
    help: "Runs of the dataset release job that failed (retried at the next poll)",
    registers,
  });
  return createPeriodicJob({
    name: "dataset-releases",
    pool: args.pool,
    lockKey: RELEASE_LOCK,
    intervalMs: args.intervalMs,
    logger: args.logger,
    run: async (signal) => (await cutDueReleasesLocked(args, signal)).length,
    onTick(result) {
      if (result.kind === "ran") cuts.inc(result.value);
      else if (result.kind === "failed") failures.inc();
    },
  });
}
