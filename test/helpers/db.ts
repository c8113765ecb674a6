/**
 * A database of its own for each test file, copied from the migrated template made by the
 * global setup, and a way to count the SQL statements some code sends (N+1 guards).
 *
 * Connections: `pool` (and `prisma` over it) logs in as the server's superuser, for fixtures and
 * assertions; `indexerPool` and `apiPool` log in as the members of doctel_indexer and doctel_api
 * (shared/db/roles.ts), as the indexer and the API do in production: run those parts on them, so
 * that the tests exercise the real privileges.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { createApiPool } from "../../graphql/db-pool.ts";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { createPgPool } from "../../shared/db/pool.ts";
import { urlAsLogin } from "../../shared/db/roles.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../../shared/services/postgres.ts";

export interface TestDatabase {
  /** postgresql:// URL of this file's database, as the superuser. */
  readonly url: string;
  /** The same database as the indexer's and the API's login users. */
  readonly indexerUrl: string;
  readonly apiUrl: string;
  readonly name: string;
  /**
   * A pg pool on it as the superuser, for bulk SQL and assertions. Its search_path is
   * `public, api`, so the API's tables can be named without their schema.
   */
  readonly pool: pg.Pool;
  /** Prisma over the same pool (@prisma/adapter-pg). */
  readonly prisma: PrismaClient;
  /** A pool as the indexer's login (doctel_indexer), opened on first use. */
  readonly indexerPool: pg.Pool;
  /** A pool as the API's login (doctel_api), configured as the API's own (graphql/db-pool.ts), opened on first use. */
  readonly apiPool: pg.Pool;
  /** Prisma over `apiPool`. */
  readonly apiPrisma: PrismaClient;
  /** Counts the statements sent through `pool` (default: this database's superuser pool, and so `prisma`) during `fn`. */
  countStatements<T>(fn: () => Promise<T>, pool?: pg.Pool): Promise<StatementCount<T>>;
}

/** Tables of schema `api` resolve without their schema name on the superuser's connections. */
const ADMIN_SEARCH_PATH = "-c search_path=public,api";

/**
 * Call at the top of a test file (or a describe block): creates `CREATE DATABASE … TEMPLATE
 * doctel_template` before the file's tests and drops it after them. The fields are usable
 * from beforeAll/it onwards.
 */
export function useTestDatabase(options: { poolSize?: number } = {}): TestDatabase {
  interface State {
    url: string;
    name: string;
    pool: pg.Pool;
    prisma: PrismaClient;
    indexerPool?: pg.Pool;
    apiPool?: pg.Pool;
    apiPrisma?: PrismaClient;
  }
  let state: State | undefined;
  const adminUrl = () => inject("databaseAdminUrl");
  const get = () => {
    if (!state) throw new Error("useTestDatabase(): the database exists only from beforeAll on");
    return state;
  };
  const loginUrl = (role: "indexer" | "api") => urlAsLogin(get().url, inject("databaseLogins")[role]);

  beforeAll(async () => {
    const name = uniqueDatabaseName("doctel_test");
    const url = await createDatabase(adminUrl(), name, { template: inject("databaseTemplate") });
    const pool = createPgPool({
      connectionString: url,
      max: options.poolSize ?? 5,
      options: ADMIN_SEARCH_PATH,
      name: "test-admin",
      logger: createSilentLogger(),
    });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    state = { url, name, pool, prisma };
  });

  afterAll(async () => {
    if (!state) return;
    const { name, pool, prisma, indexerPool, apiPool, apiPrisma } = state;
    state = undefined;
    // pool.end() resolves before every connection has closed; DROP DATABASE … WITH (FORCE) then
    // terminates those (57P01), which an idle connection reports as the pool's 'error'.
    pool.on("error", () => undefined);
    await prisma.$disconnect();
    await apiPrisma?.$disconnect();
    await Promise.all([pool.end(), indexerPool?.end(), apiPool?.end()]);
    await dropDatabase(adminUrl(), name);
  });

  return {
    get url() {
      return get().url;
    },
    get indexerUrl() {
      return loginUrl("indexer");
    },
    get apiUrl() {
      return loginUrl("api");
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
    get indexerPool() {
      const s = get();
      s.indexerPool ??= createPgPool({
        connectionString: loginUrl("indexer"),
        max: options.poolSize ?? 5,
        name: "test-indexer",
        logger: createSilentLogger(),
      });
      return s.indexerPool;
    },
    get apiPool() {
      const s = get();
      s.apiPool ??= createApiPool({
        databaseUrl: loginUrl("api"),
        size: options.poolSize ?? 5,
        logger: createSilentLogger(),
      });
      return s.apiPool;
    },
    get apiPrisma() {
      const s = get();
      s.apiPrisma ??= new PrismaClient({ adapter: new PrismaPg(this.apiPool) });
      return s.apiPrisma;
    },
    countStatements: (fn, pool) => countStatements(pool ?? get().pool, fn),
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
