/** Resolver map of the analytics schema (schema.ts). Role checks happen in each resolver. */
import type { ApiContext } from "../context.ts";
import { type CaseCountsInput, resolveCaseCounts } from "./aggregates/resolve-case-counts.ts";
import { datasetResolvers } from "./datasets/resolvers.ts";
import { type CaseTrendsInput, resolveCaseTrends } from "./trends/resolve-case-trends.ts";

export const analyticsResolvers = {
  Query: {
    caseCounts: (_: unknown, args: { input: CaseCountsInput }, ctx: ApiContext) =>
      resolveCaseCounts(ctx, args.input),
    caseTrends: (_: unknown, args: { input: CaseTrendsInput }, ctx: ApiContext) =>
      resolveCaseTrends(ctx, args.input),
    ...datasetResolvers.Query,
  },
  Mutation: datasetResolvers.Mutation,
  DatasetRelease: datasetResolvers.DatasetRelease,
  DeidentifiedDataset: datasetResolvers.DeidentifiedDataset,
};
