/** Resolver map of the analytics schema (schema.ts). Role checks happen in each resolver. */
import type { ApiContext } from "../context.ts";
import { type CaseCountsInput, resolveCaseCounts } from "./aggregates/resolve-case-counts.ts";
import type { DatasetDescription } from "./datasets/catalog.ts";
import type { DatasetInput } from "./datasets/params.ts";
import { createDataset, datasetById, datasetRows, ownDatasets } from "./datasets/resolve-datasets.ts";
import { type CaseTrendsInput, resolveCaseTrends } from "./trends/resolve-case-trends.ts";

type PageArgs = { first?: number | null; after?: string | null };

export const analyticsResolvers = {
  Query: {
    caseCounts: (_: unknown, args: { input: CaseCountsInput }, ctx: ApiContext) =>
      resolveCaseCounts(ctx, args.input),
    caseTrends: (_: unknown, args: { input: CaseTrendsInput }, ctx: ApiContext) =>
      resolveCaseTrends(ctx, args.input),
    deidentifiedDataset: (_: unknown, args: { id: string }, ctx: ApiContext) => datasetById(ctx, args.id),
    deidentifiedDatasets: (_: unknown, args: PageArgs, ctx: ApiContext) => ownDatasets(ctx, args),
  },
  Mutation: {
    createDeidentifiedDataset: (_: unknown, args: { input: DatasetInput }, ctx: ApiContext) =>
      createDataset(ctx, args.input),
  },
  DeidentifiedDataset: {
    definition: (d: DatasetDescription) => ({
      ...d.definition,
      regionStates: d.definition.region?.states ?? null,
      regionDistricts: d.definition.region?.districts ?? null,
    }),
    rows: (d: DatasetDescription, args: PageArgs, ctx: ApiContext) => datasetRows(ctx, d, args),
  },
};
