/**
 * node-postgres pools and clients with the one thing every one of them needs: an `'error'`
 * listener. A pooled connection that dies while idle (the server restarted, the network dropped)
 * emits `'error'` on the pool; without a listener that is an unhandled 'error' event and the
 * process dies with a stack dump. Here it is logged, counted by the caller if it wants, and the
 * pool replaces the connection on the next checkout.
 */
import pg from "pg";
import type { Logger } from "../logger.ts";
import { redactUrl } from "../redact.ts";

export interface PoolArgs extends Omit<pg.PoolConfig, "connectionString"> {
  connectionString: string;
  /** Names the pool in logs: "indexer", "verifier", "api". */
  name: string;
  logger: Logger;
  /** Called for each idle-connection error, e.g. to count it in a metric. */
  onError?: (error: Error) => void;
}

export function createPgPool(args: PoolArgs): pg.Pool {
  const { name, logger, onError, ...config } = args;
  const pool = new pg.Pool(config);
  pool.on("error", (error) => {
    logger.warn(
      { err: error, pool: name, database_url: redactUrl(args.connectionString) },
      "idle database connection failed; the pool opens a new one when needed",
    );
    onError?.(error);
  });
  return pool;
}

export interface ClientArgs extends Omit<pg.ClientConfig, "connectionString"> {
  connectionString: string;
  name: string;
  logger: Logger;
  /** A dedicated client has no pool to replace it: the owner must learn that it died. */
  onError: (error: Error) => void;
}

/** A dedicated connection (a LISTEN, an advisory lock, a COPY writer) whose failure its owner handles. */
export function createPgClient(args: ClientArgs): pg.Client {
  const { name, logger, onError, ...config } = args;
  const client = new pg.Client(config);
  client.on("error", (error) => {
    logger.warn(
      { err: error, client: name, database_url: redactUrl(args.connectionString) },
      "database connection failed",
    );
    onError(error);
  });
  return client;
}
