/**
 * The attacker's side of the dataset privacy suite: the API server on real HTTP, analysts signed
 * in with Sign-In with Ethereum, and what an ANALYST account can fetch: every release, every class,
 * every row of every dataset it builds. Ground truth (who each row really is) comes from
 * test/graphql/dataset-fixtures.ts, which holds the server secret; the attacker never uses it.
 */
import { type Hex, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import {
  AGE_LEVEL_NAMES,
  ageAt,
  isReleasableDistrict,
  PERIOD_LEVEL_NAMES,
  periodAt,
  REGION_LEVEL_NAMES,
  regionAt,
  SEX_LEVEL_NAMES,
  sexAt,
} from "../../graphql/analytics/datasets/hierarchies.ts";
import { thursdayOf } from "../../graphql/analytics/datasets/periods.ts";
import { apiConfigSchema } from "../../graphql/config.ts";
import { type ApiServer, createApiServer } from "../../graphql/server.ts";
import { parseConfig } from "../../shared/config.ts";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { SECRET } from "../graphql/analytics-fixtures.ts";
import { apiEnv, DOMAIN, ORIGIN, PEPPER } from "../graphql/harness.ts";
import type { TestDatabase } from "../helpers/db.ts";

export interface GqlAnswer<T> {
  data: T | null;
  codes: string[];
  messages: string[];
}

export interface AttackerApi {
  readonly server: ApiServer;
  gql<T>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlAnswer<T>>;
  /** Sign-In with Ethereum as the account of `privateKey`; the session token. */
  signIn(privateKey: Hex): Promise<string>;
  /** GET a path with a session token: status, headers, body. */
  get(
    path: string,
    token: string,
    method?: string,
  ): Promise<{ status: number; headers: Headers; body: string }>;
}

/** A deployment record for a database filled by fixtures (no chain behind it). */
export function fixtureDeployment(): DeploymentRecord {
  return {
    chainId: 31337,
    address: "0x0000000000000000000000000000000000000abc",
    deployBlock: 1,
    deployTxHash: `0x${"00".repeat(32)}`,
    governance: "0x0000000000000000000000000000000000000001",
    referenceKeyId: referenceKeyId(PEPPER),
    deployedAt: "2025-01-01T00:00:00.000Z",
  };
}

/** Grants a global role as the indexer records it (fixture databases only). */
export async function grantInDatabase(db: TestDatabase, privateKey: Hex, role: string): Promise<void> {
  const account = privateKeyToAccount(privateKey).address.toLowerCase();
  await db.pool.query(
    `INSERT INTO role_grant (account, role, role_id, active, granted_by, granted_at, granted_block)
     VALUES ($1, $2, $3, true, '0x0000000000000000000000000000000000000001', now(), 1)`,
    [account, role, keccak256(toHex(`${role}_ROLE`))],
  );
}

/** The API with releases cut monthly, no lag, and the dataset secret the ground truth knows. */
export async function startAttackerApi(
  db: TestDatabase,
  deployment: DeploymentRecord,
  env: Record<string, string> = {},
): Promise<AttackerApi> {
  const config = parseConfig(
    apiConfigSchema,
    apiEnv(db.url, {
      ANALYTICS_SECRET: SECRET.toString("hex"),
      ANALYTICS_RELEASE_PERIOD: "MONTH",
      ANALYTICS_RELEASE_LAG_DAYS: "0",
      ANALYTICS_RELEASE_POLL_SECONDS: "86400",
      ...env,
    }),
  );
  const server = await createApiServer({
    config,
    prisma: db.prisma,
    pool: db.pool,
    logger: createSilentLogger(),
    deployment,
  });
  const api: AttackerApi = {
    server,
    async gql<T>(query: string, variables: Record<string, unknown> = {}, token: string | null = null) {
      const res = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as {
        data?: T | null;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      return {
        data: body.data ?? null,
        codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
        messages: (body.errors ?? []).map((e) => e.message),
      };
    },
    async signIn(privateKey) {
      const account = privateKeyToAccount(privateKey);
      const nonce = await api.gql<{ nonce: { nonce: string } }>("mutation { nonce { nonce } }");
      const message = createSiweMessage({
        domain: DOMAIN,
        uri: `${ORIGIN}/sign-in`,
        address: account.address,
        chainId: deployment.chainId,
        nonce: nonce.data!.nonce.nonce,
        version: "1",
        issuedAt: new Date(),
      });
      const signature = await account.signMessage({ message });
      const res = await api.gql<{ signIn: { token: string } }>(
        "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
        { m: message, s: signature },
      );
      if (!res.data?.signIn) throw new Error(`sign-in failed: ${res.messages.join("; ")}`);
      return res.data.signIn.token;
    },
    async get(path, token, method = "GET") {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, headers: res.headers, body: await res.text() };
    },
  };
  return api;
}

// ------------------------------------------------------------------------------ what an analyst sees

export interface SeenRegion {
  level: string;
  stateCode: number | null;
  districtCode: number | null;
}

export interface SeenClass {
  number: number;
  ageBand: string;
  sex: string;
  region: SeenRegion;
  period: string;
  rows: number;
  diagnoses: number;
  informationLoss: number;
}

export interface SeenRelease {
  id: string;
  period: string;
  from: string;
  to: string;
  k: number;
  l: number;
  rowCount: number;
  classCount: number;
  chapterRows: number;
  suppressedRows: { approximately: number; roundedTo: number };
  informationLoss: number;
  generalization: { age: string; sex: string; region: string; period: string; diagnosis: string };
  values: { ageBands: string[]; sexes: string[]; periods: string[]; regions: SeenRegion[] };
  classes: SeenClass[];
}

export interface SeenRow {
  pseudonym: string;
  ageBand: string;
  sex: string;
  region: SeenRegion;
  period: string;
  diagnosis: string | null;
  diagnosisLevel: string;
  stage: string;
  lengthOfStayDays: number | null;
  vitals: { count: number };
  verifiedAttachments: number;
}

export interface SeenDataset {
  id: string;
  rowCount: number;
  classCount: number;
  informationLoss: number;
  exportPath: string;
  rows: SeenRow[];
}

const REGION = "region { level stateCode districtCode }";
const RELEASE_FIELDS = `id period from to k l rowCount classCount chapterRows informationLoss
  suppressedRows { approximately roundedTo }
  generalization { age sex region period diagnosis }
  values { ageBands sexes periods regions { level stateCode districtCode } }`;
const ROW_FIELDS = `pseudonym ageBand sex ${REGION} period diagnosis diagnosisLevel stage lengthOfStayDays
  vitals { count } verifiedAttachments`;

type Connection<T> = { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string } };

