/**
 * The whole DocTel stack in-process for the dashboard tests: embedded PostgreSQL (this file's
 * database), a Hardhat chain with DocTel deployed, js-ipfs, a small simulator run writing its cast
 * file to a temp folder, the indexer until caught up, the verification worker until every file is
 * checked, and the API server with the dashboards in demo mode.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { DASHBOARDS_DIST_DIR } from "../../dashboards/serve.ts";
import { publishDue } from "../../graphql/analytics/publications/publish.ts";
import { apiConfigSchema } from "../../graphql/config.ts";
import { type ApiServer, createApiServer } from "../../graphql/server.ts";
import { defaultVerifierSettings } from "../../indexer/verify/config.ts";
import { createVerificationWorker, type VerificationWorker } from "../../indexer/verify/worker.ts";
import { parseConfig } from "../../shared/config.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { type CastFile, runSimulation, type SimulationSummary } from "../../simulator/index.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf, type RunningIndexer, startIndexer } from "../helpers/indexer.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";

/** Test secrets, never real ones. */
const PEPPER = Buffer.alloc(32, 0x5a);

export interface DashboardStack {
  readonly db: ReturnType<typeof useTestDatabase>;
  /** The API (and dashboards) origin, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  readonly cast: CastFile;
  readonly summary: SimulationSummary;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForVerification(pool: pg.Pool): Promise<void> {
  for (let i = 0; i < 1_200; i++) {
    const { rows } = await pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM file_verification WHERE status = 'PENDING'",
    );
    if (rows[0]?.n === "0") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("attachments were still PENDING verification after 60 s");
}

export function useDashboardStack(): DashboardStack {
  const db = useTestDatabase({ poolSize: 8 });
  const chain = useTestChain();
  const ipfs = useTestIpfs();
  let state: { origin: string; cast: CastFile; summary: SimulationSummary } | undefined;
  let api: ApiServer | undefined;
  let indexer: RunningIndexer | undefined;
  let worker: VerificationWorker | undefined;
  let workerPool: pg.Pool | undefined;
  let folder: string | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(DASHBOARDS_DIST_DIR, "index.html"))) {
      throw new Error("dashboards/dist is not built: run `npm run build:dashboards` first (`npm test` does)");
    }
    const deployed = await chain.deployDocTel({ pepper: PEPPER });
    const block = await chain.publicClient.getBlock({ blockNumber: deployed.deployBlock });
    const deployment: DeploymentRecord = {
      chainId: chain.chain.id,
      address: deployed.address,
      deployBlock: Number(deployed.deployBlock),
      deployTxHash: deployed.txHash,
      governance: chain.wallets[0]!.account.address,
      referenceKeyId: referenceKeyId(PEPPER),
      deployedAt: new Date(Number(block.timestamp) * 1000).toISOString(),
    };
    folder = await mkdtemp(path.join(tmpdir(), "doctel-dashboards-"));
    const castFile = path.join(folder, "cast.json");
    // Eight weeks, enough episodes for released weekly counts (>= 11) next to suppressed ones.
    const summary = await runSimulation({
      rpcUrl: chain.rpcUrl,
      ipfsApiUrl: ipfs.apiUrl,
      contract: deployed.address,
      governanceKey: DEV_PRIVATE_KEYS[0],
      pepper: PEPPER,
      seed: "dashboards-test",
      targetEvents: 3_000,
      hospitals: 2,
      days: 56,
      vitalsShare: 0.3,
      filesFraction: 0.3,
      castFile,
    });
    const cast = JSON.parse(await readFile(castFile, "utf8")) as CastFile;

    indexer = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: deployed.address,
      deployBlock: deployed.deployBlock,
      chainId: chain.chain.id,
    });
    await indexer.waitFor(await headOf(chain.rpcUrl));
    workerPool = new pg.Pool({ connectionString: db.url, max: 3 });
    worker = createVerificationWorker({
      pool: workerPool,
      ipfsUrl: ipfs.apiUrl,
      config: defaultVerifierSettings(),
      logger: createSilentLogger(),
    });
    await worker.start();
    await waitForVerification(db.pool);
    // The closed weeks are published as the API's job would (here at once, not on its timer).
    const now = new Date();
    await publishDue({
      pool: db.pool,
      settings: { system: "ISO", lagDays: 2 },
      logger: createSilentLogger(),
      now,
      indexed: now,
    });

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const config = parseConfig(apiConfigSchema, {
      DATABASE_URL: db.url,
      HOST: "127.0.0.1",
      PORT: String(port),
      NODE_ENV: "test",
      DOCTEL_PEPPER: PEPPER.toString("hex"),
      SESSION_SECRET: "cd".repeat(32),
      ANALYTICS_SECRET: "ef".repeat(32),
      ALLOWED_ORIGINS: origin,
      IPFS_API_URL: ipfs.apiUrl,
      DEMO_MODE: "true",
      CAST_FILE: castFile,
      LOG_LEVEL: "warn",
      PUBLICATION_INTERVAL_SECONDS: "0",
    });
    api = await createApiServer({
      config,
      prisma: db.prisma,
      pool: db.pool,
      logger: createSilentLogger(),
      deployment,
    });
    state = { origin, cast, summary };
  }, 600_000);

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await workerPool?.end();
    await indexer?.stop().catch(() => undefined);
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const get = () => {
    if (!state) throw new Error("useDashboardStack(): the stack exists only from beforeAll on");
    return state;
  };
  return {
    db,
    get origin() {
      return get().origin;
    },
    get cast() {
      return get().cast;
    },
    get summary() {
      return get().summary;
    },
  };
}
