/**
 * Rate limits: token buckets kept in PostgreSQL (api.rate_limit_bucket), so every API replica
 * draws from the same bucket. A bucket holds up to `perMinute` tokens and refills at `perMinute`
 * a minute; a request takes one. One statement per check (an upsert that refills, then takes a
 * token if one is there), on an UNLOGGED table: no WAL, no replication, no flush at commit, and a
 * crash only refills the buckets.
 *
 * Buckets (graphql/server.ts applies them):
 *   - `ip:<address>`      every request without a session, per client address (IPv6 per /64);
 *   - `account:<address>` every request of a signed-in account (not per address: a hospital's
 *                         staff share one NAT address);
 *   - `write:<ip or account>` every mutation, on top of the above (nonces, sign-ins, datasets).
 */
import type { Pool } from "pg";
import type { PrismaClient } from "../../prisma/generated/client.ts";
import { RateLimitedError } from "./errors.ts";

export interface BucketPolicy {
  /** Tokens a minute, and the bucket's capacity. 0 turns the limit off. */
  perMinute: number;
}

export { RateLimitedError };

/**
 * The upsert, with its parameters starting at `$first`: key, capacity, refill per second, now.
 * Returns `allowed` and the tokens left. Exported so that the per-request session check can run it
 * in the same statement (graphql/auth/viewer.ts).
 */
export function takeTokenSql(first: number): string {
  const [key, capacity, rate, now] = [0, 1, 2, 3].map((i) => `$${first + i}`);
  // Time never runs backwards for a bucket: replicas' clocks differ a little.
  const refilled = `least(${capacity}::float8, b.tokens + greatest(0, extract(epoch FROM ${now}::timestamptz - b.updated_at)) * ${rate}::float8)`;
  return `INSERT INTO api.rate_limit_bucket AS b (key, tokens, allowed, updated_at)
          VALUES (${key}, ${capacity}::float8 - 1, true, ${now}::timestamptz)
          ON CONFLICT (key) DO UPDATE SET
            allowed = ${refilled} >= 1,
            tokens = CASE WHEN ${refilled} >= 1 THEN ${refilled} - 1 ELSE ${refilled} END,
            updated_at = greatest(b.updated_at, ${now}::timestamptz)
          RETURNING allowed, tokens`;
}

export function takeTokenParams(key: string, policy: BucketPolicy, now: Date): unknown[] {
  return [key, policy.perMinute, policy.perMinute / 60, now];
}

/** Seconds until one token is back, given the tokens left. */
export function retryAfter(tokens: number, policy: BucketPolicy): number {
  return Math.max(1, Math.ceil(((1 - tokens) * 60) / policy.perMinute));
}

export interface RateLimiter {
  /** Takes a token from bucket `key`; throws RateLimitedError when it is empty. */
  take(key: string, policy: BucketPolicy, what: string, now: Date): Promise<void>;
}

export function createRateLimiter(pool: Pool): RateLimiter {
  const sql = takeTokenSql(1);
  return {
    async take(key, policy, what, now) {
      if (policy.perMinute <= 0) return;
      const { rows } = await pool.query<{ allowed: boolean; tokens: number }>({
        name: "doctel_rate_limit_take",
        text: sql,
        values: takeTokenParams(key, policy, now),
      });
      const row = rows[0]!;
      if (!row.allowed) throw new RateLimitedError(what, retryAfter(row.tokens, policy));
    },
  };
}

/** The bucket key of a client address: IPv4 as is, IPv6 by its /64 (one host's usual allocation). */
export function addressKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * Deletes buckets idle for more than a minute: every bucket refills in a minute at most, so an idle
 * one is full, exactly what a missing one means.
 */
export async function pruneBuckets(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.rateLimitBucket.deleteMany({
    where: { updatedAt: { lt: new Date(now.getTime() - 60_000) } },
  });
  return count;
}
