/**
 * De-identified datasets for ANALYST: create one from a definition, read its description and its
 * rows page by page. Creation and every page are recorded in the access audit log; creation is
 * also a release (analytics_release).
 */
import { randomUUID } from "node:crypto";
import { NotFoundError, ValidationError } from "../../../shared/errors.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext, Viewer } from "../../context.ts";
import { decodeCursor, pageSize, toConnection } from "../../pagination.ts";
import { recordRelease } from "../disclosure/release-log.ts";
import { datasetSecretOf, epsilonBudgetOf } from "../settings.ts";
import { buildDataset } from "./build-dataset.ts";
import { type DatasetDescription, findOwnDataset, listOwnDatasets } from "./catalog.ts";
import { canonicalParams, type DatasetInput } from "./params.ts";
import { readRowsAfter, toDatasetRow } from "./rows.ts";

export const requireAnalyst = (ctx: ApiContext, what: string): Viewer => requireRole(ctx, ["ANALYST"], what);

export async function createDataset(ctx: ApiContext, input: DatasetInput): Promise<DatasetDescription> {
  const viewer = requireAnalyst(ctx, "creating a de-identified dataset");
  const params = canonicalParams(input);
  const secret = datasetSecretOf(ctx);
  const id = randomUUID();
  const summary = await buildDataset(ctx.pool, { id, params, secret, createdBy: viewer.address });
  await recordRelease(
    ctx.pool,
    {
      id,
      requestId: ctx.requestId,
      viewer: viewer.address,
      kind: "DATASET",
      params,
      mechanism: "k-anonymity",
      epsilon: null,
      sensitivity: null,
      cells: summary.rowCount,
      suppressedCells: summary.suppressedRows,
    },
    epsilonBudgetOf(ctx),
  );
  await ctx.audit.record({
    operation: "createDeidentifiedDataset",
    recordType: "DATASET",
    recordIds: [id],
    details: {
      k: params.k,
      levels: summary.levels,
      rows: summary.rowCount,
      suppressedRows: summary.suppressedRows,
      achievedK: summary.achievedK,
      snapshotBlock: summary.snapshotBlock,
    },
  });
  ctx.logger.info(
    {
      dataset_id: id,
      rows: summary.rowCount,
      suppressed_rows: summary.suppressedRows,
      levels: summary.levels,
    },
    "dataset created",
  );
  const described = await findOwnDataset(ctx.pool, id, viewer.address);
  if (!described) throw new NotFoundError(`dataset ${id} vanished after creation`);
  return described;
}

export async function datasetById(ctx: ApiContext, id: string): Promise<DatasetDescription | null> {
  const viewer = requireAnalyst(ctx, "reading a de-identified dataset");
  return findOwnDataset(ctx.pool, id, viewer.address);
}

export async function ownDatasets(ctx: ApiContext, args: { first?: number | null; after?: string | null }) {
  const viewer = requireAnalyst(ctx, "listing de-identified datasets");
  const size = pageSize(args, ctx.settings);
  let after: { createdAt: string; id: string } | null = null;
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after, 2);
    if (typeof createdAt !== "string" || typeof id !== "string" || Number.isNaN(Date.parse(createdAt))) {
      throw new ValidationError("invalid cursor: pass back an endCursor from a previous page");
    }
    after = { createdAt, id };
  }
  const rows = await listOwnDatasets(ctx.pool, viewer.address, size + 1, after);
  return toConnection(rows, size, (d) => [d.createdAt.toISOString(), d.id]);
}

/** `DeidentifiedDataset.rows`: keyset pages over seq; the cursor is the last seq seen. */
export async function datasetRows(
  ctx: ApiContext,
  dataset: DatasetDescription,
  args: { first?: number | null; after?: string | null },
) {
  requireAnalyst(ctx, "reading dataset rows");
  const size = pageSize(args, ctx.settings);
  let afterSeq = 0;
  if (args.after) {
    const [seq] = decodeCursor(args.after, 1);
    if (!Number.isInteger(seq) || (seq as number) < 0) {
      throw new ValidationError("invalid cursor: pass back an endCursor from a previous page");
    }
    afterSeq = seq as number;
  }
  const rows = await readRowsAfter(ctx.pool, dataset.id, afterSeq, size + 1);
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