/** Every release with every class, as an analyst pages through them. */
export async function fetchReleases(api: AttackerApi, token: string): Promise<SeenRelease[]> {
  const out: SeenRelease[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GqlAnswer<{ datasetReleases: Connection<Omit<SeenRelease, "classes">> }> = await api.gql(
      `query ($after: String) { datasetReleases(first: 10, after: $after) { nodes { ${RELEASE_FIELDS} }
         pageInfo { hasNextPage endCursor } } }`,
      { after },
      token,
    );
    if (!page.data) throw new Error(page.messages.join("; "));
    for (const release of page.data.datasetReleases.nodes) {
      out.push({ ...release, classes: await fetchClasses(api, token, release.id) });
    }
    if (!page.data.datasetReleases.pageInfo.hasNextPage) return out;
    after = page.data.datasetReleases.pageInfo.endCursor;
  }
}

async function fetchClasses(api: AttackerApi, token: string, id: string): Promise<SeenClass[]> {
  const out: SeenClass[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GqlAnswer<{ datasetRelease: { classes: Connection<SeenClass> } }> = await api.gql(
      `query ($id: ID!, $after: String) { datasetRelease(id: $id) { classes(first: 100, after: $after) {
         nodes { number ageBand sex ${REGION} period rows diagnoses informationLoss }
         pageInfo { hasNextPage endCursor } } } }`,
      { id, after },
      token,
    );
    if (!page.data) throw new Error(page.messages.join("; "));
    out.push(...page.data.datasetRelease.classes.nodes);
    if (!page.data.datasetRelease.classes.pageInfo.hasNextPage) return out;
    after = page.data.datasetRelease.classes.pageInfo.endCursor;
  }
}

