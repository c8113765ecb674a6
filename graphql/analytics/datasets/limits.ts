/**
 * Per-account limits on datasets and exports, counted from the append-only ledgers
 * (dataset_selection, dataset_export) over a rolling 24 hours. The count and the insert run in one
 * transaction under a per-account advisory lock, so concurrent requests cannot both slip under
 * the limit. A limit reached is RATE_LIMITED, saying when the oldest counted entry leaves the
 * window.
 */
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "../../../prisma/generated/client.ts";
import { NonRetryableError } from "../../../shared/errors.ts";
import { type DatasetDescription, describeDataset, type SelectionValues } from "./catalog.ts";

export const LIMIT_WINDOW_HOURS = 24;
const WINDOW_MS = LIMIT_WINDOW_HOURS * 3_600_000;

export class DatasetLimitError extends NonRetryableError {
  constructor(message: string, details: Record<string, unknown>) {
    super("RATE_LIMITED", message, { details });
  }
}

type Tx = Prisma.TransactionClient;

async function lockAccount(tx: Tx, what: string, account: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dataset-limit:${what}:${account}`}))`;
}

function refuse(what: "datasets" | "exports", limit: number, oldest: Date | undefined): never {
  const freeAt = oldest ? new Date(oldest.getTime() + WINDOW_MS).toISOString() : "later";
  throw new DatasetLimitError(
    `you have reached your limit of ${limit} ${what} per ${LIMIT_WINDOW_HOURS} hours (ANALYTICS_${what.toUpperCase()}_PER_DAY); the next is possible from ${freeAt}`,
    { limit, windowHours: LIMIT_WINDOW_HOURS, retryAt: freeAt },
  );
}

export interface NewDataset {
  readonly createdBy: string;
  readonly releaseId: string;
  readonly selection: SelectionValues;
  readonly classNos: readonly number[];
  readonly rowCount: number;
  readonly classCount: number;
  readonly informationLoss: number;
}

export async function createDatasetWithinLimit(
  prisma: PrismaClient,
  data: NewDataset,
  limit: number,
): Promise<DatasetDescription> {
  return prisma.$transaction(async (tx) => {
    await lockAccount(tx, "datasets", data.createdBy);
    const since = new Date(Date.now() - WINDOW_MS);
    const recent = await tx.datasetSelection.findMany({
      where: { createdBy: data.createdBy, createdAt: { gt: since } },
      select: { createdAt: true },
      orderBy: { createdAt: "asc" },
      take: limit,
    });
    if (recent.length >= limit) refuse("datasets", limit, recent[0]?.createdAt);
    const created = await tx.datasetSelection.create({
      data: {
        id: randomUUID(),
        createdBy: data.createdBy,
        releaseId: data.releaseId,
        selection: data.selection as unknown as Prisma.InputJsonValue,
        classNos: [...data.classNos],
        rowCount: data.rowCount,
        classCount: data.classCount,
        infoLoss: data.informationLoss,
      },
    });
    return describeDataset(created);
  });
}

export async function recordExportWithinLimit(
  prisma: PrismaClient,
  data: { viewer: string; datasetId: string; rows: number },
  limit: number,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await lockAccount(tx, "exports", data.viewer);
    const since = new Date(Date.now() - WINDOW_MS);
    const recent = await tx.datasetExport.findMany({
      where: { viewer: data.viewer, at: { gt: since } },
      select: { at: true },
      orderBy: { at: "asc" },
      take: limit,
    });
    if (recent.length >= limit) refuse("exports", limit, recent[0]?.at);
    await tx.datasetExport.create({ data: { id: randomUUID(), ...data } });
  });
}

export interface DatasetUsage {
  windowHours: number;
  datasetsCreated: number;
  datasetLimit: number;
  exports: number;
  exportLimit: number;
}

export async function usageOf(
  prisma: PrismaClient,
  viewer: string,
  limits: { datasetsPerDay: number; exportsPerDay: number },
): Promise<DatasetUsage> {
  const since = new Date(Date.now() - WINDOW_MS);
  const [datasets, exports] = await Promise.all([
    prisma.datasetSelection.count({ where: { createdBy: viewer, createdAt: { gt: since } } }),
    prisma.datasetExport.count({ where: { viewer, at: { gt: since } } }),
  ]);
  return {
    windowHours: LIMIT_WINDOW_HOURS,
    datasetsCreated: datasets,
    datasetLimit: limits.datasetsPerDay,
    exports,
    exportLimit: limits.exportsPerDay,
  };
}
