/**
 * Per-account limits on datasets and exports, counted from the append-only ledgers
 * (dataset_selection, dataset_export) over a rolling 24 hours. The count and the insert run in one
 * transaction under a per-account advisory lock, so concurrent requests cannot both slip under
 * the limit. A limit reached is DATASET_LIMIT_REACHED (RATE_LIMITED to clients), saying when the oldest counted entry leaves the
 * window.
 */
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "../../../prisma/generated/client.ts";
import { type DatasetDescription, describeDataset, type SelectionValues } from "./catalog.ts";
import { DatasetLimitError } from "./errors.ts";

export const LIMIT_WINDOW_HOURS = 24;
const WINDOW_MS = LIMIT_WINDOW_HOURS * 3_600_000;

export { DatasetLimitError };

type Tx = Prisma.TransactionClient;

function refuse(what: "datasets" | "exports", limit: number, oldest: Date | undefined): never {
  const freeAt = oldest ? new Date(oldest.getTime() + WINDOW_MS).toISOString() : "later";
  throw new DatasetLimitError(
    `you have reached your limit of ${limit} ${what} per ${LIMIT_WINDOW_HOURS} hours (ANALYTICS_${what.toUpperCase()}_PER_DAY); the next is possible from ${freeAt}`,
    { limit, windowHours: LIMIT_WINDOW_HOURS, retryAt: freeAt },
  );
}

/**
 * Counts the account's entries of one ledger in the window and, under the limit, writes one more,
 * in one transaction holding the account's advisory lock for that ledger.
 */
async function withinLimit<T>(
  prisma: PrismaClient,
  what: "datasets" | "exports",
  account: string,
  limit: number,
  recent: (tx: Tx, since: Date) => Promise<Date[]>,
  write: (tx: Tx) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dataset-limit:${what}:${account}`}))`;
    const times = await recent(tx, new Date(Date.now() - WINDOW_MS));
    if (times.length >= limit) refuse(what, limit, times[0]);
    return write(tx);
  });
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

export function createDatasetWithinLimit(
  prisma: PrismaClient,
  data: NewDataset,
  limit: number,
): Promise<DatasetDescription> {
  return withinLimit(
    prisma,
    "datasets",
    data.createdBy,
    limit,
    async (tx, since) =>
      (
        await tx.datasetSelection.findMany({
          where: { createdBy: data.createdBy, createdAt: { gt: since } },
          select: { createdAt: true },
          orderBy: { createdAt: "asc" },
          take: limit,
        })
      ).map((d) => d.createdAt),
    async (tx) =>
      describeDataset(
        await tx.datasetSelection.create({
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
        }),
      ),
  );
}

export async function recordExportWithinLimit(
  prisma: PrismaClient,
  data: { viewer: string; datasetId: string; rows: number },
  limit: number,
): Promise<void> {
  await withinLimit(
    prisma,
    "exports",
    data.viewer,
    limit,
    async (tx, since) =>
      (
        await tx.datasetExport.findMany({
          where: { viewer: data.viewer, at: { gt: since } },
          select: { at: true },
          orderBy: { at: "asc" },
          take: limit,
        })
      ).map((e) => e.at),
    (tx) => tx.datasetExport.create({ data: { id: randomUUID(), ...data } }),
  );
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
