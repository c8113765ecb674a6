/**
 * The API under test, end to end: a real chain (Hardhat's JSON-RPC server) with DocTel deployed,
 * the indexer following it in-process into this file's own PostgreSQL database (as the indexer's
 * login, a member of doctel_indexer), the API server on real HTTP (as the API's login, doctel_api),
 * SDK clients for writes, and SIWE sign-in with private-key accounts.
 */
import { Writable } from "node:stream";
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import type { Hex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { afterAll, beforeAll } from "vitest";
import { apiConfigSchema } from "../../graphql/config.ts";
import { type ApiServer, createApiServer } from "../../graphql/server.ts";
import { indexerConfigSchema } from "../../indexer/config.ts";
import { createIndexer } from "../../indexer/indexer.ts";
import { indexerSettings } from "../../indexer/main.ts";
import { createIndexerMetrics } from "../../indexer/ops/metrics.ts";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { createDocTelClient, type DocTelClient, type SigningWalletClient } from "../../sdk/index.ts";
import { parseConfig } from "../../shared/config.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { createSilentLogger, type Logger } from "../../shared/logger.ts";
import { type TestChain, type TestWalletClient, useTestChain } from "../helpers/chain.ts";
import { type StatementCount, type TestDatabase, useTestDatabase } from "../helpers/db.ts";

/** Test secrets: 32 bytes each, never real ones. */
export const PEPPER = Buffer.alloc(32, 0x5a);
export const SESSION_SECRET_HEX = "ab".repeat(32);
export const ORIGIN = "https://doctel.test";
export const DOMAIN = "doctel.test";

export const AADHAAR = {
  patient1: completeAadhaar("23456789012"),
  patient2: completeAadhaar("34567890123"),
  staff1: completeAadhaar("45678901234"),
  staff2: completeAadhaar("56789012345"),
  doctor: completeAadhaar("67890123456"),
  doctor2: completeAadhaar("78901234567"),
  unregistered: completeAadhaar("89012345678"),
} as const;

/** Logs kept in memory, to look for what must never be logged. */
export interface LogCapture {
  logger: Logger;
  text(): string;
  lines(): Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: "debug", base: { service: "api-test" } }, stream);
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors:
    | { message: string; extensions?: { code?: string } & Record<string, unknown>; path?: string[] }[]
    | undefined;
  codes: string[];
  headers: Headers;
}

export interface ApiWorld {
  readonly db: TestDatabase;
  readonly chain: TestChain;
  readonly deployment: DeploymentRecord;
  readonly api: ApiServer;
  readonly logs: LogCapture;
  /** SDK client writing as wallet `i` (the node's development accounts). */
  client(i: number): DocTelClient;
  wallet(i: number): TestWalletClient;
  /** Waits until the indexer has committed `block` (default: the chain head). */
  indexed(block?: bigint): Promise<void>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
    url?: string,
  ): Promise<GqlResult<T>>;
  /** Signs a SIWE message as wallet `i` with `overrides`, returns message and signature. */
  siwe(
    i: number,
    overrides?: Partial<Parameters<typeof createSiweMessage>[0]>,
    url?: string,
  ): Promise<{ message: string; signature: Hex }>;
  /** Full sign-in: nonce, message, signature, signIn → token. */
  signIn(i: number, url?: string): Promise<string>;
  /** Starts another API server on the same database (other settings); closed after the file. */
  startApi(
    env?: Record<string, string>,
    extra?: { pool?: import("pg").Pool; logger?: Logger; clock?: () => Date },
  ): Promise<ApiServer>;
  /** Counts the statements the API sends (on its pool) while `fn` runs. */
  countApiStatements<T>(fn: () => Promise<T>): Promise<StatementCount<T>>;
}

export function apiEnv(dbUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: dbUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    NODE_ENV: "test",
    DOCTEL_PEPPER: PEPPER.toString("hex"),
    SESSION_SECRET: SESSION_SECRET_HEX,
    ALLOWED_ORIGINS: ORIGIN,
    MAX_PAGE_SIZE: "100",
    LOG_LEVEL: "debug",
    // Test files sign in and query from one address far faster than people do: limits are tested
    // on their own (test/graphql/limits.test.ts), with their defaults.
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: "100000",
    RATE_LIMIT_ACCOUNT_PER_MINUTE: "100000",
    RATE_LIMIT_WRITES_PER_MINUTE: "100000",
    // Tests publish explicitly (publishDue, or the job's runOnce with an injected clock).
    PUBLICATION_INTERVAL_SECONDS: "0",
    ...extra,
  };
}

