/**
 * Read replicas, for real: a primary and a streaming hot standby started here
 * (test/helpers/replication.ts), the API on both as its own login. Reads of the chain-derived
 * tables come from the standby; sessions are written to the primary and usable at once; the
 * standby's lag shows in /ready and /metrics, and a standby too far behind is not ready; when the
 * standby stops, reads move to the primary at once and /ready says so (graphql/read-replica.ts).
 */

import { PrismaPg } from "@prisma/adapter-pg";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiConfigSchema } from "../../graphql/config.ts";
import { createApiPool, createReadPool } from "../../graphql/db-pool.ts";
import { type ApiServer, createApiServer } from "../../graphql/server.ts";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { applyMigrations } from "../../prisma/migrate.ts";
import { parseConfig } from "../../shared/config.ts";
import { DB_GROUPS, ensureGroups, ensureLogin, urlAsLogin } from "../../shared/db/roles.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { createDatabase, databaseUrl, withClient } from "../../shared/services/postgres.ts";
import { type ReplicatedPair, startReplicatedPair } from "../helpers/replication.ts";
import { apiEnv, DOMAIN, ORIGIN, PEPPER } from "./harness.ts";

const DB = "doctel";
const CHAIN_ID = 31337;
const deployment: DeploymentRecord = {
  chainId: CHAIN_ID,
  address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  deployBlock: 1,
  deployTxHash: `0x${"11".repeat(32)}`,
  governance: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
  referenceKeyId: referenceKeyId(PEPPER),
  deployedAt: new Date().toISOString(),
};

let pair: ReplicatedPair;
let primaryAdmin: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const logins = inject("databaseLogins");
  pair = await startReplicatedPair({
    async prepare(url) {
      await withClient(url, async (c) => {
        await ensureGroups(c);
        await ensureLogin(c, { ...logins.api, group: DB_GROUPS.api });
      });
      const admin = await createDatabase(url, DB);
      await applyMigrations({ databaseUrl: admin });
      // What the indexer would have written: a checkpoint and a hospital.
      await withClient(admin, async (c) => {
        const hash = `0x${"ab".repeat(32)}`;
        await c.query(
          `INSERT INTO indexer_state (chain_id, contract_address, deploy_block, indexed_block, indexed_block_hash, finalized_block, head_block)
           VALUES ($1, $2, 1, 10, $3, 10, 10)`,
          [CHAIN_ID, deployment.address, hash],
        );
        await c.query(
          `INSERT INTO hospital (id, name, state_code, district_code, registered_by, registered_at, registered_block, tx_hash)
           VALUES (1, 'AIIMS Delhi', 7, 77, $1, now(), 2, $2)`,
          [deployment.address, hash],
        );
      });
    },
  });
  primaryAdmin = databaseUrl(pair.primary.url, DB);
  await pair.caughtUp();
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await pair?.stop();
});

