/**
 * The API's PostgreSQL pool, opened in full at start and kept open (no idle timeout). A new
 * backend starts with cold catalog caches and plans each prepared statement five times before it
 * keeps a generic plan; opening connections in the middle of a burst made the burst slower. On the
 * history benchmark, reopening them at every load step cost a CPU spike and a p99 of seconds.
 * Opening them up front also makes an unreachable database a startup error, not a first-request one.
 */
import pg from "pg";
import type { Logger } from "../shared/logger.ts";

export async function openApiPool(args: {
  databaseUrl: string;
  size: number;
  logger?: Logger;
}): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: args.databaseUrl, max: args.size, idleTimeoutMillis: 0 });
  pool.on("error", (error) => args.logger?.warn({ err: error }, "idle database connection failed"));
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
