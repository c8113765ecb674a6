/**
 * Who is asking: the session token proves an address; its roles are read from the indexed
 * on-chain state at every request (one statement), so a membership or role revoked on-chain
 * stops working as soon as its block is indexed.
 */
import type { Pool } from "pg";
import { UnauthenticatedError } from "../../shared/errors.ts";
import type { ApiRole, Viewer } from "../context.ts";
import { prepared } from "../data/sql.ts";
import {
  type BucketPolicy,
  RateLimitedError,
  retryAfter,
  takeTokenParams,
  takeTokenSql,
} from "../limits/rate-limit.ts";
import { bearerToken, verifySessionToken } from "./token.ts";

export interface ViewerSource {
  /** The primary: a session just created must be found at once (read your writes). */
  pool: Pool;
  sessionSecret: Uint8Array;
  chainId: number;
  /** Requests per account (bucket `account:<address>`), taken in the same statement as the session check. */
  accountRateLimit: BucketPolicy;
}

interface ViewerRow {
  session_ok: boolean;
  rate_allowed: boolean | null;
  rate_tokens: number | null;
  kind: "STAFF" | "DOCTOR" | "DEVICE" | null;
  hospital_id: number | null;
  roles: string[];
}

const GLOBAL_ROLES: ReadonlySet<string> = new Set(["GOVERNANCE", "ANALYST", "PUBLIC_HEALTH", "AUDITOR"]);

/** The viewer of a request, null without an Authorization header; UNAUTHENTICATED for a bad token. */
export async function resolveViewer(
  source: ViewerSource,
  authorization: string | undefined,
  now: Date,
): Promise<Viewer | null> {
  const token = bearerToken(authorization);
  if (token === null) return null;
  const claims = verifySessionToken(source.sessionSecret, token, {
    chainId: source.chainId,
    nowSeconds: Math.floor(now.getTime() / 1000),
  });
  const limited = source.accountRateLimit.perMinute > 0;
  const { rows } = await prepared<ViewerRow>(
    source.pool,
    `${limited ? `WITH bucket AS (${takeTokenSql(4)}) ` : ""}
     SELECT (s.revoked_at IS NULL AND s.expires_at > $3::timestamptz) AS session_ok,
            m.kind, m.hospital_id,
            ARRAY(SELECT g.role::text FROM role_grant g WHERE g.account = $2 AND g.active) AS roles,
            ${limited ? "(SELECT allowed FROM bucket)" : "NULL::boolean"} AS rate_allowed,
            ${limited ? "(SELECT tokens FROM bucket)" : "NULL::float8"} AS rate_tokens
       FROM api.api_session s
       LEFT JOIN member m ON m.account = $2 AND m.active
      WHERE s.id = $1::uuid AND s.address = $2`,
    [
      claims.jti,
      claims.sub,
      now,
      ...(limited ? takeTokenParams(`account:${claims.sub}`, source.accountRateLimit, now) : []),
    ],
  );
  const row = rows[0];
  if (!row) throw new UnauthenticatedError("unknown session: sign in again");
  if (!row.session_ok) throw new UnauthenticatedError("session ended: sign in again");
  if (row.rate_allowed === false) {
    throw new RateLimitedError(
      "requests for this account",
      retryAfter(row.rate_tokens ?? 0, source.accountRateLimit),
    );
  }
  const roles = new Set<ApiRole>();
  for (const role of row.roles) if (GLOBAL_ROLES.has(role)) roles.add(role as ApiRole);
  if (row.kind === "STAFF" || row.kind === "DOCTOR") roles.add(row.kind);
  return {
    address: claims.sub,
    roles,
    hospitalId: row.kind === "STAFF" || row.kind === "DOCTOR" ? row.hospital_id : null,
    sessionId: claims.jti,
  };
}

/** The roles an address holds now (for the signIn answer). */
export async function rolesOf(
  pool: Pool,
  address: string,
): Promise<{ roles: ApiRole[]; hospitalId: number | null }> {
  const { rows } = await pool.query<Pick<ViewerRow, "kind" | "hospital_id" | "roles">>(
    `SELECT m.kind, m.hospital_id,
            ARRAY(SELECT g.role::text FROM role_grant g WHERE g.account = $1 AND g.active) AS roles
       FROM (SELECT 1) one LEFT JOIN member m ON m.account = $1 AND m.active`,
    [address],
  );
  const row = rows[0]!;
  const roles = row.roles.filter((r) => GLOBAL_ROLES.has(r)) as ApiRole[];
  if (row.kind === "STAFF" || row.kind === "DOCTOR") roles.push(row.kind);
  return { roles, hospitalId: row.kind === "STAFF" || row.kind === "DOCTOR" ? row.hospital_id : null };
}
