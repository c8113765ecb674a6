/**
 * Database failures are classified by SQLSTATE, on errors a real PostgreSQL raises: the retry
 * loops of the indexer, the verifier and the API branch on the class.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createPgClient, createPgPool } from "../../shared/db/pool.ts";
import {
  classifyDatabaseError,
  DatabaseError,
  DatabaseUnavailableError,
  ValidationError,
} from "../../shared/errors.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();
const logger = createSilentLogger();

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("classifyDatabaseError", () => {
  it("calls a terminated connection (57P01 admin shutdown) retryable, because the server or an admin ended it", async () => {
    const client = createPgClient({ connectionString: db.url, name: "victim", logger, onError: () => {} });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pid = rows[0]?.pid;
    const victim = failureOf(() => client.query("SELECT pg_sleep(30)"));
    await db.pool.query("SELECT pg_terminate_backend($1)", [pid]);
    const error = classifyDatabaseError(await victim, "sleep");
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.details).toMatchObject({ operation: "sleep", sqlstate: "57P01" });
    await client.end().catch(() => {});
  });

  it("calls a deadlock (40P01) retryable, because the other transaction won and the work can run again", async () => {
    await db.pool.query("CREATE TABLE dl (id int PRIMARY KEY, v int); INSERT INTO dl VALUES (1, 0), (2, 0)");
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      await a.query("BEGIN; UPDATE dl SET v = 1 WHERE id = 1");
      await b.query("BEGIN; UPDATE dl SET v = 1 WHERE id = 2");
      const first = a.query("UPDATE dl SET v = 2 WHERE id = 2").then(
        () => undefined,
        (error: unknown) => error,
      );
      // b waits on a's row only once a waits on b's: wait until a is seen blocked, then close the cycle.
      for (;;) {
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        );
        if ((rows[0]?.n ?? 0) > 0) break;
      }
      const second = b.query("UPDATE dl SET v = 2 WHERE id = 1").then(
        () => undefined,
        (error: unknown) => error,
      );
      const errors = (await Promise.all([first, second])).filter((e) => e !== undefined);
      expect(errors).toHaveLength(1);
      const classified = classifyDatabaseError(errors[0], "update");
      expect(classified).toBeInstanceOf(DatabaseUnavailableError);
      expect(classified.details).toMatchObject({ sqlstate: "40P01" });
    } finally {
      await a.query("ROLLBACK").catch(() => {});
      await b.query("ROLLBACK").catch(() => {});
      a.release();
      b.release();
    }
  });

  it("calls a refused connection retryable, because the server may be restarting", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const pool = createPgPool({
      connectionString: `postgresql://x@127.0.0.1:${port}/x`,
      name: "nowhere",
      logger,
      max: 1,
    });
    const error = classifyDatabaseError(await failureOf(() => pool.query("SELECT 1")), "connect");
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    await pool.end();
  });

  it("calls a syntax error (42601) and a constraint violation (23505) not retryable, because the same SQL fails again", async () => {
    const syntax = classifyDatabaseError(await failureOf(() => db.pool.query("SELEC 1")), "select");
    expect(syntax).toBeInstanceOf(DatabaseError);
    expect(syntax.details).toMatchObject({ sqlstate: "42601" });
    await db.pool.query("CREATE TABLE uq (id int PRIMARY KEY); INSERT INTO uq VALUES (1)");
    const unique = classifyDatabaseError(
      await failureOf(() => db.pool.query("INSERT INTO uq VALUES (1)")),
      "insert",
    );
    expect(unique).toBeInstanceOf(DatabaseError);
    expect(unique.retryable).toBe(false);
  });

  it("passes the project's own errors through unchanged", () => {
    const own = new ValidationError("bad");
    expect(classifyDatabaseError(own, "x")).toBe(own);
  });

  it("keeps a pool alive when an idle connection is killed, because the pool has an error listener", async () => {
    const seen: Error[] = [];
    const pool = createPgPool({
      connectionString: db.url,
      name: "idle",
      logger,
      max: 1,
      onError: (e) => seen.push(e),
    });
    const { rows } = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    await db.pool.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
    while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(seen[0]?.message).toMatch(/terminat/i);
    const again = await pool.query<{ one: number }>("SELECT 1 AS one");
    expect(again.rows[0]?.one).toBe(1);
    await pool.end();
  });
});
