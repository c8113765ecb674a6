/**
 * The dataset catalog through Prisma Client: releases and their classes (written by the cutter,
 * cut-release.ts, in SQL), analysts' datasets and exports (written here). Simple reads and writes;
 * the rows themselves are read in SQL (rows.ts).
 */
import type {
  DatasetRelease,
  DatasetReleaseClass,
  DatasetSelection,
  PrismaClient,
} from "../../../prisma/generated/client.ts";
import { AGE_LEVEL_NAMES, PERIOD_LEVEL_NAMES, REGION_LEVEL_NAMES, SEX_LEVEL_NAMES } from "./hierarchies.ts";
import { QUASI_IDENTIFIERS, RELEASE_METHOD, SENSITIVE_ATTRIBUTES } from "./release-policy.ts";

export interface RoundedCount {
  approximately: number;
  roundedTo: number;
}

export interface ReleaseDescription {
  id: string;
  period: string;
  periodKind: string;
  from: string;
  to: string;
  cutAt: Date;
  snapshotBlock: string;
  finalizedBlock: string;
  k: number;
  l: number;
  levels: number[];
  generalization: { age: string; sex: string; region: string; period: string; diagnosis: string };
  rowCount: number;
  classCount: number;
  chapterRows: number;
  suppressedRows: RoundedCount;
  informationLoss: number;
  quasiIdentifiers: readonly string[];
  sensitiveAttributes: readonly string[];
  method: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function describeRelease(r: DatasetRelease): ReleaseDescription {
  const [age = 0, sex = 0, region = 0, period = 0] = r.levels;
  return {
    id: r.id,
    period: r.period,
    periodKind: r.periodKind,
    from: day(r.periodStart),
    to: day(r.periodEnd),
    cutAt: r.cutAt,
    snapshotBlock: r.snapshotBlock.toString(),
    finalizedBlock: r.finalizedBlock.toString(),
    k: r.k,
    l: r.l,
    levels: r.levels,
    generalization: {
      age: AGE_LEVEL_NAMES[age] ?? "?",
      sex: SEX_LEVEL_NAMES[sex] ?? "?",
      region: REGION_LEVEL_NAMES[region] ?? "?",
      period: PERIOD_LEVEL_NAMES[period] ?? "?",
      diagnosis: "CATEGORY_OR_CHAPTER",
    },
    rowCount: r.rowCount,
    classCount: r.classCount,
    chapterRows: r.chapterRows,
    suppressedRows: { approximately: r.suppressedRowsRounded, roundedTo: r.roundingBase },
    informationLoss: r.infoLoss,
    quasiIdentifiers: QUASI_IDENTIFIERS,
    sensitiveAttributes: SENSITIVE_ATTRIBUTES,
    method: RELEASE_METHOD,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string): boolean => UUID.test(id);

export async function findRelease(prisma: PrismaClient, id: string): Promise<ReleaseDescription | null> {
  return (await releasesByIds(prisma, [id]))[0] ?? null;
}

/** Releases by id, in the order asked (null for an unknown or malformed id): one statement. */
export async function releasesByIds(
  prisma: PrismaClient,
  ids: readonly string[],
): Promise<(ReleaseDescription | null)[]> {
  const wanted = ids.filter(isUuid).map((id) => id.toLowerCase());
  const rows = wanted.length ? await prisma.datasetRelease.findMany({ where: { id: { in: wanted } } }) : [];
  const byId = new Map(rows.map((r) => [r.id, describeRelease(r)]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** The newest release with released rows, if any. */
export async function latestReleaseWithRows(prisma: PrismaClient): Promise<ReleaseDescription | null> {
  const r = await prisma.datasetRelease.findFirst({
    where: { rowCount: { gt: 0 } },
    orderBy: { periodStart: "desc" },
  });
  return r ? describeRelease(r) : null;
}

/** Releases, newest period first, keyset-paginated on the period's start. */
export async function listReleases(
  prisma: PrismaClient,
  limit: number,
  afterStart: string | null,
): Promise<ReleaseDescription[]> {
  const rows = await prisma.datasetRelease.findMany({
    where: afterStart ? { periodStart: { lt: new Date(`${afterStart}T00:00:00Z`) } } : {},
    orderBy: { periodStart: "desc" },
    take: limit,
  });
  return rows.map(describeRelease);
}

export type ReleaseClass = Pick<
  DatasetReleaseClass,
  | "classNo"
  | "ageBand"
  | "sex"
  | "stateCode"
  | "districtCode"
  | "period"
  | "firstSeq"
  | "rows"
  | "diagnoses"
  | "infoLoss"
>;

const CLASS_FIELDS = {
  classNo: true,
  ageBand: true,
  sex: true,
  stateCode: true,
  districtCode: true,
  period: true,
  firstSeq: true,
  rows: true,
  diagnoses: true,
  infoLoss: true,
} as const;

/** Every class of each release (a selection is resolved against them), in class order: one statement. */
export async function classesOfReleases(
  prisma: PrismaClient,
  releaseIds: readonly string[],
): Promise<ReleaseClass[][]> {
  const rows = await prisma.datasetReleaseClass.findMany({
    where: { releaseId: { in: [...releaseIds] } },
    select: { releaseId: true, ...CLASS_FIELDS },
    orderBy: [{ releaseId: "asc" }, { classNo: "asc" }],
  });
  const byRelease = new Map<string, ReleaseClass[]>();
  for (const { releaseId, ...c } of rows) {
    const list = byRelease.get(releaseId);
    if (list) list.push(c);
    else byRelease.set(releaseId, [c]);
  }
  return releaseIds.map((id) => byRelease.get(id) ?? []);
}

export function classesPage(
  prisma: PrismaClient,
  releaseId: string,
  afterNo: number,
  limit: number,
): Promise<ReleaseClass[]> {
  return prisma.datasetReleaseClass.findMany({
    where: { releaseId, classNo: { gt: afterNo } },
    select: CLASS_FIELDS,
    orderBy: { classNo: "asc" },
    take: limit,
  });
}

export function classesByNumber(
  prisma: PrismaClient,
  releaseId: string,
  classNos: readonly number[],
): Promise<ReleaseClass[]> {
  return prisma.datasetReleaseClass.findMany({
    where: { releaseId, classNo: { in: [...classNos] } },
    select: CLASS_FIELDS,
    orderBy: { classNo: "asc" },
  });
}

// ------------------------------------------------------------------------------------- datasets

export interface SelectionValues {
  ageBands: string[] | null;
  sexes: string[] | null;
  states: number[] | null;
  districts: number[] | null;
  periods: string[] | null;
}

export interface DatasetDescription {
  id: string;
  createdAt: Date;
  releaseId: string;
  selection: SelectionValues;
  classNos: number[];
  rowCount: number;
  classCount: number;
  informationLoss: number;
  exportPath: string;
}

export const exportPathOf = (id: string): string => `/export/datasets/${id}.ndjson`;

export function describeDataset(d: DatasetSelection): DatasetDescription {
  return {
    id: d.id,
    createdAt: d.createdAt,
    releaseId: d.releaseId,
    selection: d.selection as unknown as SelectionValues,
    classNos: d.classNos,
    rowCount: d.rowCount,
    classCount: d.classCount,
    informationLoss: d.infoLoss,
    exportPath: exportPathOf(d.id),
  };
}

/** The dataset if `owner` created it, else null: other analysts are told it does not exist. */
export async function findOwnDataset(
  prisma: PrismaClient,
  id: string,
  owner: string,
): Promise<DatasetDescription | null> {
  if (!isUuid(id)) return null;
  const d = await prisma.datasetSelection.findFirst({ where: { id: id.toLowerCase(), createdBy: owner } });
  return d ? describeDataset(d) : null;
}

/** The owner's datasets, newest first, keyset-paginated on (created_at, id). */
export async function listOwnDatasets(
  prisma: PrismaClient,
  owner: string,
  limit: number,
  after: { createdAt: string; id: string } | null,
): Promise<DatasetDescription[]> {
  const rows = await prisma.datasetSelection.findMany({
    where: {
      createdBy: owner,
      ...(after
        ? {
            OR: [
              { createdAt: { lt: new Date(after.createdAt) } },
              { createdAt: new Date(after.createdAt), id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(describeDataset);
}
