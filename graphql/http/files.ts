/**
 * GET /files/<cid>: streams an attached file from IPFS to a clinician who may see a treatment it
 * is attached to, once the indexer has verified the CID against its content (file_verification
 * VERIFIED). Unverified, invalid or unavailable files are never served. Each download is written
 * to the access audit log before the first byte leaves.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Logger } from "../../shared/logger.ts";
import { redactUrl } from "../../shared/redact.ts";
import type { RequestAuditLog } from "../audit/audit-log.ts";
import { type ClinicalScope, treatmentVisibleSql } from "../auth/policy.ts";
import type { ApiContext } from "../context.ts";
import type { Queryable } from "../data/sql.ts";
import { sendJson } from "./io.ts";

export interface FileRouteArgs {
  pool: Queryable;
  logger: Logger;
  ipfsApiUrl: string | undefined;
  ipfsTimeoutMs: number;
}

interface FileRow {
  status: string;
  size_bytes: string | null;
  content_type: string | null;
  treatment_ids: string[];
}

export async function handleFile(
  args: FileRouteArgs,
  ctx: ApiContext,
  scope: ClinicalScope,
  cid: string,
  res: ServerResponse,
  req: IncomingMessage,
): Promise<void> {
  const error = (status: number, code: string, message: string) =>
    sendJson(res, status, { error: { code, message, requestId: ctx.requestId } });
  if (!/^[A-Za-z0-9]{10,128}$/.test(cid)) return error(400, "BAD_USER_INPUT", "not a CID");
  const params: unknown[] = [cid];
  const visible = treatmentVisibleSql(scope, "t", params);
  const { rows } = await args.pool.query<FileRow>(
    `SELECT f.status::text AS status, f.size_bytes::text AS size_bytes, f.content_type,
            ARRAY(SELECT DISTINCT a.treatment_id::text FROM attachment a JOIN treatment t ON t.id = a.treatment_id
                   WHERE a.cid = f.cid AND ${visible}) AS treatment_ids
       FROM file_verification f WHERE f.cid = $1`,
    params,
  );
  const file = rows[0];
  if (!file || file.treatment_ids.length === 0) {
    return error(404, "NOT_FOUND", "no file with this CID is attached to a treatment you may read");
  }
  if (file.status !== "VERIFIED") {
    return error(409, "CONFLICT", `file not served: its verification status is ${file.status}`);
  }
  if (!args.ipfsApiUrl) return error(503, "IPFS_UNAVAILABLE", "no IPFS node is configured (IPFS_API_URL)");

  await ctx.audit.record({
    operation: "GET /files",
    recordType: "ATTACHMENT",
    recordIds: [cid],
    details: { treatments: file.treatment_ids },
  });
  await (ctx.audit as RequestAuditLog).flush();

  const abort = AbortSignal.timeout(args.ipfsTimeoutMs);
  const url = new URL(`/api/v0/cat?arg=${encodeURIComponent(cid)}`, args.ipfsApiUrl);
  let upstream: Response;
  try {
    upstream = await fetch(url, { method: "POST", signal: abort });
  } catch (cause) {
    args.logger.warn({ err: cause, ipfs: redactUrl(args.ipfsApiUrl), cid }, "IPFS fetch failed");
    return error(502, "IPFS_UNAVAILABLE", "the IPFS node did not answer");
  }
  if (!upstream.ok || !upstream.body) {
    return error(502, "IPFS_UNAVAILABLE", `the IPFS node answered ${upstream.status}`);
  }
  res.writeHead(200, {
    "content-type": file.content_type ?? "application/octet-stream",
    ...(file.size_bytes ? { "content-length": file.size_bytes } : {}),
    "content-disposition": `attachment; filename="${cid}"`,
    "x-content-type-options": "nosniff",
    "cache-control": "private, max-age=31536000, immutable",
    etag: `"${cid}"`,
    "x-doctel-verification": "VERIFIED",
    "x-request-id": ctx.requestId,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(upstream.body as import("node:stream/web").ReadableStream), res);
}
