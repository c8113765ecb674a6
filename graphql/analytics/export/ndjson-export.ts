/**
 * GET /export/datasets/<id>.ndjson: a dataset's rows as NDJSON (one JSON object per line, the
 * GraphQL DatasetRow shape, the same rows GraphQL pages through), for the analyst who created it,
 * with their session token (Authorization: Bearer). Rows are read in keyset batches and written
 * with backpressure: the next batch is read only once the socket has taken the previous one, so
 * memory stays flat whatever the size, and a client that stops reading stops the reads. Releases
 * never change once cut, so the batches are one consistent dataset.
 *
 * Each GET counts against the account's export limit (ANALYTICS_EXPORTS_PER_DAY; 429 when it is
 * reached) and is recorded in the access audit log before the first row is sent. HEAD is free.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiContext } from "../../context.ts";
import { findOwnDataset } from "../datasets/catalog.ts";
import { DatasetLimitError, recordExportWithinLimit } from "../datasets/limits.ts";
import { datasetRanges, datasetRelease, requireAnalyst } from "../datasets/resolve-datasets.ts";
import { readRowsAfter, toDatasetRow } from "../datasets/rows.ts";
import { datasetLimitsOf } from "../datasets/settings.ts";
import { LIMITS } from "../limits.ts";

export interface ExportOptions {
  /** Rows per read (LIMITS.exportBatchRows by default). */
  batchRows?: number;
  /** Called after each batch is handed to the socket (tests, metrics). */
  onBatch?: (info: { datasetId: string; batch: number; rows: number }) => void;
}

const ROUTE = /^\/export\/datasets\/([0-9a-fA-F-]{36})\.ndjson$/;

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** Resolves true once the socket drained, false if the client went away first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}

async function flushAudit(ctx: ApiContext): Promise<void> {
  const audit = ctx.audit as ApiContext["audit"] & { flush?: () => Promise<number> };
  if (typeof audit.flush === "function") await audit.flush();
}

export function createDatasetExportHandler(options: ExportOptions = {}) {
  const batchRows = options.batchRows ?? LIMITS.exportBatchRows;
  return async function exportDataset(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ApiContext,
  ): Promise<void> {
    const path = new URL(req.url ?? "/", "http://api.invalid").pathname;
    const match = ROUTE.exec(path);
    if (!match)
      return sendError(
        res,
        404,
        "NOT_FOUND",
        "no such export: expected /export/datasets/<dataset id>.ndjson",
      );
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendError(res, 405, "BAD_REQUEST", "exports are read with GET");
    }
    const viewer = requireAnalyst(ctx, "exporting a de-identified dataset");
    const id = match[1]!.toLowerCase();
    const dataset = await findOwnDataset(ctx.prisma, id, viewer.address);
    if (!dataset) return sendError(res, 404, "NOT_FOUND", `no dataset ${id} of yours`);
    const release = await datasetRelease(ctx, dataset);
    const ranges = await datasetRanges(ctx, dataset);
    const headers = {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="doctel-dataset-${id}.ndjson"`,
      "cache-control": "no-store",
      "x-doctel-dataset-rows": String(dataset.rowCount),
      "x-doctel-release": release.period,
      "x-doctel-release-k": String(release.k),
      "x-doctel-release-l": String(release.l),
    };
    if (req.method === "HEAD") {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    try {
      await recordExportWithinLimit(
        ctx.prisma,
        { viewer: viewer.address, datasetId: id, rows: dataset.rowCount },
        datasetLimitsOf(ctx).exportsPerDay,
      );
    } catch (error) {
      if (!(error instanceof DatasetLimitError)) throw error;
      res.setHeader(
        "retry-after",
        String(Math.max(1, Math.ceil((Date.parse(String(error.details.retryAt)) - Date.now()) / 1000))),
      );
      return sendError(res, 429, "RATE_LIMITED", error.message);
    }
    res.writeHead(200, headers);
    await ctx.audit.record({
      operation: "exportDataset",
      recordType: "DATASET",
      recordIds: [id],
      details: { rows: dataset.rowCount, format: "ndjson" },
    });
    await flushAudit(ctx);

    let lastSeq = 0;
    let sent = 0;
    for (let batch = 1; ; batch++) {
      if (res.destroyed) return;
      const rows = await readRowsAfter(ctx.pool, dataset.releaseId, ranges, lastSeq, batchRows);
      if (rows.length === 0) break;
      let chunk = "";
      for (const row of rows) chunk += `${JSON.stringify(toDatasetRow(row))}\n`;
      lastSeq = rows[rows.length - 1]!.seq;
      sent += rows.length;
      const flowing = res.write(chunk);
      options.onBatch?.({ datasetId: id, batch, rows: rows.length });
      if (!flowing && !(await drained(res))) {
        ctx.logger.info({ dataset_id: id, rows: sent }, "dataset export abandoned by the client");
        return;
      }
      if (rows.length < batchRows) break;
    }
    res.end();
    ctx.logger.info({ dataset_id: id, rows: sent }, "dataset exported");
  };
}

/** The handler graphql/server.ts mounts under /export/. */
export const analyticsExportHandler = createDatasetExportHandler();
