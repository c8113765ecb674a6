/**
 * DocTel in one process: embedded PostgreSQL, IPFS and chain (each replaced by a real service
 * when its URL is configured), the contract deployed once, a simulated year on first start, the
 * indexer with file verification, and the API serving the dashboards. Data stays in DOCTEL_HOME,
 * so a second start resumes where the first stopped.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { apiConfigSchema } from "../../graphql/config.ts";
import { openApiPool } from "../../graphql/db-pool.ts";
import { createApiMetrics } from "../../graphql/metrics.ts";
import { createApiServer } from "../../graphql/server.ts";
import { indexerConfigSchema } from "../../indexer/config.ts";
import { runIndexer } from "../../indexer/main.ts";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { applyMigrations } from "../../prisma/migrate.ts";
import { type Env, parseConfig } from "../../shared/config.ts";
import type { Logger } from "../../shared/logger.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { startEmbeddedChain } from "../../shared/services/embedded-chain.ts";
import { startLocalIpfs } from "../../shared/services/ipfs.ts";
import {
  createDatabase,
  createServiceLogins,
  databaseUrl,
  startEmbeddedPostgres,
  withClient,
} from "../../shared/services/postgres.ts";
import { takeOverSignals } from "../../shared/services/signals.ts";
import { runSimulation } from "../../simulator/index.ts";
import type { StartConfig } from "./config.ts";
import { ensureDeployment } from "./deployment.ts";
import { loadSecrets } from "./secrets.ts";
import { markSimulationDone, markSimulationStarted, recoverInterruptedSimulation } from "./simulation.ts";
import { removeStackFile, writeStackFile } from "./stack-file.ts";
import type { StartProgress } from "./terminal.ts";

export interface RunningStack {
  apiUrl: string;
  rpcUrl: string;
  ipfsApiUrl: string;
  databaseUrl: string;
  indexerOpsUrl: string;
  castFile: string | null;
  embedded: { postgres: boolean; chain: boolean; ipfs: boolean };
  /** Resolves when the indexer stops by itself (an error it cannot retry). */
  indexerStopped: Promise<unknown>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Aborting it (Ctrl-C during start-up) stops what has started, in order, and makes startStack
   * reject with the signal's reason.
   */
  signal?: AbortSignal;
  /** The terminal's progress view (cli/start/terminal.ts); none by default. */
  progress?: StartProgress;
}

const SILENT_PROGRESS: StartProgress = {
  step: () => undefined,
  simulation: () => undefined,
  finish: () => undefined,
  interrupted: () => undefined,
};

