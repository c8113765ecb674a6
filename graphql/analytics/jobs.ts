/**
 * The API's background analytics work, both on the one scheduler (schedule/periodic-job.ts), each
 * under its own advisory lock so that replicas share it:
 *
 * - the weekly publications (publications/job.ts), every PUBLICATION_INTERVAL_SECONDS (0: off);
 * - the de-identified dataset releases (datasets/release-job.ts), every
 *   ANALYTICS_RELEASE_POLL_SECONDS, when the server has a dataset secret (without one there are
 *   no pseudonyms, so no releases: said once in the log).
 */
import type { Pool } from "pg";
import type { Registry } from "prom-client";
import type { Logger } from "../../shared/logger.ts";
import { MIN_SECRET_BYTES } from "./datasets/pseudonym.ts";
import { createReleaseJob } from "./datasets/release-job.ts";
import { type DatasetSettings, DEFAULT_SCHEDULE } from "./datasets/settings.ts";
import { createPublicationJob } from "./publications/job.ts";
import type { PeriodicJob } from "./schedule/periodic-job.ts";
import { type AnalyticsSettings, DEFAULT_PUBLICATION_SETTINGS } from "./settings.ts";

export interface AnalyticsJobsArgs {
  /** The primary (the jobs write the API's tables). */
  readonly pool: Pool;
  /** The primary's URL, for the publication worker thread's own pool. */
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly settings: AnalyticsSettings & DatasetSettings;
  /** Seconds between checks for due weeks; 0 turns the publication job off. */
  readonly publicationIntervalSeconds: number;
  readonly registry?: Registry;
}

export interface AnalyticsJobs {
  readonly publications: PeriodicJob<{ nodes: number }> | null;
  readonly releases: PeriodicJob<number> | null;
  /** Stops both and waits for the ticks under way. */
  stop(): Promise<void>;
}

export function startAnalyticsJobs(args: AnalyticsJobsArgs): AnalyticsJobs {
  const { settings, logger } = args;
  const publications =
    args.publicationIntervalSeconds > 0
      ? createPublicationJob({
          pool: args.pool,
          databaseUrl: args.databaseUrl,
          settings: settings.publications ?? DEFAULT_PUBLICATION_SETTINGS,
          logger: logger.child({ component: "publications" }),
          intervalMs: args.publicationIntervalSeconds * 1000,
        })
      : null;
  const secret = settings.analyticsSecret;
  let releases: PeriodicJob<number> | null = null;
  if (!secret || secret.length < MIN_SECRET_BYTES) {
    logger.warn("ANALYTICS_SECRET is not set: no de-identified dataset releases are cut");
  } else {
    const schedule = settings.datasetReleases ?? DEFAULT_SCHEDULE;
    releases = createReleaseJob({
      pool: args.pool,
      logger: logger.child({ component: "dataset-releases" }),
      secret,
      schedule: { period: schedule.period, lagDays: schedule.lagDays },
      intervalMs: schedule.pollSeconds * 1000,
      ...(args.registry ? { registry: args.registry } : {}),
    });
  }
  publications?.start();
  releases?.start();
  return {
    publications,
    releases,
    async stop() {
      await Promise.all([publications?.stop(), releases?.stop()]);
    },
  };
}
