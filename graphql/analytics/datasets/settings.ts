/**
 * What the dataset releases need from the configuration (graphql/config.ts parses these variables;
 * graphql/server.ts puts them on ctx.settings), with the defaults .env.example documents.
 */
import { z } from "zod";
import type { ApiContext } from "../../context.ts";
import type { ReleaseSchedule } from "./cut-due-releases.ts";
import { RELEASE_PERIOD_KINDS } from "./periods.ts";

export interface DatasetLimits {
  /** Datasets one account may create in a rolling 24 hours. */
  readonly datasetsPerDay: number;
  /** NDJSON exports one account may start in a rolling 24 hours. */
  readonly exportsPerDay: number;
}

export interface DatasetSettings {
  datasetReleases?: ReleaseSchedule & { pollSeconds: number };
  datasetLimits?: DatasetLimits;
}

export const DEFAULT_SCHEDULE = { period: "QUARTER", lagDays: 7, pollSeconds: 60 } as const;
export const DEFAULT_LIMITS: DatasetLimits = { datasetsPerDay: 50, exportsPerDay: 20 };

const count = (max: number) => z.coerce.number().int().min(1).max(max);

/** The API's environment variables for dataset releases (spread into graphql/config.ts's schema). */
export const datasetConfigFields = {
  /** The period each de-identified dataset release covers. */
  ANALYTICS_RELEASE_PERIOD: z.enum(RELEASE_PERIOD_KINDS).default(DEFAULT_SCHEDULE.period),
  /** Days after a period's end before its release is cut (late discharges, diagnoses, files). */
  ANALYTICS_RELEASE_LAG_DAYS: z.coerce.number().int().min(0).max(366).default(DEFAULT_SCHEDULE.lagDays),
  /** How often the API looks for a release that is due. */
  ANALYTICS_RELEASE_POLL_SECONDS: count(86_400).default(DEFAULT_SCHEDULE.pollSeconds),
  ANALYTICS_DATASETS_PER_DAY: count(100_000).default(DEFAULT_LIMITS.datasetsPerDay),
  ANALYTICS_EXPORTS_PER_DAY: count(100_000).default(DEFAULT_LIMITS.exportsPerDay),
};

export function datasetSettingsFrom(config: {
  ANALYTICS_RELEASE_PERIOD: ReleaseSchedule["period"];
  ANALYTICS_RELEASE_LAG_DAYS: number;
  ANALYTICS_RELEASE_POLL_SECONDS: number;
  ANALYTICS_DATASETS_PER_DAY: number;
  ANALYTICS_EXPORTS_PER_DAY: number;
}): Required<DatasetSettings> {
  return {
    datasetReleases: {
      period: config.ANALYTICS_RELEASE_PERIOD,
      lagDays: config.ANALYTICS_RELEASE_LAG_DAYS,
      pollSeconds: config.ANALYTICS_RELEASE_POLL_SECONDS,
    },
    datasetLimits: {
      datasetsPerDay: config.ANALYTICS_DATASETS_PER_DAY,
      exportsPerDay: config.ANALYTICS_EXPORTS_PER_DAY,
    },
  };
}

export const datasetLimitsOf = (ctx: ApiContext): DatasetLimits =>
  (ctx.settings as ApiContext["settings"] & DatasetSettings).datasetLimits ?? DEFAULT_LIMITS;
