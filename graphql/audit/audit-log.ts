/**
 * The request's access audit log: resolvers record what they disclose; entries of one request
 * are merged per (operation, record type) and written in one INSERT before the response leaves
 * (graphql/http/graphql-route.ts). If that write fails, the response is replaced by an error:
 * nothing identified is disclosed without its audit entry.
 */
import type { Pool } from "pg";
import type { AuditLog, Viewer } from "../context.ts";
import { prepared } from "../data/sql.ts";

type Entry = Parameters<AuditLog["record"]>[0];

export interface RequestAuditLog extends AuditLog {
  /** Writes what was recorded (one statement); no-op when nothing was. Returns the rows written. */
  flush(): Promise<number>;
  /** As flush, returning the record type of each row written. */
  flushWithTypes(): Promise<string[]>;
  readonly pending: number;
}

export function createRequestAuditLog(args: {
  /** The primary. */
  pool: Pool;
  requestId: string;
  clientRequestId: string | null;
  viewer: () => Viewer | null;
}): RequestAuditLog {
  const entries = new Map<
    string,
    { operation: string; recordType: string; outcome: string; ids: Set<string>; details?: unknown }
  >();
  return {
    get pending() {
      return entries.size;
    },
    async record(entry: Entry) {
      if (entry.recordIds.length === 0) return;
      const outcome = entry.outcome ?? "DISCLOSED";
      const key = `${entry.operation}\u0000${entry.recordType}\u0000${outcome}`;
      const existing = entries.get(key);
      if (existing) {
        for (const id of entry.recordIds) existing.ids.add(id);
        return;
      }
      entries.set(key, {
        operation: entry.operation,
        recordType: entry.recordType,
        outcome,
        ids: new Set(entry.recordIds),
        ...(entry.details ? { details: entry.details } : {}),
      });
    },
    async flush() {
      return (await this.flushWithTypes()).length;
    },
    async flushWithTypes() {
      if (entries.size === 0) return [];
      const viewer = args.viewer();
      const rows = [...entries.values()].map((e) => ({
        operation: e.operation,
        record_type: e.recordType,
        outcome: e.outcome,
        record_ids: [...e.ids],
        details: e.details ?? null,
      }));
      entries.clear();
      await prepared(
        args.pool,
        `INSERT INTO api.access_audit_log
           (request_id, client_request_id, viewer, viewer_roles, operation, record_type, outcome, record_ids, details)
         SELECT $1, $5, $2, $3::text[], e.operation, e.record_type::api.audit_record_type,
                e.outcome::api.audit_outcome, ARRAY(SELECT jsonb_array_elements_text(e.record_ids)), e.details
           FROM jsonb_to_recordset($4::jsonb)
             AS e(operation text, record_type text, outcome text, record_ids jsonb, details jsonb)`,
        [
          args.requestId,
          viewer?.address ?? "anonymous",
          viewer ? [...viewer.roles].sort() : [],
          JSON.stringify(rows),
          args.clientRequestId,
        ],
      );
      return rows.map((r) => r.record_type);
    },
  };
}
