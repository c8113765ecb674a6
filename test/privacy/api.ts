/**
 * The API under attack: the real API server on real HTTP over this file's own PostgreSQL, with
 * the simulated network written as the indexer writes it (network.ts), and several PUBLIC_HEALTH
 * accounts (private keys, roles granted as the indexer records them) signed in with SIWE. No
 * chain is needed: the attacker only talks to the API.
 */
import { request } from "node:http";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { afterAll, beforeAll } from "vitest";
import { apiConfigSchema } from "../../graphql/config.ts";
import { type ApiServer, createApiServer } from "../../graphql/server.ts";
import { parseConfig } from "../../shared/config.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { apiEnv, DOMAIN, ORIGIN, PEPPER } from "../graphql/harness.ts";
import { type TestDatabase, useTestDatabase } from "../helpers/db.ts";

export interface AttackWorld {
  readonly db: TestDatabase;
  readonly api: ApiServer;
  /** Session tokens of colluding PUBLIC_HEALTH accounts. */
  readonly tokens: string[];
  gql<T>(
    query: string,
    variables: Record<string, unknown>,
    token: string,
  ): Promise<{ data: T | null; errors?: { message: string; extensions?: { code?: string } }[] }>;
}

const CHAIN_ID = 31337;

export function useAttackWorld(options: { accounts: number; env?: Record<string, string> }): AttackWorld {
  const db = useTestDatabase({ poolSize: 8 });
  let api: ApiServer | undefined;
  const tokens: string[] = [];
  const world = {
    db,
    tokens,
    get api() {
      if (!api) throw new Error("the API exists from beforeAll on");
      return api;
    },
    /** One connection per request (agent: false): no keep-alive socket the server may have closed. */
    gql<T>(query: string, variables: Record<string, unknown>, token: string) {
      const body = JSON.stringify({ query, variables });
      return new Promise<{ data: T | null; errors?: { message: string; extensions?: { code?: string } }[] }>(
        (resolve, reject) => {
          const req = request(
            `${world.api.url}/graphql`,
            {
              method: "POST",
              agent: false,
              headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
              res.on("error", reject);
            },
          );
          req.on("error", reject);
          req.end(body);
        },
      );
    },
  };
  beforeAll(async () => {
    const config = parseConfig(
      apiConfigSchema,
      apiEnv(db.url, { PUBLICATION_INTERVAL_SECONDS: "0", ...options.env }),
    );
    api = await createApiServer({
      config,
      prisma: db.prisma,
      pool: db.pool,
      logger: createSilentLogger(),
      deployment: {
        chainId: CHAIN_ID,
        address: `0x${"ab".repeat(20)}`,
        deployBlock: 1,
        deployTxHash: `0x${"11".repeat(32)}`,
        governance: `0x${"22".repeat(20)}`,
        referenceKeyId: referenceKeyId(PEPPER),
        deployedAt: new Date().toISOString(),
      },
    });
    for (let i = 0; i < options.accounts; i++) {
      const account = privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, "0")}` as Hex);
      await db.pool.query(
        `INSERT INTO role_grant (account, role, role_id, active, granted_by, granted_at, granted_block)
         VALUES ($1, 'PUBLIC_HEALTH', $2, true, $3, now(), 1)`,
        [account.address.toLowerCase(), `0x${"50".repeat(32)}`, `0x${"22".repeat(20)}`],
      );
      const nonce = (await (
        await fetch(`${api.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "mutation { nonce { nonce } }" }),
        })
      ).json()) as { data: { nonce: { nonce: string } } };
      const message = createSiweMessage({
        domain: DOMAIN,
        uri: `${ORIGIN}/sign-in`,
        address: account.address,
        chainId: CHAIN_ID,
        nonce: nonce.data.nonce.nonce,
        version: "1",
        issuedAt: new Date(),
      });
      const signature = await account.signMessage({ message });
      const signed = (await (
        await fetch(`${api.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
            variables: { m: message, s: signature },
          }),
        })
      ).json()) as { data: { signIn: { token: string } } | null; errors?: unknown };
      if (!signed.data) throw new Error(`sign-in failed: ${JSON.stringify(signed.errors)}`);
      tokens.push(signed.data.signIn.token);
    }
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });
  return world;
}
