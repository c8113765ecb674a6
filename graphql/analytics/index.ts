/**
 * Analytics for public health and research, composed statically into the API (graphql/server.ts):
 *
 * - `analyticsTypeDefs`: SDL extending Query and Mutation;
 * - `analyticsResolvers`: PUBLIC_HEALTH reads the published, audited weekly lattice (publications/)
 *   and asks differentially private questions under a budget (noise/); ANALYST reads de-identified
 *   dataset releases and selects datasets from them (datasets/);
 * - `analyticsExportHandler(req, res, ctx)`: GET /export/datasets/<id>.ndjson, streamed;
 * - `startAnalyticsJobs(args)`: the publication job and the dataset release job, on one scheduler
 *   (jobs.ts).
 *
 * Needs from ctx.settings (settings.ts): `analyticsSecret` (datasets), `publications`,
 * `noiseBudget`; datasets/settings.ts: the release schedule and per-account limits.
 */
import { noiseTypeDefs } from "./noise/schema.ts";
import { publicationTypeDefs } from "./publications/schema.ts";
import { analyticsTypeDefs as sharedTypeDefs } from "./schema.ts";

export { analyticsExportHandler, createDatasetExportHandler } from "./export/ndjson-export.ts";
export { type AnalyticsJobs, startAnalyticsJobs } from "./jobs.ts";
export { analyticsResolvers } from "./resolvers.ts";
export { type AnalyticsSettings, publicationSettingsFrom } from "./settings.ts";

export const analyticsTypeDefs: readonly string[] = [publicationTypeDefs, noiseTypeDefs, sharedTypeDefs];