export function useApiWorld(options: { apiEnv?: Record<string, string> } = {}): ApiWorld {
  const db = useTestDatabase({ poolSize: 8 });
  const chain = useTestChain();
  const logs = captureLogs();
  let deployment: DeploymentRecord | undefined;
  let api: ApiServer | undefined;
  const extraServers: ApiServer[] = [];
  const clients = new Map<number, DocTelClient>();
  const controller = new AbortController();
  let indexing: Promise<void> | undefined;

  beforeAll(async () => {
    const deployed = await chain.deployDocTel({ pepper: PEPPER });
    const block = await chain.publicClient.getBlock({ blockNumber: deployed.deployBlock });
    deployment = {
      chainId: chain.chain.id,
      address: deployed.address,
      deployBlock: Number(deployed.deployBlock),
      deployTxHash: deployed.txHash,
      governance: chain.wallets[0]!.account.address,
      referenceKeyId: referenceKeyId(PEPPER),
      deployedAt: new Date(Number(block.timestamp) * 1000).toISOString(),
    };
    const indexerConfig = parseConfig(indexerConfigSchema, {
      DATABASE_URL: db.url,
      RPC_URL: chain.rpcUrl,
      CHAIN_ID: String(chain.chain.id),
      CONTRACT_ADDRESS: deployed.address,
      START_BLOCK: String(deployed.deployBlock),
      POLL_INTERVAL_MS: "50",
      RPC_RETRIES: "2",
    });
    const indexer = createIndexer({
      target: {
        chainId: chain.chain.id,
        contractAddress: deployed.address,
        deployBlock: deployed.deployBlock,
      },
      settings: indexerSettings(indexerConfig),
      pool: db.indexerPool,
      logger: createSilentLogger(),
      metrics: createIndexerMetrics(),
    });
    indexing = indexer.run(controller.signal);
    indexing.catch(() => undefined);
    const config = parseConfig(apiConfigSchema, apiEnv(db.url, options.apiEnv));
    api = await createApiServer({
      config,
      prisma: db.apiPrisma,
      pool: db.apiPool,
      logger: logs.logger,
      deployment,
    });
  });

  afterAll(async () => {
    for (const server of extraServers) await server.close();
    await api?.close();
    controller.abort();
    await indexing?.catch(() => undefined);
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} exists only from beforeAll on`);
    return value;
  };

  const world: ApiWorld = {
    db,
    chain,
    logs,
    get deployment() {
      return need(deployment, "the deployment");
    },
    get api() {
      return need(api, "the API server");
    },
    wallet: (i) => chain.wallets[i]!,
    client(i) {
      let c = clients.get(i);
      if (!c) {
        c = createDocTelClient({
          publicClient: chain.publicClient as never,
          walletClient: chain.wallets[i] as unknown as SigningWalletClient,
          address: need(deployment, "the deployment").address,
          pepper: PEPPER,
          pollingIntervalMs: 20,
        });
        clients.set(i, c);
      }
      return c;
    },
    async indexed(block) {
      // cacheTime 0: viem would otherwise answer from its cache, a head from before the last write.
      const target = block ?? (await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      for (let i = 0; i < 600; i++) {
        const { rows } = await db.pool.query<{ b: string }>(
          "SELECT indexed_block::text AS b FROM indexer_state",
        );
        if (rows[0] && BigInt(rows[0].b) >= target) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`the indexer did not reach block ${target}`);
    },
    async gql(query, variables = {}, token = null, url) {
      const res = await fetch(`${url ?? world.api.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: GqlResult["errors"] };
      return {
        status: res.status,
        data: body.data as never,
        errors: body.errors,
        codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
        headers: res.headers,
      };
    },
    async siwe(i, overrides = {}, url) {
      const { data, errors } = await world.gql<{ nonce: { nonce: string } }>(
        "mutation { nonce { nonce } }",
        {},
        null,
        url,
      );
      if (!data?.nonce) throw new Error(`nonce failed: ${JSON.stringify(errors)}`);
      const account = chain.wallets[i]!.account;
      const message = createSiweMessage({
        domain: DOMAIN,
        uri: `${ORIGIN}/sign-in`,
        address: account.address,
        chainId: chain.chain.id,
        nonce: data.nonce.nonce,
        version: "1",
        issuedAt: new Date(),
        statement: "Sign in to DocTel",
        ...overrides,
      });
      const signature = await account.signMessage({ message });
      return { message, signature };
    },
    async signIn(i, url) {
      const { message, signature } = await world.siwe(i, {}, url);
      const res = await world.gql<{ signIn: { token: string } }>(
        "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
        { m: message, s: signature },
        null,
        url,
      );
      if (!res.data?.signIn) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
      return res.data.signIn.token;
    },
    async startApi(env = {}, extra = {}) {
      const config = parseConfig(apiConfigSchema, apiEnv(db.url, env));
      const server = await createApiServer({
        config,
        prisma: extra.pool ? new PrismaClient({ adapter: new PrismaPg(extra.pool) }) : db.apiPrisma,
        pool: extra.pool ?? db.apiPool,
        logger: extra.logger ?? createSilentLogger(),
        deployment: need(deployment, "the deployment"),
        ...(extra.clock ? { clock: extra.clock } : {}),
      });
      extraServers.push(server);
      return server;
    },
    countApiStatements: (fn) => db.countStatements(fn, db.apiPool),
  };
  return world;
}

