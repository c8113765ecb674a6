/**
 * `npm start`'s stack for the tests, as a user gets it: startStack (cli/start/stack.ts) with the
 * demo simulation (SIMULATE=demo, the real demo's density), the embedded chain and IPFS node on
 * free ports, this file's database, the indexer with file verification, and the API with the
 * dashboards in demo mode. Ready once every block is indexed, no file waits for verification,
 * every dataset release due on the indexed chain is cut and every week due is published.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { afterAll, beforeAll } from "vitest";
import { z } from "zod";
import { startConfigSchema } from "../../cli/start/config.ts";
import { loadSecrets } from "../../cli/start/secrets.ts";
import { type RunningStack, startStack } from "../../cli/start/stack.ts";
import { DASHBOARDS_DIST_DIR } from "../../dashboards/serve.ts";
import { cutDueReleases } from "../../graphql/analytics/datasets/cut-due-releases.ts";
import { datasetConfigFields, datasetSettingsFrom } from "../../graphql/analytics/datasets/settings.ts";
import { publishDueNow } from "../../graphql/analytics/publications/job.ts";
import { publicationConfigFields, publicationSettingsFrom } from "../../graphql/analytics/settings.ts";
import { parseConfig } from "../../shared/config.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import type { CastFile } from "../../simulator/index.ts";
import { useTestDatabase } from "../helpers/db.ts";

export interface DemoStack {
  readonly db: ReturnType<typeof useTestDatabase>;
  /** The API (and dashboards) origin, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  readonly rpcUrl: string;
  readonly cast: CastFile;
  /** GraphQL as a bearer token (or anonymous); throws on transport errors, returns errors. */
  gql<T>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlAnswer<T>>;
  /** Signs in (SIWE) with a cast account's key; the token. */
  signIn(privateKey: string): Promise<string>;
}

export interface GqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
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

/** Polls `check` until it returns a value (state, not time: each poll reads the real state). */
async function until<T>(what: string, check: () => Promise<T | undefined>, attempts = 2_400): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached after ${attempts} polls`);
}

export function useDemoStack(): DemoStack {
  const db = useTestDatabase({ poolSize: 8 });
  let stack: RunningStack | undefined;
  let home: string | undefined;
  let cast: CastFile | undefined;

  const gql = async <T>(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = null,
  ) => {
    if (!stack) throw new Error("useDemoStack(): the stack exists only from beforeAll on");
    const res = await fetch(`${stack.apiUrl}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlAnswer<T>;
  };

  beforeAll(async () => {
    if (!existsSync(path.join(DASHBOARDS_DIST_DIR, "index.html"))) {
      throw new Error("dashboards/dist is not built: run `npm run build:dashboards` first (`npm test` does)");
    }
    home = await mkdtemp(path.join(tmpdir(), "doctel-demo-"));
    const config = parseConfig(startConfigSchema, {
      DOCTEL_HOME: home,
      DATABASE_URL: db.url,
      PORT: String(await freePort()),
      EMBEDDED_CHAIN_PORT: String(await freePort()),
      EMBEDDED_IPFS_PORT: String(await freePort()),
      INDEXER_OPS_PORT: String(await freePort()),
      SIMULATE: "demo",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
    });
    const env = { NODE_ENV: "test" };
    const started = performance.now();
    stack = await startStack(config, env, createSilentLogger());
    console.info(`demo outcome: stack started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    cast = JSON.parse(await readFile(path.join(home, "cast.json"), "utf8")) as CastFile;
    const head = await until("the chain head", async () => {
      const res = await fetch(stack!.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
      });
      return Number(((await res.json()) as { result: string }).result);
    });
    await until(`the index at block ${head}`, async () => {
      const { data } = await gql<{ indexingStatus: { indexedBlock: string | null } }>(
        "{ indexingStatus { indexedBlock } }",
      );
      return Number(data?.indexingStatus.indexedBlock ?? 0) >= head ? true : undefined;
    });
    await until("every attachment verified", async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM file_verification WHERE status = 'PENDING'",
      );
      return rows[0]?.n === 0 ? true : undefined;
    });
    // The API's release cutter ran at its start, on an index that was still catching up, and runs
    // again only every ANALYTICS_RELEASE_POLL_SECONDS: cut what is due on the whole index now, with
    // the API's schedule (parsed from the same environment) and its secret. A run that gets the
    // advisory lock cuts every due period; while the API's own run holds it, try again.
    const { datasetReleases: schedule } = datasetSettingsFrom(z.object(datasetConfigFields).parse(env));
    const secret = Buffer.from((await loadSecrets(home, env)).analyticsSecret, "hex");
    await until("the due dataset releases cut", async () => {
      const outcome = await cutDueReleases({ pool: db.pool, logger: createSilentLogger(), secret, schedule });
      return outcome.locked ? true : undefined;
    });
    // The same for the publication job: publish every week due on the whole index now, as the
    // API's job does (same settings, same lock, by the chain's finalized time), as the API's login.
    const { publications } = publicationSettingsFrom(z.object(publicationConfigFields).parse(env));
    await until("the due weeks published", async () => {
      const outcome = await publishDueNow({
        pool: db.apiPool,
        settings: publications,
        logger: createSilentLogger(),
      });
      return outcome.locked ? true : undefined;
    });
    console.info(
      `demo outcome: ready (indexed, verified, cut, published) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 900_000);

  afterAll(async () => {
    await stack?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const need = () => {
    if (!stack || !cast) throw new Error("useDemoStack(): the stack exists only from beforeAll on");
    return { stack, cast };
  };
  return {
    db,
    get origin() {
      return need().stack.apiUrl;
    },
    get rpcUrl() {
      return need().stack.rpcUrl;
    },
    get cast() {
      return need().cast;
    },
    gql,
    async signIn(privateKey) {
      const { stack: s, cast: c } = need();
      const { data, errors } = await gql<{ nonce: { nonce: string } }>("mutation { nonce { nonce } }");
      if (!data) throw new Error(`nonce failed: ${JSON.stringify(errors)}`);
      const account = privateKeyToAccount(privateKey as `0x${string}`);
      const origin = new URL(s.apiUrl);
      const message = createSiweMessage({
        domain: origin.host,
        uri: `${origin.origin}/sign-in`,
        address: account.address,
        chainId: c.chainId,
        nonce: data.nonce.nonce,
        version: "1",
        issuedAt: new Date(),
        statement: "Sign in to DocTel",
      });
      const signature = await account.signMessage({ message });
      const answer = await gql<{ signIn: { token: string } }>(
        "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
        { m: message, s: signature },
      );
      if (!answer.data?.signIn) throw new Error(`sign-in failed: ${JSON.stringify(answer.errors)}`);
      return answer.data.signIn.token;
    },
  };
}
