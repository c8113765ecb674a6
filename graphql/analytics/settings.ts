/**
 * What analytics needs from the server beyond the agreed ApiContext: the dataset secret and an
 * optional epsilon budget, carried on `ctx.settings` (graphql/server.ts builds it from the
 * configuration: ANALYTICS_SECRET, ANALYTICS_EPSILON_BUDGET, ANALYTICS_EPSILON_WINDOW_DAYS).
 */
import { ConfigError, ValidationError } from "../../shared/errors.ts";
import type { ApiContext, ApiSettings } from "../context.ts";
import { MIN_SECRET_BYTES } from "./datasets/pseudonym.ts";
import type { Epsilon } from "./disclosure/discrete-laplace.ts";
import { MAX_EPSILON_MILLI, MIN_EPSILON_MILLI } from "./disclosure/policy.ts";
import type { EpsilonBudget } from "./disclosure/release-log.ts";

export interface AnalyticsSettings {
  /** Server secret the per-dataset pseudonym keys are derived from (>= 32 bytes; only the API holds it). */
  analyticsSecret?: Uint8Array;
  /** Per-viewer epsilon budget over a rolling window; absent: spending is recorded, not capped. */
  analyticsEpsilonBudget?: EpsilonBudget | null;
}

const settingsOf = (ctx: ApiContext) => ctx.settings as ApiSettings & AnalyticsSettings;

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

/** An epsilon from the API: 0.1 .. 2, in steps of 0.001 (it becomes an exact fraction). */
export function parseEpsilon(value: number): Epsilon {
  const milli = Math.round(value * 1000);
  if (!Number.isFinite(value) || Math.abs(value * 1000 - milli) > 1e-6) {
    throw new ValidationError(`epsilon must be a multiple of 0.001, got ${value}`, {
      details: { field: "noise.epsilon" },
    });
  }
  if (milli < MIN_EPSILON_MILLI || milli > MAX_EPSILON_MILLI) {
    throw new ValidationError(
      `epsilon must be between ${MIN_EPSILON_MILLI / 1000} and ${MAX_EPSILON_MILLI / 1000} per release, got ${value}`,
      { details: { field: "noise.epsilon" } },
    );
  }
  return { num: milli, den: 1000 };
}