/** An API on the pair, as its login; the test closes it. */
async function startApi(env: Record<string, string> = {}): Promise<ApiServer> {
  const login = inject("databaseLogins").api;
  const pool = createApiPool({ databaseUrl: urlAsLogin(primaryAdmin, login), size: 4 });
  const readPool = createReadPool({
    databaseUrl: urlAsLogin(databaseUrl(pair.standby.url, DB), login),
    size: 4,
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const config = parseConfig(apiConfigSchema, {
    ...apiEnv(primaryAdmin, {
      READ_REPLICA_CHECK_MS: "50",
      READ_REPLICA_MAX_LAG_BYTES: String(1024 * 1024),
      ...env,
    }),
    READ_DATABASE_URL: urlAsLogin(databaseUrl(pair.standby.url, DB), login),
  });
  const api = await createApiServer({
    config,
    pool,
    readPool,
    prisma,
    logger: createSilentLogger(),
    deployment,
  });
  closers.push(async () => {
    await api.close();
    await prisma.$disconnect();
    await readPool.end();
    await pool.end();
  });
  return api;
}

async function gql<T>(
  api: ApiServer,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
) {
  const res = await fetch(`${api.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: T; errors?: { message: string }[] } };
}

async function signIn(api: ApiServer): Promise<string> {
  const account = privateKeyToAccount(generatePrivateKey());
  const nonce = await gql<{ nonce: { nonce: string } }>(api, "mutation { nonce { nonce } }");
  const message = createSiweMessage({
    domain: DOMAIN,
    uri: `${ORIGIN}/sign-in`,
    address: account.address,
    chainId: CHAIN_ID,
    nonce: nonce.body.data!.nonce.nonce,
    version: "1",
    issuedAt: new Date(),
  });
  const res = await gql<{ signIn: { token: string } }>(
    api,
    "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
    { m: message, s: await account.signMessage({ message }) },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.signIn.token;
}

async function ready(api: ApiServer) {
  const res = await fetch(`${api.url}/ready`);
  return {
    status: res.status,
    body: (await res.json()) as { replica?: { state: string; lagBytes: number | null; readsFrom: string } },
  };
}

/** Polls /ready until `predicate` holds (the replica is checked every 50 ms). */
async function readyUntil(api: ApiServer, predicate: (r: Awaited<ReturnType<typeof ready>>) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await ready(api);
    if (predicate(r)) return r;
    if (Date.now() > deadline) throw new Error(`/ready never matched: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function readsFrom(api: ApiServer, target: "replica" | "primary"): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const match = new RegExp(`doctel_api_db_reads_total\\{target="${target}"\\} (\\d+)`).exec(text);
  return match ? Number(match[1]) : 0;
}

const HOSPITALS = "{ hospitals { nodes { name } } }";
const names = (r: { body: { data?: unknown } }) =>
  (r.body.data as { hospitals: { nodes: { name: string }[] } }).hospitals.nodes.map((h) => h.name);

describe("the API on a primary and a streaming standby", () => {
  it("reads chain-derived tables from the standby, and uses a session the moment it is created on the primary", async () => {
    const api = await startApi();
    // The API's background jobs may write on the primary as it starts (publications, releases): the
    // standby is caught up once it has replayed them.
    const status = await readyUntil(api, (r) => r.body.replica?.lagBytes === 0);
    expect(status.status).toBe(200);
    expect(status.body.replica).toMatchObject({ state: "ok", readsFrom: "replica", lagBytes: 0 });
    const before = await readsFrom(api, "replica");
    for (let i = 0; i < 3; i++) {
      const token = await signIn(api);
      const res = await gql<{ hospitals: { nodes: { name: string }[] }; viewer: { address: string } }>(
        api,
        `{ viewer { address } ${HOSPITALS.slice(1, -1)} }`,
        {},
        token,
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.viewer.address).toMatch(/^0x/);
      expect(names(res)).toEqual(["AIIMS Delhi"]);
    }
    expect(await readsFrom(api, "replica")).toBeGreaterThan(before);
    expect(await readsFrom(api, "primary")).toBe(0);
  });

  it("shows the standby's lag in /ready and /metrics, and a standby too far behind is not ready; reads move to the primary", async () => {
    const api = await startApi();
    const token = await signIn(api);
    await withClient(pair.standby.url, (c) => c.query("SELECT pg_wal_replay_pause()"));
    try {
      await withClient(primaryAdmin, async (c) => {
        await c.query(
          `INSERT INTO hospital (id, name, state_code, district_code, registered_by, registered_at, registered_block, tx_hash)
           VALUES (2, 'KEM Mumbai', 27, 466, 'x', now(), 3, 'y')`,
        );
        // Replication lag the size of 2 MiB of WAL, past the 1 MiB allowed.
        await c.query(
          "CREATE TABLE lag_ballast AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g",
        );
      });
      const lagging = await readyUntil(api, (r) => r.body.replica?.state === "lagging");
      expect(lagging.status).toBe(503);
      expect(lagging.body.replica!.lagBytes).toBeGreaterThan(1024 * 1024);
      expect(lagging.body).toMatchObject({ ready: false, reason: "read replica lagging" });
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(Number(/doctel_api_read_replica_lag_bytes (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(
        1024 * 1024,
      );
      expect(metrics).toMatch(/doctel_api_read_replica_up 0/);
      // The primary has both hospitals; the paused standby only the first.
      expect(names(await gql(api, HOSPITALS, {}, token))).toEqual(["AIIMS Delhi", "KEM Mumbai"]);
    } finally {
      await withClient(pair.standby.url, (c) => c.query("SELECT pg_wal_replay_resume()"));
      await withClient(primaryAdmin, (c) => c.query("DROP TABLE IF EXISTS lag_ballast"));
    }
    const back = await readyUntil(api, (r) => r.body.replica?.state === "ok");
    expect(back.status).toBe(200);
  });

  it("when the standby stops: reads go to the primary at once, /ready is 503, or 200 with READ_REPLICA_FALLBACK=primary", async () => {
    const unready = await startApi({ READ_REPLICA_CHECK_MS: "60000" });
    const degraded = await startApi({ READ_REPLICA_FALLBACK: "primary" });
    const token = await signIn(unready);
    expect((await ready(unready)).body.replica?.state).toBe("ok");
    await pair.standby.stop();
    // The next read finds the standby gone and is served by the primary, long before the next check.
    const res = await gql(unready, HOSPITALS, {}, token);
    expect(res.body.errors).toBeUndefined();
    expect(names(res)).toEqual(["AIIMS Delhi", "KEM Mumbai"]);
    expect(await readsFrom(unready, "primary")).toBeGreaterThan(0);
    const down = await ready(unready);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      ready: false,
      reason: "read replica down",
      replica: { state: "down", readsFrom: "primary" },
    });
    const stillServing = await readyUntil(degraded, (r) => r.body.replica?.state === "down");
    expect(stillServing.status).toBe(200);
    expect(names(await gql(degraded, HOSPITALS, {}, await signIn(degraded)))).toEqual([
      "AIIMS Delhi",
      "KEM Mumbai",
    ]);
  });
});
