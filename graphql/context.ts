/**
 * What every resolver receives. Built once per request by the server (graphql/server.ts) from
 * the session token; the caller's roles come from the indexed on-chain grants at request time,
 * so a revocation takes effect as soon as its block is indexed.
 */
import type { Pool } from "pg";
import type { PrismaClient } from "../prisma/generated/client.ts";
import type { Logger } from "../shared/logger.ts";

/** Roles the API honours. STAFF/DOCTOR are hospital-scoped memberships; the rest are global. */
export type ApiRole = "GOVERNANCE" | "AUDITOR" | "STAFF" | "DOCTOR" | "ANALYST" | "PUBLIC_HEALTH";

export interface Viewer {
  /** Lowercase 0x address proven by Sign-In with Ethereum. */
  address: `0x${string}`;
  roles: ReadonlySet<ApiRole>;
  /** The hospital of a STAFF or DOCTOR membership. */
  hospitalId: number | null;
  /** The session (token id) the request came with; signOut revokes it. */
  sessionId?: string;
}

/** Appends one entry to the access audit log (who read which identified records, how). */
export interface AuditLog {
  record(entry: {
    operation: string;
    recordType:
      | "PATIENT"
      | "TREATMENT"
      | "VITALS"
      | "MEMBER"
      | "ROLE_GRANT"
      | "AUDIT_LOG"
      | "DATASET"
      | "AGGREGATE"
      | "ATTACHMENT";
    recordIds: readonly string[];
    details?: Record<string, unknown>;
  }): Promise<void>;
}

export interface ApiContext {
  requestId: string;
  viewer: Viewer | null;
  prisma: PrismaClient;
  /** For bulk or hand-tuned SQL (aggregates, exports). */
  pool: Pool;
  audit: AuditLog;
  logger: Logger;
  /** Per-request DataLoaders (graphql/loaders.ts). */
  loaders: Record<string, unknown>;
  /** Server-wide limits and identity helpers (graphql/server.ts). */
  settings: ApiSettings;
}

/** What resolvers need from the configuration, without reading it themselves. */
export interface ApiSettings {
  chainId: number;
  contractAddress: `0x${string}`;
  defaultPageSize: number;
  maxPageSize: number;
  /** Validates an Aadhaar number (BAD_USER_INPUT otherwise) and returns its reference. Never logs it. */
  referenceOf(aadhaar: string): `0x${string}`;
}
