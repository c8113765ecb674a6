/**
 * A database of its own for each test file, copied from the migrated template made by the
 * global setup, and a way to count the SQL statements some code sends (N+1 guards).
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../../shared/services/postgres.ts";

export interface TestDatabase {
  /** postgresql:// URL of this file's database. */
  readonly url: string;
  readonly name: string;
  /** A pg pool on it, for bulk SQL and assertions. */
  readonly pool: pg.Pool;
  /** Prisma over the same pool (@prisma/adapter-pg). */
  readonly prisma: PrismaClient;
  /** Counts the statements sent through this database's pool (and so through `prisma`) during `fn`. */
  countStatements<T>(fn: () => Promise<T>): Promise<StatementCount<T>>;
}

/**
 * Call at the top of a test file (or a describe block): creates `CREATE DATABASE … TEMPLATE
 * doctel_template` before the file's tests and drops it after them. The fields are usable
 * from beforeAll/it onwards.
 */
export function useTestDatabase(options: { poolSize?: number } = {}): TestDatabase {
  let state: { url: string; name: string; pool: pg.Pool; prisma: PrismaClient } | undefined;
  const adminUrl = () => inject("databaseAdminUrl");
  const get = () => {
    if (!state) throw new Error("useTestDatabase(): the database exists only from beforeAll on");
    return state;
  };

  beforeAll(async () => {
    const name = uniqueDatabaseName("doctel_test");
    const url = await createDatabase(adminUrl(), name, { template: inject("databaseTemplate") });
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 5 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    state = { url, name, pool, prisma };
  });

  afterAll(async () => {
    if (!state) return;
    const { name, pool, prisma } = state;
    state = undefined;
    // pool.end() resolves before every connection has closed; DROP DATABASE … WITH (FORCE) then
    // terminates those (57P01), which an idle connection reports as the pool's 'error'.
    pool.on("error", () => undefined);
    await prisma.$disconnect();
    await pool.end();
    await dropDatabase(adminUrl(), name);
  });

  return {
    get url() {
      return get().url;
    },
    get name() {
      return get().name;
    },
    get pool() {
      return get().pool;
    },
    get prisma() {
      return get().prisma;
    },
    countStatements: (fn) => countStatements(get().pool, fn),
  };
}

// ------------------------------------------------------------------------------------------
// Statement counting

export interface StatementCount<T> {
  result: T;
  /** Statements sent (a multi-statement simple query counts once; BEGIN and COMMIT count). */
  count: number;
  /** Their SQL, in order, to show in a failing assertion. */
  statements: string[];
}

interface Counter {
  clients: Set<pg.ClientBase>;
  statements: string[];
}

const counters = new Set<Counter>();
let patched = false;

/** Every query goes through Client.prototype.query; each open counter records its own clients' queries. */
function patchClientQuery(): void {
  if (patched) return;
  patched = true;
  const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]): unknown {
    if (counters.size > 0) {
      for (const counter of counters) {
        if (counter.clients.has(this)) counter.statements.push(sqlText(args[0]));
      }
    }
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

function sqlText(config: unknown): string {
  if (typeof config === "string") return config;
  if (config && typeof config === "object" && "text" in config) return String(config.text);
  return "(submittable)";
}

/**
 * Counts the statements sent through `pool` while `fn` runs: through pool.query, clients checked
 * out with pool.connect(), and Prisma with `new PrismaPg(pool)`. A client checked out before
 * `fn` started is not followed.
 */
export async function countStatements<T>(pool: pg.Pool, fn: () => Promise<T>): Promise<StatementCount<T>> {
  patchClientQuery();
  const counter: Counter = { clients: new Set(), statements: [] };
  const onAcquire = (client: pg.PoolClient) => counter.clients.add(client);
  pool.on("acquire", onAcquire);
  counters.add(counter);
  try {
    const result = await fn();
    return { result, count: counter.statements.length, statements: counter.statements };
  } finally {
    counters.delete(counter);
    pool.removeListener("acquire", onAcquire);
  }
}
