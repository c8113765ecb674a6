/** Reading the access audit log: filters and keyset pagination on the id (newest first). */
import type { Pool } from "pg";
import { AUDIT_COLUMNS, type AuditEventRow } from "./rows.ts";

export interface AuditSearch {
  viewer?: string | undefined;
  recordType?: string | undefined;
  recordId?: string | undefined;
  operation?: string | undefined;
  requestId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function searchAuditEvents(
  pool: Pool,
  search: AuditSearch,
  page: { limit: number; after: string | null },
): Promise<AuditEventRow[]> {
  const params: unknown[] = [];
  const where = ["TRUE"];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (search.viewer !== undefined) add((n) => `a.viewer = ${n}`, search.viewer);
  if (search.recordType !== undefined) add((n) => `a.record_type::text = ${n}`, search.recordType);
  if (search.recordId !== undefined) add((n) => `a.record_ids @> ARRAY[${n}::text]`, search.recordId);
  if (search.operation !== undefined) add((n) => `a.operation = ${n}`, search.operation);
  if (search.requestId !== undefined) add((n) => `a.request_id = ${n}`, search.requestId);
  if (search.from !== undefined) add((n) => `a.at >= ${n}`, search.from);
  if (search.to !== undefined) add((n) => `a.at < ${n}`, search.to);
  if (page.after !== null) add((n) => `a.id < ${n}::bigint`, page.after);
  params.push(page.limit + 1);
  const { rows } = await pool.query<AuditEventRow & Record<string, unknown>>(
    `SELECT ${AUDIT_COLUMNS} FROM access_audit_log a WHERE ${where.join(" AND ")}
      ORDER BY a.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}
