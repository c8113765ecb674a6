/**
 * The API's PostgreSQL pools. Its login is a member of doctel_api (shared/db/roles.ts), and its
 * search_path is `api, public`: its own tables first, then the chain-derived ones it reads, so
 * queries may name either without a schema.
 *
 * The pool is opened in full at start and kept open (no idle timeout). A new backend starts with
 * cold catalog caches and plans each prepared statement five times before it keeps a generic plan;
 * opening connections in the middle of a burst made the burst slower (docs/benchmarks.md,
 * bench:api). Opening them up front also makes an unreachable database a startup error, not a
 * first-request one.
 */
import type pg from "pg";
import { createPgPool } from "../shared/db/pool.ts";
import { createSilentLogger, type Logger } from "../shared/logger.ts";

export const API_SEARCH_PATH = "api, public";

/** A pool as the API uses it (search_path, no idle timeout, an 'error' listener); nothing opened yet. */
export function createApiPool(args: {
  databaseUrl: string;
  size: number;
  logger?: Logger;
  /** Names the pool in logs ("api", "api-read"). */
  name?: string;
  /** Give up connecting after this long (default: wait). */
  connectionTimeoutMillis?: number;
}): pg.Pool {
  return createPgPool({
    connectionString: args.databaseUrl,
    max: args.size,
    idleTimeoutMillis: 0,
    ...(args.connectionTimeoutMillis ? { connectionTimeoutMillis: args.connectionTimeoutMillis } : {}),
    options: `-c search_path=${API_SEARCH_PATH.replace(" ", "")}`,
    name: args.name ?? "api",
    logger: args.logger ?? createSilentLogger(),
  });
}

export async function openApiPool(args: Parameters<typeof createApiPool>[0]): Promise<pg.Pool> {
  const pool = createApiPool(args);
  const clients: pg.PoolClient[] = [];
  let failure: { error: unknown } | undefined;
  try {
    for (let i = 0; i < args.size; i++) clients.push(await pool.connect());
  } catch (error) {
    failure = { error };
  }
  for (const client of clients) client.release();
  if (failure) {
    await pool.end();
    throw failure.error;
  }
  return pool;
}

/**
 * The read replica's pool (READ_DATABASE_URL), opened lazily: the API starts, reading from the
 * primary, while the replica is down (graphql/read-replica.ts checks it and switches).
 */
export function createReadPool(args: { databaseUrl: string; size: number; logger?: Logger }): pg.Pool {
  return createApiPool({ ...args, name: "api-read", connectionTimeoutMillis: 2_000 });
}