export async function startStack(
  config: StartConfig,
  env: Env,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningStack> {
  const { signal, progress = SILENT_PROGRESS } = options;
  const home = path.resolve(config.DOCTEL_HOME);
  await mkdir(home, { recursive: true });
  // As root, embedded PostgreSQL runs as the "postgres" user, which must be able to traverse the
  // home folder (not list it: secrets.json stays owner-only).
  if (process.getuid?.() === 0) await chmod(home, 0o711);
  const stops: { part: string; run: () => Promise<void> }[] = [];
  const onStop = (part: string, run: () => Promise<void>) => stops.push({ part, run });
  // Parts stop in the reverse order of their start: the API and the indexer before the database.
  const stop = async () => {
    for (const { part, run } of stops.splice(0).reverse()) {
      const started = performance.now();
      await run().catch((error) => logger.warn({ err: error, part }, "stopping a part failed"));
      logger.debug({ part, duration_ms: Math.round(performance.now() - started) }, "stopped");
    }
  };
  try {
    signal?.throwIfAborted();
    const secrets = await loadSecrets(home, env);
    const pepper = Buffer.from(secrets.pepper, "hex");

    const castFile = path.join(home, "cast.json");
    const deploymentFile = path.join(home, "deployment.json");
    const size = config.SIMULATE === "none" ? undefined : config.SIMULATE;
    const simulate = size !== undefined && !existsSync(castFile);
    if (simulate) {
      await recoverInterruptedSimulation({ home, deploymentFile, embeddedChain: !config.RPC_URL, logger });
    }

    // Storage, files and the chain start side by side: they do not depend on each other.
    // PostgreSQL: the embedded cluster's superuser owns and migrates the database; the indexer
    // and the API log in as their own roles (docs/operations.md, "Database roles"). An external
    // DATABASE_URL is used as it is, by every part.
    const startDatabase = async (): Promise<{ url: string; parts: { indexer: string; api: string } }> => {
      let url = config.DATABASE_URL;
      let parts: { indexer: string; api: string } | undefined;
      if (!url) {
        const server = await startEmbeddedPostgres({
          dataDir: path.join(home, "postgres"),
          port: config.EMBEDDED_POSTGRES_PORT,
          logger: logger.child({ component: "postgres" }),
        });
        onStop("postgres", async () => {
          // Last: once the parts before it have closed their pools, their sockets close too.
          await untilClientsLeft(server.url, 3_000).catch(() => undefined);
          await server.stop();
        });
        url = databaseUrl(server.url, "doctel");
        await createDatabase(server.url, "doctel").catch((error: { code?: string }) => {
          if (error.code !== "42P04") throw error; // already exists
        });
        parts = await createServiceLogins(url, Buffer.from(secrets.sessionSecret, "hex"));
      }
      await applyMigrations({ databaseUrl: url, logger: logger.child({ component: "migrate" }) });
      return { url, parts: parts ?? { indexer: url, api: url } };
    };
    const startIpfs = async (): Promise<string> => {
      if (config.IPFS_API_URL) return config.IPFS_API_URL;
      const ipfs = await startLocalIpfs({
        repo: path.join(home, "ipfs"),
        port: config.EMBEDDED_IPFS_PORT,
        hostname: config.HOST,
        logger: logger.child({ component: "ipfs" }),
      });
      onStop("ipfs", () => ipfs.close());
      // js-ipfs' signal-exit would kill the process in the middle of our own orderly stop.
      takeOverSignals();
      return ipfs.apiUrl;
    };
    const startChain = async (): Promise<string> => {
      if (config.RPC_URL) return config.RPC_URL;
      const chain = await startEmbeddedChain({
        dir: path.join(home, "chain"),
        port: config.EMBEDDED_CHAIN_PORT,
        hostname: config.HOST,
        logger: logger.child({ component: "chain" }),
      });
      onStop("chain", () => chain.close());
      return chain.rpcUrl;
    };
    progress.step(servicesLabel(config));
    const [database, ipfsApiUrl, rpcUrl] = await allStarted([startDatabase(), startIpfs(), startChain()]);
    const { url: dbUrl, parts: partUrls } = database;
    const governanceKey = config.DOCTEL_PRIVATE_KEY ?? (config.RPC_URL ? undefined : DEV_PRIVATE_KEYS[0]);
    signal?.throwIfAborted();
    progress.step("DocTel contract");
    const { record, fresh } = await ensureDeployment({
      rpcUrl,
      file: deploymentFile,
      pepper,
      governanceKey,
      logger,
    });

    signal?.throwIfAborted();

    // A simulated year, once.
    if (simulate) {
      if (!governanceKey) throw new Error("simulation needs the governance key (DOCTEL_PRIVATE_KEY)");
      await markSimulationStarted({
        home,
        seed: config.SIMULATION_SEED,
        record,
        fresh,
        rpcUrl,
        databaseUrl: dbUrl,
        embeddedChain: !config.RPC_URL,
      });
      logger.info({ size: config.SIMULATE }, "first start: simulating a year of a hospital network");
      progress.step("first start: simulating a year of a hospital network");
      const summary = await runSimulation({
        rpcUrl,
        ipfsApiUrl,
        deployment: record,
        governanceKey,
        pepper,
        seed: config.SIMULATION_SEED,
        size,
        targetEvents: config.SIMULATE_EVENTS,
        castFile,
        logger: logger.child({ component: "simulator" }),
        onProgress: (p) => progress.simulation(p),
        signal,
      });
      await markSimulationDone(home);
      logger.info(
        { events: summary.events, treatments: summary.treatments, duration_ms: summary.durationMs },
        "simulation done",
      );
    }

    signal?.throwIfAborted();

    // Indexer (with file verification) and API, sharing nothing but the database.
    progress.step("indexer and API");
    const passthrough = { ...env };
    const indexerConfig = parseConfig(indexerConfigSchema, {
      ...passthrough,
      DATABASE_URL: partUrls.indexer,
      RPC_URL: rpcUrl,
      CHAIN_ID: String(record.chainId),
      CONTRACT_ADDRESS: record.address,
      START_BLOCK: String(record.deployBlock),
      IPFS_API_URL: ipfsApiUrl,
      OPS_HOST: config.HOST,
      OPS_PORT: String(config.INDEXER_OPS_PORT),
      LOG_LEVEL: config.LOG_LEVEL,
    });
    const controller = new AbortController();
    const indexerLogger = logger.child({ component: "indexer" });
    const indexerStopped = runIndexer(indexerConfig, indexerLogger, controller.signal).then(
      () => undefined,
      (error: unknown) => {
        indexerLogger.error({ err: error }, "the indexer stopped");
        return error;
      },
    );
    onStop("indexer", async () => {
      controller.abort();
      await indexerStopped;
    });

    const apiConfig = parseConfig(apiConfigSchema, {
      ...passthrough,
      HOST: config.HOST,
      PORT: String(config.PORT),
      DATABASE_URL: partUrls.api,
      DEPLOYMENT_FILE: deploymentFile,
      DOCTEL_PEPPER: secrets.pepper,
      SESSION_SECRET: secrets.sessionSecret,
      ANALYTICS_SECRET: secrets.analyticsSecret,
      IPFS_API_URL: ipfsApiUrl,
      RPC_URL: rpcUrl,
      DEMO_MODE: String(config.DEMO_MODE),
      CAST_FILE: castFile,
      LOG_LEVEL: config.LOG_LEVEL,
    });
    const pool = await openApiPool({
      databaseUrl: apiConfig.DATABASE_URL,
      size: apiConfig.DB_POOL_SIZE,
      logger,
    });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    onStop("api database pool", async () => {
      await prisma.$disconnect();
      await pool.end();
    });
    const api = await createApiServer({
      config: apiConfig,
      prisma,
      pool,
      logger: logger.child({ component: "api" }),
      deployment: record,
      metrics: createApiMetrics({ defaultMetrics: true }),
    });
    onStop("api", () => api.close());

    // What `npx doctel` needs to act on this stack while it runs (cli/config.ts reads it).
    const stackFile = await writeStackFile(home, {
      pid: process.pid,
      rpcUrl,
      ipfsApiUrl,
      databaseUrl: dbUrl,
      apiUrl: api.url,
    });
    onStop("stack file", () => removeStackFile(stackFile, process.pid));
    signal?.throwIfAborted();
    progress.finish();

    return {
      apiUrl: api.url,
      rpcUrl,
      ipfsApiUrl,
      databaseUrl: dbUrl,
      indexerOpsUrl: `http://${config.HOST}:${config.INDEXER_OPS_PORT}`,
      castFile: existsSync(castFile) ? castFile : null,
      embedded: { postgres: !config.DATABASE_URL, chain: !config.RPC_URL, ipfs: !config.IPFS_API_URL },
      indexerStopped,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The start-up step of PostgreSQL, IPFS and the chain, which start side by side. */
function servicesLabel(config: StartConfig): string {
  const embedded = [
    config.DATABASE_URL ? undefined : "PostgreSQL",
    config.IPFS_API_URL ? undefined : "IPFS",
    config.RPC_URL ? undefined : "chain",
  ].filter((part) => part !== undefined);
  if (embedded.length === 0) return "PostgreSQL, IPFS and chain (URLs)";
  return `embedded ${embedded.join(", ").replace(/, ([^,]*)$/, " and $1")}`;
}

/**
 * Waits for parts started side by side. If one fails, the others still finish starting, so that
 * each has registered its stop before the caller stops everything; then the first failure is thrown.
 */
async function allStarted<T extends readonly unknown[]>(
  starts: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(starts);
  for (const result of settled) if (result.status === "rejected") throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * Waits (up to `timeoutMs`) until no other client is connected: pg's `pool.end()` resolves
 * before its sockets close, and a server stopped in between reports each one as terminated.
 */
async function untilClientsLeft(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withClient(url, async (client) => {
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      );
      if (rows[0]!.n === 0 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
}
