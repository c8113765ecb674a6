/**
 * Analytics for public health and research (graphql/analytics-bridge.ts composes it into the API):
 *
 * - `analyticsTypeDefs`: SDL extending Query and Mutation (schema.ts);
 * - `analyticsResolvers`: PUBLIC_HEALTH reads suppressed (optionally noisy) aggregates from the
 *   rollups, ANALYST builds and reads k-anonymous datasets;
 * - `analyticsExportHandler(req, res, ctx)`: GET /export/datasets/<id>.ndjson, streamed.
 *
 * Needs from ctx.settings (settings.ts): `analyticsSecret` (datasets) and optionally
 * `analyticsEpsilonBudget`. Tables: analytics_release, analytics_dataset, analytics_dataset_row.
 */
export { analyticsExportHandler, createDatasetExportHandler } from "./export/ndjson-export.ts";
export { analyticsResolvers } from "./resolvers.ts";
export { analyticsTypeDefs } from "./schema.ts";
export type { AnalyticsSettings } from "./settings.ts";
