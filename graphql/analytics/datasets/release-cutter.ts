/**
 * The release cutter's own small trigger: `cutDueReleases` once at start and then every
 * `pollSeconds`. A run never overlaps the previous one in this process, and the advisory lock
 * keeps other replicas out. A failed run is logged loudly and counted; the next tick retries.
 * (The lead unifies this with the publications' scheduler at merge.)
 */
import type { Pool } from "pg";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../../../shared/logger.ts";
import type { AnalyticsSettings } from "../settings.ts";
import { type CutContext, cutDueReleases } from "./cut-due-releases.ts";
import { MIN_SECRET_BYTES } from "./pseudonym.ts";
import { type DatasetSettings, DEFAULT_SCHEDULE } from "./settings.ts";

export interface ReleaseCutter {
  /** Runs now (or joins the run in progress); resolves with the number of releases cut. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export interface ReleaseCutterArgs extends CutContext {
  readonly pollSeconds: number;
  readonly registry?: Registry;
}

export function startReleaseCutter(args: ReleaseCutterArgs): ReleaseCutter {
  const logger: Logger = args.logger.child({ component: "release-cutter" });
  const registers = args.registry ? [args.registry] : [];
  const cuts = new Counter({
    name: "doctel_api_dataset_releases_cut_total",
    help: "Dataset releases cut by this process",
    registers,
  });
  const failures = new Counter({
    name: "doctel_api_dataset_release_cut_failures_total",
    help: "Runs of the dataset release cutter that failed (retried at the next poll)",
    registers,
  });
  let running: Promise<number> | null = null;
  let stopped = false;

  const runOnce = (): Promise<number> => {
    running ??= cutDueReleases({ ...args, logger })
      .then((outcome) => {
        cuts.inc(outcome.cut.length);
        return outcome.cut.length;
      })
      .catch((error: unknown) => {
        failures.inc();
        logger.error({ err: error }, "cutting dataset releases failed; retrying at the next poll");
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => {
    if (!stopped) void runOnce();
  }, args.pollSeconds * 1000);
  timer.unref();
  void runOnce();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** What the server hands to the analytics jobs. */
export interface JobContext {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly settings: object;
  readonly registry?: Registry;
}

/**
 * Starts the release cutter when the server has a dataset secret (without one there are no
 * pseudonyms, so no releases: said once in the log). Returns what stops it.
 */
export function startDatasetJobs(ctx: JobContext): { stop(): Promise<void> } {
  const settings = ctx.settings as AnalyticsSettings & DatasetSettings;
  const secret = settings.analyticsSecret;
  if (!secret || secret.length < MIN_SECRET_BYTES) {
    ctx.logger.warn("ANALYTICS_SECRET is not set: no de-identified dataset releases are cut");
    return { stop: async () => undefined };
  }
  const schedule = settings.datasetReleases ?? DEFAULT_SCHEDULE;
  return startReleaseCutter({
    pool: ctx.pool,
    logger: ctx.logger,
    secret,
    schedule: { period: schedule.period, lagDays: schedule.lagDays },
    pollSeconds: schedule.pollSeconds,
    ...(ctx.registry ? { registry: ctx.registry } : {}),
  });
}
