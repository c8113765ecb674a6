/**
 * Writes the request's audit entries before the response leaves. Nothing identified is
 * disclosed without its audit row: if the write fails, the whole response becomes an error.
 */
import type { GraphQLResponse } from "@apollo/server";
import type { ApiContext } from "../context.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { RequestAuditLog } from "./audit-log.ts";

export async function flushAuditBeforeResponse(
  ctx: ApiContext,
  response: GraphQLResponse,
  metrics: ApiMetrics,
): Promise<void> {
  const audit = ctx.audit as RequestAuditLog;
  if (typeof audit.flush !== "function" || audit.pending === 0) return;
  try {
    const types = await audit.flushWithTypes();
    for (const type of types) metrics.auditEntries.inc({ record_type: type });
  } catch (error) {
    ctx.logger.error(
      { err: error, request_id: ctx.requestId },
      "access audit write failed: response withheld",
    );
    response.http.status = 500;
    response.body = {
      kind: "single",
      singleResult: {
        errors: [
          {
            message: "internal error",
            extensions: { code: "INTERNAL_SERVER_ERROR", requestId: ctx.requestId },
          },
        ],
      },
    };
  }
}
