/** SIWE nonces: random, stored, single-use, expiring. */
import { randomBytes } from "node:crypto";
import type { Pool } from "pg";

export interface IssuedNonce {
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** EIP-4361 wants at least 8 alphanumeric characters; 128 random bits as hex. */
export async function issueNonce(pool: Pool, ttlSeconds: number): Promise<IssuedNonce> {
  const nonce = randomBytes(16).toString("hex");
  const { rows } = await pool.query<{ issued_at: Date; expires_at: Date }>(
    `INSERT INTO auth_nonce (nonce, issued_at, expires_at)
     VALUES ($1, now(), now() + make_interval(secs => $2))
     RETURNING issued_at, expires_at`,
    [nonce, ttlSeconds],
  );
  const row = rows[0]!;
  return { nonce, issuedAt: row.issued_at, expiresAt: row.expires_at };
}

export type NonceState = "unknown" | "consumed" | "expired";

/**
 * Marks the nonce used by `address`, atomically: only one sign-in can ever consume a nonce.
 * Returns when it was issued, or why it cannot be used.
 */
export async function consumeNonce(
  pool: Pool,
  nonce: string,
  address: string,
): Promise<{ ok: true; issuedAt: Date } | { ok: false; reason: NonceState }> {
  const { rows } = await pool.query<{ issued_at: Date }>(
    `UPDATE auth_nonce SET consumed_at = now(), consumed_by = $2
     WHERE nonce = $1 AND consumed_at IS NULL AND expires_at > now()
     RETURNING issued_at`,
    [nonce, address],
  );
  if (rows[0]) return { ok: true, issuedAt: rows[0].issued_at };
  const { rows: found } = await pool.query<{ consumed: boolean }>(
    "SELECT consumed_at IS NOT NULL AS consumed FROM auth_nonce WHERE nonce = $1",
    [nonce],
  );
  if (!found[0]) return { ok: false, reason: "unknown" };
  return { ok: false, reason: found[0].consumed ? "consumed" : "expired" };
}

/** Deletes nonces expired for more than a day (they can never be used). */
export async function pruneNonces(pool: Pool): Promise<number> {
  const { rowCount } = await pool.query("DELETE FROM auth_nonce WHERE expires_at < now() - interval '1 day'");
  return rowCount ?? 0;
}
