/**
 * Dataset releases and datasets for ANALYST: list releases and their classes, create a dataset
 * (a selection of whole classes of one release, within the account's limit), read its rows page
 * by page. Creating a dataset and every page of rows are recorded in the access audit log.
 */
import DataLoader from "dataloader";
import { NotFoundError, ValidationError } from "../../../shared/errors.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext, Viewer } from "../../context.ts";
import { decodeCursor, type PageArgs, pageSize, toConnection } from "../../pagination.ts";
import {
  classesByNumber,
  classesOfReleases,
  classesPage,
  type DatasetDescription,
  findOwnDataset,
  isUuid,
  latestReleaseWithRows,
  listOwnDatasets,
  listReleases,
  type ReleaseClass,
  type ReleaseDescription,
  releasesByIds,
} from "./catalog.ts";
import { createDatasetWithinLimit, usageOf } from "./limits.ts";
import { readRowsAfter, regionOf, toDatasetRow } from "./rows.ts";
import { type DatasetInput, parseSelection, selectClasses, seqRanges } from "./selection.ts";
import { datasetLimitsOf } from "./settings.ts";

export const requireAnalyst = (ctx: ApiContext, what: string): Viewer => requireRole(ctx, ["ANALYST"], what);

const badCursor = () => new ValidationError("invalid cursor: pass back an endCursor from a previous page");

interface DatasetLoaders {
  release: DataLoader<string, ReleaseDescription | null>;
  classes: DataLoader<string, ReleaseClass[]>;
}

/** Per-request loaders: a page of releases or datasets reads their releases and classes in one statement each. */
const loaders = new WeakMap<ApiContext, DatasetLoaders>();

function loadersOf(ctx: ApiContext): DatasetLoaders {
  let l = loaders.get(ctx);
  if (!l) {
    l = {
      release: new DataLoader((ids) => releasesByIds(ctx.prisma, ids)),
      classes: new DataLoader((ids) => classesOfReleases(ctx.prisma, ids)),
    };
    loaders.set(ctx, l);
  }
  return l;
}

// ------------------------------------------------------------------------------------- releases

export async function releases(ctx: ApiContext, args: PageArgs) {
  requireAnalyst(ctx, "listing dataset releases");
  const size = pageSize(args, ctx.settings);
  let after: string | null = null;
  if (args.after) {
    const [from] = decodeCursor(args.after, 1);
    if (typeof from !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(from)) throw badCursor();
    after = from;
  }
  const rows = await listReleases(ctx.prisma, size + 1, after);
  return toConnection(rows, size, (r) => [r.from]);
}

export async function releaseById(ctx: ApiContext, id: string): Promise<ReleaseDescription | null> {
  requireAnalyst(ctx, "reading a dataset release");
  return loadersOf(ctx).release.load(id);
}

export interface ClassNode {
  number: number;
  ageBand: string;
  sex: string;
  region: ReturnType<typeof regionOf>;
  period: string;
  rows: number;
  diagnoses: number;
  informationLoss: number;
}

const toClassNode = (c: ReleaseClass): ClassNode => ({
  number: c.classNo,
  ageBand: c.ageBand,
  sex: c.sex,
  region: regionOf(c.stateCode, c.districtCode),
  period: c.period,
  rows: c.rows,
  diagnoses: c.diagnoses,
  informationLoss: c.infoLoss,
});

export async function releaseClassPage(ctx: ApiContext, release: ReleaseDescription, args: PageArgs) {
  requireAnalyst(ctx, "reading a release's classes");
  const size = pageSize(args, ctx.settings);
  let afterNo = 0;
  if (args.after) {
    const [no] = decodeCursor(args.after, 1);
    if (!Number.isInteger(no) || (no as number) < 0) throw badCursor();
    afterNo = no as number;
  }
  const rows = await classesPage(ctx.prisma, release.id, afterNo, size + 1);
  const page = toConnection(rows, size, (c) => [c.classNo]);
  return { nodes: page.nodes.map(toClassNode), pageInfo: page.pageInfo, totalCount: release.classCount };
}

/** The values a dataset of this release can be selected by. */
export async function releaseValues(ctx: ApiContext, release: ReleaseDescription) {
  requireAnalyst(ctx, "reading a release's values");
  const classes = await loadersOf(ctx).classes.load(release.id);
  const unique = <T>(values: T[]) => [...new Set(values)];
  const regions = new Map<string, { stateCode: number | null; districtCode: number | null }>();
  for (const c of classes) regions.set(`${c.stateCode}:${c.districtCode}`, c);
  return {
    ageBands: unique(classes.map((c) => c.ageBand)),
    sexes: unique(classes.map((c) => c.sex)).sort(),
    regions: [...regions.values()]
      .sort(
        (a, b) => (a.stateCode ?? 0) - (b.stateCode ?? 0) || (a.districtCode ?? 0) - (b.districtCode ?? 0),
      )
      .map((r) => regionOf(r.stateCode, r.districtCode)),
    periods: unique(classes.map((c) => c.period)).sort(),
  };
}

// ------------------------------------------------------------------------------------- datasets