/** Development account indexes used by the scenario. */
export const W = {
  governance: 0,
  staff1: 1,
  doctor: 2,
  doctor2: 3,
  analyst: 4,
  publicHealth: 5,
  auditor: 6,
  staff2: 7,
  outsider: 8,
  spare: 9,
} as const;

export const PATIENT = {
  weightGrams: 68_000,
  heightCm: 172,
  sex: "FEMALE",
  bloodGroup: "O+",
  birthDate: "1985-04-12",
  stateCode: 7,
  districtCode: 77,
} as const;

export interface Scenario {
  hospital1: number;
  hospital2: number;
  /** P1 at hospital 1, doctor assigned, diagnosed, vitals. */
  t1: string;
  /** P2 at hospital 1, no doctor. */
  t2: string;
  /** P1 at hospital 2. */
  t3: string;
  ref1: string;
  ref2: string;
}

/**
 * Two hospitals; staff at each; two doctors at hospital 1; P1 treated at both hospitals (the
 * doctor assigned at hospital 1), P2 at hospital 1 without a doctor; the three data roles.
 */
export async function buildScenario(world: ApiWorld): Promise<Scenario> {
  const gov = world.client(W.governance);
  const addr = (i: number) => world.wallet(i).account.address;
  const { hospitalId: hospital1 } = await gov.registerHospital({
    name: "AIIMS Delhi",
    stateCode: 7,
    districtCode: 77,
  });
  const { hospitalId: hospital2 } = await gov.registerHospital({
    name: "KEM Mumbai",
    stateCode: 27,
    districtCode: 466,
  });
  await gov.registerStaff({ account: addr(W.staff1), hospitalId: hospital1, aadhaar: AADHAAR.staff1 });
  await gov.registerStaff({ account: addr(W.staff2), hospitalId: hospital2, aadhaar: AADHAAR.staff2 });
  await gov.grantRole({ role: "ANALYST", account: addr(W.analyst) });
  await gov.grantRole({ role: "PUBLIC_HEALTH", account: addr(W.publicHealth) });
  await gov.grantRole({ role: "AUDITOR", account: addr(W.auditor) });
  const staff1 = world.client(W.staff1);
  const staff2 = world.client(W.staff2);
  await staff1.registerDoctor({
    account: addr(W.doctor),
    aadhaar: AADHAAR.doctor,
    specialty: "ENDOCRINOLOGY",
  });
  await staff1.registerDoctor({
    account: addr(W.doctor2),
    aadhaar: AADHAAR.doctor2,
    specialty: "CARDIOLOGY",
  });
  await staff1.registerPatient({ aadhaar: AADHAAR.patient1, ...PATIENT });
  await staff1.registerPatient({
    aadhaar: AADHAAR.patient2,
    ...PATIENT,
    sex: "MALE",
    birthDate: "1990-01-01",
  });
  await staff1.updatePatient({ aadhaar: AADHAAR.patient1, ...PATIENT, weightGrams: 66_500 });
  const { treatmentId: t1 } = await staff1.openTreatment({ patientAadhaar: AADHAAR.patient1 });
  await staff1.assignDoctor({ treatmentId: t1, doctor: addr(W.doctor) });
  const doctor = world.client(W.doctor);
  await doctor.recordDiagnosis({ treatmentId: t1, icd10: "E11.9" });
  await doctor.advanceStage({ treatmentId: t1, stage: "DIAGNOSED" });
  const now = Math.floor(Date.now() / 1000);
  await doctor.recordVitalsBatch({
    treatmentId: t1,
    readings: [
      {
        measuredAt: now - 7200,
        temperatureCentiC: 3700,
        systolicMmHg: 120,
        diastolicMmHg: 80,
        heartRateBpm: 70,
      },
      {
        measuredAt: now - 3600,
        temperatureCentiC: 3800,
        systolicMmHg: 130,
        diastolicMmHg: 85,
        heartRateBpm: 90,
      },
      { measuredAt: now - 60, temperatureCentiC: 3650, heartRateBpm: 64, spo2Permille: 975 },
    ],
  });
  const { treatmentId: t2 } = await staff1.openTreatment({ patientAadhaar: AADHAAR.patient2 });
  const { treatmentId: t3 } = await staff2.openTreatment({ patientAadhaar: AADHAAR.patient1 });
  await world.indexed();
  return {
    hospital1,
    hospital2,
    t1: String(t1),
    t2: String(t2),
    t3: String(t3),
    ref1: await staff1.reference(AADHAAR.patient1),
    ref2: await staff1.reference(AADHAAR.patient2),
  };
}
