/**
 * Analytics for public health and research (graphql/analytics-bridge.ts composes it into the API):
 *
 * - `analyticsTypeDefs`: SDL extending Query and Mutation (schema.ts);
 * - `analyticsResolvers`: PUBLIC_HEALTH reads suppressed (optionally noisy) aggregates from the
 *   rollups, ANALYST reads de-identified releases and selects datasets from them;
 * - `analyticsExportHandler(req, res, ctx)`: GET /export/datasets/<id>.ndjson, streamed.
 *
 * - `startAnalyticsJobs(args)`: the dataset release cutter (datasets/release-cutter.ts).
 *
 * Needs from ctx.settings (settings.ts): `analyticsSecret` (datasets) and optionally
 * `analyticsEpsilonBudget`; datasets/settings.ts: the release schedule and per-account limits.
 * Tables: analytics_release; dataset_release, dataset_release_class, dataset_release_row,
 * dataset_selection, dataset_export.
 */

export { startDatasetJobs as startAnalyticsJobs } from "./datasets/release-cutter.ts";
export { analyticsExportHandler, createDatasetExportHandler } from "./export/ndjson-export.ts";
export { analyticsResolvers } from "./resolvers.ts";
export { analyticsTypeDefs } from "./schema.ts";
export type { AnalyticsSettings } from "./settings.ts";
