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
} from "../../shared/services/postgres.ts";
import { runSimulation } from "../../simulator/index.ts";
import type { StartConfig } from "./config.ts";
import { ensureDeployment } from "./deployment.ts";
import { loadSecrets } from "./secrets.ts";
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

const SILENT_PROGRESS: StartProgress = {
  step: () => undefined,
  simulation: () => undefined,
  finish: () => undefined,
};

export async function startStack(
  config: StartConfig,
  env: Env,
  logger: Logger,
  progress: StartProgress = SILENT_PROGRESS,
): Promise<RunningStack> {
  const home = path.resolve(config.DOCTEL_HOME);
  await mkdir(home, { recursive: true });
  // As root, embedded PostgreSQL runs as the "postgres" user, which must be able to traverse the
  // home folder (not list it: secrets.json stays owner-only).
  if (process.getuid?.() === 0) await chmod(home, 0o711);
  const stops: { part: string; run: () => Promise<void> }[] = [];
  const onStop = (part: string, run: () => Promise<void>) => stops.push({ part, run });
  const stop = async () => {
    for (const { part, run } of stops.reverse()) {
      const started = performance.now();
      await run().catch((error) => logger.warn({ err: error, part }, "stopping a part failed"));
      logger.debug({ part, duration_ms: Math.round(performance.now() - started) }, "stopped");
    }
  };
  try {
    const secrets = await loadSecrets(home, env);
    const pepper = Buffer.from(secrets.pepper, "hex");

    // Storage: PostgreSQL. The embedded cluster's superuser owns and migrates the database; the
    // indexer and the API log in as their own roles (docs/operations.md, "Database roles"). An
    // external DATABASE_URL is used as it is, by every part.
    let dbUrl = config.DATABASE_URL;
    let partUrls = { indexer: dbUrl, api: dbUrl };
    progress.step(dbUrl ? "PostgreSQL (DATABASE_URL)" : "embedded PostgreSQL");
    if (!dbUrl) {
      const server = await startEmbeddedPostgres({
        dataDir: path.join(home, "postgres"),
        port: config.EMBEDDED_POSTGRES_PORT,
        logger: logger.child({ component: "postgres" }),
      });
      onStop("postgres", () => server.stop());
      dbUrl = databaseUrl(server.url, "doctel");
      await createDatabase(server.url, "doctel").catch((error: { code?: string }) => {
        if (error.code !== "42P04") throw error; // already exists
      });
      partUrls = await createServiceLogins(dbUrl, Buffer.from(secrets.sessionSecret, "hex"));
    }
    progress.step("database migrations");
    await applyMigrations({ databaseUrl: dbUrl, logger: logger.child({ component: "migrate" }) });

    // Files: IPFS.
    let ipfsApiUrl = config.IPFS_API_URL;
    progress.step(ipfsApiUrl ? "IPFS (IPFS_API_URL)" : "embedded IPFS node");
    if (!ipfsApiUrl) {
      const ipfs = await startLocalIpfs({
        repo: path.join(home, "ipfs"),
        port: config.EMBEDDED_IPFS_PORT,
        hostname: config.HOST,
      });
      onStop("ipfs", () => ipfs.close());
      ipfsApiUrl = ipfs.apiUrl;
    }

    // The chain.
    let rpcUrl = config.RPC_URL;
    let governanceKey = config.DOCTEL_PRIVATE_KEY;
    progress.step(rpcUrl ? "chain (RPC_URL)" : "embedded chain");
    if (!rpcUrl) {
      const chain = await startEmbeddedChain({
        dir: path.join(home, "chain"),
        port: config.EMBEDDED_CHAIN_PORT,
        hostname: config.HOST,
        logger: logger.child({ component: "chain" }),
      });
      onStop("chain", () => chain.close());
      rpcUrl = chain.rpcUrl;
      governanceKey ??= DEV_PRIVATE_KEYS[0];
    }
    const deploymentFile = path.join(home, "deployment.json");
    progress.step("DocTel contract");
    const { record } = await ensureDeployment({
      rpcUrl,
      file: deploymentFile,
      pepper,
      governanceKey,
      logger,
    });

    // A simulated year, once.
    const castFile = path.join(home, "cast.json");
    if (config.SIMULATE !== "none" && !existsSync(castFile)) {
      if (!governanceKey) throw new Error("simulation needs the governance key (DOCTEL_PRIVATE_KEY)");
      logger.info({ size: config.SIMULATE }, "first start: simulating a year of a hospital network");
      progress.step("first start: simulating a year of a hospital network");
      const summary = await runSimulation({
        rpcUrl,
        ipfsApiUrl,
        deployment: record,
        governanceKey,
        pepper,
        seed: config.SIMULATION_SEED,
        size: config.SIMULATE,
        targetEvents: config.SIMULATE_EVENTS,
        castFile,
        logger: logger.child({ component: "simulator" }),
        onProgress: (p) => progress.simulation(p),
      });
      logger.info(
        { events: summary.events, treatments: summary.treatments, duration_ms: summary.durationMs },
        "simulation done",
      );
    }

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
    progress.finish();

    // What `npx doctel` needs to act on this stack while it runs (cli/config.ts reads it).
    const stackFile = await writeStackFile(home, {
      pid: process.pid,
      rpcUrl,
      ipfsApiUrl,
      databaseUrl: dbUrl,
      apiUrl: api.url,
    });
    onStop("stack file", () => removeStackFile(stackFile, process.pid));

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
