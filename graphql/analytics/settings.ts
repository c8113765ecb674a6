/**
 * What analytics needs from the server beyond the agreed ApiContext: the dataset secret and an
 * optional epsilon budget, carried on `ctx.settings` (graphql/server.ts builds it from the
 * configuration: ANALYTICS_SECRET, ANALYTICS_EPSILON_BUDGET, ANALYTICS_EPSILON_WINDOW_DAYS).
 */
import { ConfigError } from "../../shared/errors.ts";
import type { ApiContext, ApiSettings } from "../context.ts";
import { MIN_SECRET_BYTES } from "./datasets/pseudonym.ts";
import type { EpsilonBudget } from "./disclosure/release-log.ts";
import type { NoiseBudget } from "./noise/budget.ts";
import type { PublicationSettings } from "./publications/publish.ts";

export interface AnalyticsSettings {
  /** Server secret the per-dataset pseudonym keys are derived from (>= 32 bytes; only the API holds it). */
  analyticsSecret?: Uint8Array;
  /** Per-viewer epsilon budget over a rolling window (dataset releases); absent: recorded, not capped. */
  analyticsEpsilonBudget?: EpsilonBudget | null;
  /** The deployment's publication calendar: one week system, and the lag after a week closes. */
  publications?: PublicationSettings;
  /** The privacy budget of noisy answers, per week of data (noise/budget.ts). */
  noiseBudget?: NoiseBudget;
}

export const DEFAULT_PUBLICATION_SETTINGS: PublicationSettings = { system: "ISO", lagDays: 2 };

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

export const epsilonBudgetOf = (ctx: ApiContext): EpsilonBudget | null =>
  settingsOf(ctx).analyticsEpsilonBudget ?? null;
