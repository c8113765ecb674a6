/** Resolvers of the dataset schema (schema.ts). Role checks happen in each function. */
import type { ApiContext } from "../../context.ts";
import type { PageArgs } from "../../pagination.ts";
import type { DatasetDescription, ReleaseDescription } from "./catalog.ts";
import {
  createDataset,
  datasetById,
  datasetRelease,
  datasetRows,
  datasetUsage,
  ownDatasets,
  releaseById,
  releaseClassPage,
  releases,
  releaseValues,
} from "./resolve-datasets.ts";
import type { DatasetInput } from "./selection.ts";

export const datasetResolvers = {
  Query: {
    datasetReleases: (_: unknown, args: PageArgs, ctx: ApiContext) => releases(ctx, args),
    datasetRelease: (_: unknown, args: { id: string }, ctx: ApiContext) => releaseById(ctx, args.id),
    deidentifiedDataset: (_: unknown, args: { id: string }, ctx: ApiContext) => datasetById(ctx, args.id),
    deidentifiedDatasets: (_: unknown, args: PageArgs, ctx: ApiContext) => ownDatasets(ctx, args),
    datasetUsage: (_: unknown, _args: unknown, ctx: ApiContext) => datasetUsage(ctx),
  },
  Mutation: {
    createDeidentifiedDataset: (_: unknown, args: { input: DatasetInput }, ctx: ApiContext) =>
      createDataset(ctx, args.input),
  },
  DatasetRelease: {
    values: (r: ReleaseDescription, _: unknown, ctx: ApiContext) => releaseValues(ctx, r),
    classes: (r: ReleaseDescription, args: PageArgs, ctx: ApiContext) => releaseClassPage(ctx, r, args),
  },
  DeidentifiedDataset: {
    release: (d: DatasetDescription, _: unknown, ctx: ApiContext) => datasetRelease(ctx, d),
    rows: (d: DatasetDescription, args: PageArgs, ctx: ApiContext) => datasetRows(ctx, d, args),
  },
};
