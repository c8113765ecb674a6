/**
 * Outages heal themselves: PostgreSQL (a server of this test's own) is stopped for 30 s in the
 * middle of a backfill by `node indexer/main.ts`, then started again. The indexer reports the
 * outage (log, red /health), never dies of it, resumes by itself, and ends equal to a clean index.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgPool } from "../../shared/db/pool.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import {
  createDatabase,
  DEFAULT_INIT_CACHE,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "../../shared/services/postgres.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { cleanIndex, dumpIndex, headOf } from "../helpers/indexer.ts";
import { type RpcProxy, startRpcProxy } from "../helpers/rpc-proxy.ts";
import { spawnMain, waitForCheckpoint } from "./main-process.ts";
import { addBackfill, type Cast, seedNetwork } from "./scenario.ts";

const chain = useTestChain();
const clean = useTestDatabase();
let cast: Cast;
let proxy: RpcProxy;
let root: string;
let server: EmbeddedPostgres;

/** How long the database stays down: the fault this test injects. */
const OUTAGE_MS = 30_000;

const settings = { fsync: false, synchronousCommit: false, initCache: DEFAULT_INIT_CACHE } as const;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "doctel-outage-"));
  await chmod(root, 0o755); // as root, the server runs as the postgres user and must reach data/
  server = await startEmbeddedPostgres({ ...settings, dataDir: path.join(root, "data") });
  cast = await seedNetwork(chain);
  await addBackfill(chain, cast, 30);
  // Answers a little late: the backfill lasts long enough to be in its middle when the database goes.
  proxy = await startRpcProxy(chain.rpcUrl);
  proxy.setFault((method) => (method === "eth_getLogs" ? { delayMs: 40 } : undefined));
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("PostgreSQL stopped for 30 s in the middle of a backfill", () => {
  it("is reported, never kills the indexer, and heals by itself: the database ends equal to a clean index", async () => {
    const url = await createDatabase(server.url, "doctel_outage");
    // The test's own pool sees the outage too: it needs its 'error' listener like any other.
    let pool = createPgPool({ connectionString: url, name: "test", logger: createSilentLogger(), max: 2 });
    const head = await headOf(chain.rpcUrl);
    const main = spawnMain({
      DATABASE_URL: url,
      RPC_URL: proxy.url,
      CHAIN_ID: "31337",
      CONTRACT_ADDRESS: cast.address,
      START_BLOCK: cast.deployBlock.toString(),
      GETLOGS_INITIAL_RANGE: "2",
      GETLOGS_MAX_RANGE: "2",
      RESTART_MAX_DELAY_MS: "1000",
    });
    try {
      const ops = await main.waitForLine(
        (l) => l.msg === "indexer ops endpoint listening (/metrics /health /ready)",
      );
      const health = () => fetch(`http://127.0.0.1:${ops.port as number}/health`).then((r) => r.status);
      // The middle of the backfill, waited for on the checkpoint.
      const at = await waitForCheckpoint(pool, (b) => b >= cast.deployBlock + 20n, [main]);
      expect(at).toBeLessThan(head - 20n);
      await pool.end();

      const stoppedAt = Date.now();
      await server.stop();
      // Reported at once: a failure logged, /health red; the process lives on.
      const failed = await main.waitForLine(
        (l) => l.level === 50 && Date.parse(String(l.time)) >= stoppedAt && l.code === "DATABASE_UNAVAILABLE",
      );
      expect(String(failed.reason)).toMatch(/database unavailable/);
      expect(await health()).toBe(503);
      // The outage itself: the fault this test injects lasts 30 s.
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
      expect(main.child.exitCode).toBeNull();

      server = await startEmbeddedPostgres({
        ...settings,
        dataDir: path.join(root, "data"),
        port: server.port,
      });
      pool = createPgPool({ connectionString: url, name: "test", logger: createSilentLogger(), max: 2 });
      await waitForCheckpoint(pool, (b) => b >= head, [main]);
      await main.waitForLine((l) => l.msg === "caught up with the chain");
      expect(await health()).toBe(200);
      // No unhandled 'error' event, no stack dump: every line is a JSON log line.
      expect(
        main
          .stderr()
          .split("\n")
          .filter((l) => l && !l.startsWith("{")),
      ).toEqual([]);
      expect(await main.stop()).toBe(0);

      const b = await cleanIndex({
        pool: clean.pool,
        rpcUrl: chain.rpcUrl,
        address: cast.address,
        deployBlock: cast.deployBlock,
      });
      const a = await dumpIndex(pool);
      expect(a.event_log!.length).toBe(b.event_log!.length);
      expect(a).toEqual(b);
    } finally {
      if (main.child.exitCode === null) main.child.kill("SIGKILL");
      await pool.end().catch(() => undefined);
    }
  });
});