/** Creates a dataset and reads every row of it through GraphQL; the error codes when refused. */
export async function buildDataset(
  api: AttackerApi,
  token: string,
  input: Record<string, unknown>,
): Promise<SeenDataset | { refused: string[]; messages: string[] }> {
  const created = await api.gql<{ createDeidentifiedDataset: Omit<SeenDataset, "rows"> }>(
    `mutation ($input: DatasetInput!) { createDeidentifiedDataset(input: $input) {
       id rowCount classCount informationLoss exportPath } }`,
    { input },
    token,
  );
  if (!created.data) return { refused: created.codes, messages: created.messages };
  const dataset = created.data.createDeidentifiedDataset;
  const rows: SeenRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GqlAnswer<{ deidentifiedDataset: { rows: Connection<SeenRow> } }> = await api.gql(
      `query ($id: ID!, $after: String) { deidentifiedDataset(id: $id) { rows(first: 100, after: $after) {
         nodes { ${ROW_FIELDS} } pageInfo { hasNextPage endCursor } } } }`,
      { id: dataset.id, after },
      token,
    );
    if (!page.data) throw new Error(page.messages.join("; "));
    rows.push(...page.data.deidentifiedDataset.rows.nodes);
    if (!page.data.deidentifiedDataset.rows.pageInfo.hasNextPage) return { ...dataset, rows };
    after = page.data.deidentifiedDataset.rows.pageInfo.endCursor;
  }
}

export const isRefused = (
  d: SeenDataset | { refused: string[] },
): d is { refused: string[]; messages: string[] } => "refused" in d;

/** The class key of a row or class, as the attacker sees it. */
export const classKey = (r: { ageBand: string; sex: string; region: SeenRegion; period: string }): string =>
  [r.ageBand, r.sex, r.region.stateCode, r.region.districtCode, r.period].join("|");

/** What the attacker knows about a person: one admission's day (IST), district, sex and age band. */
export interface PublicFacts {
  /** Epoch day (IST) of the admission. */
  readonly day: number;
  readonly stateCode: number;
  readonly districtCode: number;
  readonly sex: string;
  /** 5-year band at admission (from the age the attacker knows). */
  readonly ageBand: string;
}

/** The class key a person's admission falls in, computed from public facts and the release's levels. */
export function classOfFacts(release: SeenRelease, facts: PublicFacts): string {
  const age = AGE_LEVEL_NAMES.indexOf(release.generalization.age as (typeof AGE_LEVEL_NAMES)[number]);
  const sex = SEX_LEVEL_NAMES.indexOf(release.generalization.sex as (typeof SEX_LEVEL_NAMES)[number]);
  const region = REGION_LEVEL_NAMES.indexOf(
    release.generalization.region as (typeof REGION_LEVEL_NAMES)[number],
  );
  const period = PERIOD_LEVEL_NAMES.indexOf(
    release.generalization.period as (typeof PERIOD_LEVEL_NAMES)[number],
  );
  const r = regionAt(
    {
      stateCode: facts.stateCode,
      districtCode: isReleasableDistrict(facts.districtCode) ? facts.districtCode : null,
    },
    region,
  );
  return [
    ageAt(facts.ageBand, age),
    sexAt(facts.sex, sex),
    r.stateCode,
    r.districtCode,
    periodAt(thursdayOf(facts.day), period),
  ].join("|");
}
