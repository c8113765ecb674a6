/** Reading the access audit log (Prisma Client): filters and keyset pagination on the id (newest first). */
import type { Prisma, PrismaClient } from "../../prisma/generated/client.ts";
import type { AuditOutcome, AuditRecordType } from "../../prisma/generated/enums.ts";
import type { AuditEventRow } from "./rows.ts";

export interface AuditSearch {
  viewer?: string | undefined;
  recordType?: AuditRecordType | undefined;
  recordId?: string | undefined;
  operation?: string | undefined;
  requestId?: string | undefined;
  clientRequestId?: string | undefined;
  outcome?: AuditOutcome | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function searchAuditEvents(
  prisma: PrismaClient,
  search: AuditSearch,
  page: { limit: number; after: bigint | null },
): Promise<AuditEventRow[]> {
  const where: Prisma.AccessAuditLogWhereInput = {
    viewer: search.viewer,
    recordType: search.recordType,
    operation: search.operation,
    requestId: search.requestId,
    clientRequestId: search.clientRequestId,
    outcome: search.outcome,
    ...(search.recordId !== undefined ? { recordIds: { has: search.recordId } } : {}),
    ...(search.from !== undefined || search.to !== undefined
      ? { at: { gte: search.from, lt: search.to } }
      : {}),
    ...(page.after !== null ? { id: { lt: page.after } } : {}),
  };
  const rows = await prisma.accessAuditLog.findMany({ where, orderBy: { id: "desc" }, take: page.limit + 1 });
  return rows.map((r) => ({
    id: r.id.toString(),
    at: r.at,
    requestId: r.requestId,
    clientRequestId: r.clientRequestId,
    viewer: r.viewer,
    viewerRoles: r.viewerRoles,
    operation: r.operation,
    recordType: r.recordType,
    recordIds: r.recordIds,
    outcome: r.outcome,
    details: r.details,
  }));
}
