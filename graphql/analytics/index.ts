/**
 * Analytics for public health and research, composed statically into the API (graphql/server.ts):
 *
 * - `analyticsTypeDefs`: SDL extending Query and Mutation;
 * - `analyticsResolvers`: PUBLIC_HEALTH reads the published, audited weekly lattice (publications/)
 *   and asks differentially private questions under a budget (noise/); ANALYST builds and reads
 *   k-anonymous datasets (datasets/);
 * - `analyticsExportHandler(req, res, ctx)`: GET /export/datasets/<id>.ndjson, streamed;
 * - `createPublicationJob`: the periodic job that publishes each closed week.
 *
 * Needs from ctx.settings (settings.ts): `analyticsSecret` (datasets), `publications`, `noiseBudget`.
 */
import { noiseTypeDefs } from "./noise/schema.ts";
import { publicationTypeDefs } from "./publications/schema.ts";
import { analyticsTypeDefs as datasetTypeDefs } from "./schema.ts";

export { analyticsExportHandler, createDatasetExportHandler } from "./export/ndjson-export.ts";
export { createPublicationJob } from "./publications/job.ts";
export { analyticsResolvers } from "./resolvers.ts";
export type { AnalyticsSettings } from "./settings.ts";

export const analyticsTypeDefs: readonly string[] = [publicationTypeDefs, noiseTypeDefs, datasetTypeDefs];
