/**
 * What analytics needs from the server beyond the agreed ApiContext, carried on `ctx.settings`
 * (graphql/server.ts builds it from the configuration: ANALYTICS_SECRET, EPI_WEEK_SYSTEM,
 * PUBLICATION_LAG_DAYS, NOISE_EPSILON_PER_WEEK[_PER_ACCOUNT]).
 */
import { z } from "zod";
import { ConfigError } from "../../shared/errors.ts";
import type { ApiContext, ApiSettings } from "../context.ts";
import { MIN_SECRET_BYTES } from "./datasets/pseudonym.ts";
import { DEFAULT_NOISE_BUDGET, type NoiseBudget } from "./noise/budget.ts";
import type { PublicationSettings } from "./publications/publish.ts";

export interface AnalyticsSettings {
  /** Server secret the per-dataset pseudonym keys are derived from (>= 32 bytes; only the API holds it). */
  analyticsSecret?: Uint8Array;
  /** The deployment's publication calendar: one week system, and the lag after a week closes. */
  publications?: PublicationSettings;
  /** The privacy budget of noisy answers, per week of data (noise/budget.ts). */
  noiseBudget?: NoiseBudget;
}

export const DEFAULT_PUBLICATION_SETTINGS: PublicationSettings = { system: "ISO", lagDays: 2 };

/** The API's environment variables for publications and noisy answers (spread into graphql/config.ts's schema). */
export const publicationConfigFields = {
  /** The deployment's one week system (never both). */
  EPI_WEEK_SYSTEM: z.enum(["ISO", "MMWR"]).default(DEFAULT_PUBLICATION_SETTINGS.system),
  /** Days after a week closes before it is published (late diagnoses after that: noisy answers only). */
  PUBLICATION_LAG_DAYS: z.coerce.number().int().min(0).max(60).default(DEFAULT_PUBLICATION_SETTINGS.lagDays),
  /** Seconds between checks for weeks due; 0 turns the in-process publication job off. */
  PUBLICATION_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Privacy budget of noisy answers per week of data, for all time: the deployment, and one account. */
  NOISE_EPSILON_PER_WEEK: z.coerce
    .number()
    .positive()
    .max(10)
    .default(DEFAULT_NOISE_BUDGET.deploymentEpsilonPerWeek),
  NOISE_EPSILON_PER_WEEK_PER_ACCOUNT: z.coerce
    .number()
    .positive()
    .max(10)
    .default(DEFAULT_NOISE_BUDGET.accountEpsilonPerWeek),
};

export function publicationSettingsFrom(
  config: z.output<z.ZodObject<typeof publicationConfigFields>>,
): Required<Pick<AnalyticsSettings, "publications" | "noiseBudget">> {
  return {
    publications: { system: config.EPI_WEEK_SYSTEM, lagDays: config.PUBLICATION_LAG_DAYS },
    noiseBudget: {
      deploymentEpsilonPerWeek: config.NOISE_EPSILON_PER_WEEK,
      accountEpsilonPerWeek: config.NOISE_EPSILON_PER_WEEK_PER_ACCOUNT,
    },
  };
}

export const publicationSettingsOf = (ctx: ApiContext): PublicationSettings =>
  settingsOf(ctx).publications ?? DEFAULT_PUBLICATION_SETTINGS;

const settingsOf = (ctx: ApiContext) => ctx.settings as ApiSettings & AnalyticsSettings;
export const settingsOfAnalytics = settingsOf;

export function datasetSecretOf(ctx: ApiContext): Uint8Array {
  const secret = settingsOf(ctx).analyticsSecret;
  if (!secret || secret.length < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `de-identified datasets need ANALYTICS_SECRET (at least ${MIN_SECRET_BYTES} bytes)`,
    );
  }
  return secret;
}