async function releaseFor(
  ctx: ApiContext,
  releaseId: string | null | undefined,
): Promise<ReleaseDescription> {
  if (releaseId !== null && releaseId !== undefined) {
    const release = await loadersOf(ctx).release.load(releaseId);
    if (!release)
      throw new NotFoundError(`no dataset release ${releaseId.slice(0, 40)}: see datasetReleases`);
    return release;
  }
  const latest = await latestReleaseWithRows(ctx.prisma);
  if (!latest) {
    throw new NotFoundError(
      "no dataset release with rows has been cut yet: a period is released once it has closed (ANALYTICS_RELEASE_PERIOD, ANALYTICS_RELEASE_LAG_DAYS)",
    );
  }
  return latest;
}

export async function createDataset(ctx: ApiContext, input: DatasetInput): Promise<DatasetDescription> {
  const viewer = requireAnalyst(ctx, "creating a de-identified dataset");
  const release = await releaseFor(ctx, input.releaseId);
  const selection = parseSelection(input, release);
  const selected = selectClasses(await loadersOf(ctx).classes.load(release.id), selection);
  if (selected.length === 0) {
    throw new ValidationError(
      `the selection matches no class of release ${release.period}: its classes are listed in datasetRelease.classes`,
      { details: { releaseId: release.id } },
    );
  }
  const rowCount = selected.reduce((s, c) => s + c.rows, 0);
  const loss = selected.reduce((s, c) => s + c.rows * c.infoLoss, 0) / rowCount;
  const dataset = await createDatasetWithinLimit(
    ctx.prisma,
    {
      createdBy: viewer.address,
      releaseId: release.id,
      selection,
      classNos: selected.map((c) => c.classNo),
      rowCount,
      classCount: selected.length,
      informationLoss: loss,
    },
    datasetLimitsOf(ctx).datasetsPerDay,
  );
  await ctx.audit.record({
    operation: "createDeidentifiedDataset",
    recordType: "DATASET",
    recordIds: [dataset.id],
    details: { release: release.period, releaseId: release.id, classes: selected.length, rows: rowCount },
  });
  ctx.logger.info(
    { dataset_id: dataset.id, release: release.period, classes: selected.length, rows: rowCount },
    "dataset created",
  );
  return dataset;
}

export async function datasetById(ctx: ApiContext, id: string): Promise<DatasetDescription | null> {
  const viewer = requireAnalyst(ctx, "reading a de-identified dataset");
  return findOwnDataset(ctx.prisma, id, viewer.address);
}

export async function ownDatasets(ctx: ApiContext, args: PageArgs) {
  const viewer = requireAnalyst(ctx, "listing de-identified datasets");
  const size = pageSize(args, ctx.settings);
  let after: { createdAt: string; id: string } | null = null;
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after, 2);
    if (typeof createdAt !== "string" || typeof id !== "string" || Number.isNaN(Date.parse(createdAt))) {
      throw badCursor();
    }
    if (!isUuid(id)) throw badCursor();
    after = { createdAt, id };
  }
  const rows = await listOwnDatasets(ctx.prisma, viewer.address, size + 1, after);
  return toConnection(rows, size, (d) => [d.createdAt.toISOString(), d.id]);
}

export async function datasetRelease(
  ctx: ApiContext,
  dataset: DatasetDescription,
): Promise<ReleaseDescription> {
  const release = await loadersOf(ctx).release.load(dataset.releaseId);
  if (!release) throw new NotFoundError(`the release of dataset ${dataset.id} is missing`);
  return release;
}

/** The seq ranges of a dataset's rows in its release. */
export async function datasetRanges(
  ctx: ApiContext,
  dataset: DatasetDescription,
): Promise<[number, number][]> {
  return seqRanges(await classesByNumber(ctx.prisma, dataset.releaseId, dataset.classNos));
}

/** `DeidentifiedDataset.rows`: keyset pages over seq; the cursor is the last seq seen. */
export async function datasetRows(ctx: ApiContext, dataset: DatasetDescription, args: PageArgs) {
  requireAnalyst(ctx, "reading dataset rows");
  const size = pageSize(args, ctx.settings);
  let afterSeq = 0;
  if (args.after) {
    const [seq] = decodeCursor(args.after, 1);
    if (!Number.isInteger(seq) || (seq as number) < 0) throw badCursor();
    afterSeq = seq as number;
  }
  const rows = await readRowsAfter(
    ctx.pool,
    dataset.releaseId,
    await datasetRanges(ctx, dataset),
    afterSeq,
    size + 1,
  );
  await ctx.audit.record({
    operation: "DeidentifiedDataset.rows",
    recordType: "DATASET",
    recordIds: [dataset.id],
    details: { afterSeq, rows: Math.min(rows.length, size) },
  });
  const connection = toConnection(rows, size, (r) => [r.seq]);
  return {
    nodes: connection.nodes.map(toDatasetRow),
    pageInfo: connection.pageInfo,
    totalCount: dataset.rowCount,
  };
}

export async function datasetUsage(ctx: ApiContext) {
  const viewer = requireAnalyst(ctx, "reading your dataset limits");
  return usageOf(ctx.prisma, viewer.address, datasetLimitsOf(ctx));
}
