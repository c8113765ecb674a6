/**
 * Every caller's cost is bounded, callers without a session most of all: what an attacker tried
 * (1,000 aliases of the ABI, a thousand nonces in one request, a nonce flood, a dead database),
 * and what each now gets. Rate limits are checked against the real buckets in PostgreSQL, shared by
 * two API servers on one database as replicas share them, on an injected clock.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createSilentLogger } from "../../shared/logger.ts";
import { useApiWorld, W } from "./harness.ts";

const world = useApiWorld();

/** A fresh client address per test, through X-Forwarded-For (servers here trust one proxy). */
let nextAddress = 1;
const newAddress = () => `198.51.100.${nextAddress++}`;

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  bytes: number;
  headers: Headers;
  json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), headers: res.headers, json: JSON.parse(text) };
}

const codes = (r: Awaited<ReturnType<typeof post>>) => (r.json.errors ?? []).map((e) => e.extensions?.code);

function manualClock(start = Date.now()) {
  let ms = start;
  return { now: () => new Date(ms), advance: (by: number) => (ms += by) };
}

async function nonceRows(): Promise<number> {
  const { rows } = await world.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM api.auth_nonce");
  return rows[0]!.n;
}

describe("response amplification", () => {
  const aliases = (n: number, field: string) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;

  it("refuses 1,000 aliases of deployment { abi } without a session, before running anything, in a small answer", async () => {
    const res = await post(world.api.url, { query: aliases(1_000, "deployment { abi }") });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(res.json.errors![0]!.message).toMatch(/"deployment" is asked for under more than 10 names/);
    expect(res.bytes).toBeLessThan(2_000);
  });

  it("weighs a field by what it returns: even with aliases allowed, the ABI's weight exhausts the budget of a caller without a session", async () => {
    const api = await world.startApi({ MAX_ALIASES: "100000" });
    const three = await post(api.url, { query: aliases(3, "deployment { abi }") });
    expect(three.status).toBe(200);
    expect(three.json.errors).toBeUndefined();
    const many = await post(api.url, { query: aliases(1_000, "deployment { abi }") });
    expect(many.status).toBe(400);
    expect(many.json.errors![0]!.message).toMatch(
      /query cost \d+ exceeds the limit of 1000 for callers without a session/,
    );
    // The same query's cost counts every alias: 1,000 of a cheap field cost 2,000.
    const cheap = await post(api.url, { query: aliases(1_000, "deployment { chainId }") });
    expect(cheap.json.errors![0]!.extensions).toMatchObject({ cost: 2_000, maxCost: 1_000 });
  });

  it("gives signed-in callers the larger budget", async () => {
    const api = await world.startApi({ MAX_ALIASES: "100000" });
    const token = await world.signIn(W.outsider, api.url);
    const query = aliases(1_000, "deployment { chainId }");
    expect(codes(await post(api.url, { query }))).toEqual(["QUERY_TOO_COMPLEX"]);
    const signedIn = await post(api.url, { query }, { authorization: `Bearer ${token}` });
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.errors).toBeUndefined();
  });

  it("caps the bytes of a response, and a caller without a session at fewer", async () => {
    const api = await world.startApi({ MAX_RESPONSE_BYTES_ANONYMOUS: "20000", MAX_RESPONSE_BYTES: "100000" });
    const res = await post(api.url, { query: "{ deployment { abi } }" });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["TOO_LARGE"]);
    expect(res.json.errors![0]!.message).toMatch(
      /more than the limit of 20000 for callers without a session/,
    );
    expect(res.bytes).toBeLessThan(2_000);
    const token = await world.signIn(W.outsider, api.url);
    const signedIn = await post(
      api.url,
      { query: "{ deployment { abi } }" },
      { authorization: `Bearer ${token}` },
    );
    expect(signedIn.status).toBe(200);
  });

  it("counts aliases hidden in fragments too", async () => {
    const fragment = `fragment F on Query { ${Array.from({ length: 6 }, (_, i) => `f${i}: deployment { chainId }`).join(" ")} }`;
    const res = await post(world.api.url, {
      query: `{ ...F ${Array.from({ length: 6 }, (_, i) => `q${i}: deployment { chainId }`).join(" ")} } ${fragment}`,
    });
    expect(codes(res)).toEqual(["QUERY_TOO_COMPLEX"]);
  });
});

describe("nonce flood", () => {
  it("refuses a mutation aliased into many writes, and writes nothing", async () => {
    const before = await nonceRows();
    const res = await post(world.api.url, {
      query: `mutation { ${Array.from({ length: 1_000 }, (_, i) => `n${i}: nonce { nonce }`).join(" ")} }`,
    });
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.message).toMatch(/one mutation per request|more than 10 names/);
    const two = await post(world.api.url, { query: "mutation { a: nonce { nonce } b: nonce { nonce } }" });
    expect(two.json.errors![0]!.message).toMatch(/send one mutation per request/);
    expect(await nonceRows()).toBe(before);
  });

  it("limits writes per client address, in a bucket that two API replicas share, and refills it with time", async () => {
    const clock = manualClock();
    const env = { RATE_LIMIT_WRITES_PER_MINUTE: "3", TRUSTED_PROXIES: "1" };
    const a = await world.startApi(env, { clock: clock.now });
    const b = await world.startApi(env, { clock: clock.now });
    const from = { "x-forwarded-for": newAddress() };
    const nonce = { query: "mutation { nonce { nonce } }" };
    const before = await nonceRows();
    expect((await post(a.url, nonce, from)).status).toBe(200);
    expect((await post(b.url, nonce, from)).status).toBe(200);
    expect((await post(a.url, nonce, from)).status).toBe(200);
    const refused = await post(b.url, nonce, from);
    expect(refused.status).toBe(429);
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(Number(refused.headers.get("retry-after"))).toBe(20);
    expect(await nonceRows()).toBe(before + 3);
    // Another address has its own bucket.
    expect((await post(a.url, nonce, { "x-forwarded-for": newAddress() })).status).toBe(200);
    // 3 a minute: one token is back after 20 s, not before.
    clock.advance(19_000);
    expect((await post(a.url, nonce, from)).status).toBe(429);
    clock.advance(1_000);
    expect((await post(a.url, nonce, from)).status).toBe(200);
  });

  it("limits requests without a session per address, and signed-in requests per account, whatever the address", async () => {
    const clock = manualClock();
    const api = await world.startApi(
      { RATE_LIMIT_ANONYMOUS_PER_MINUTE: "4", RATE_LIMIT_ACCOUNT_PER_MINUTE: "4", TRUSTED_PROXIES: "1" },
      { clock: clock.now },
    );
    const ping = { query: "{ ping }" };
    const from = { "x-forwarded-for": newAddress() };
    for (let i = 0; i < 4; i++) expect((await post(api.url, ping, from)).status).toBe(200);
    const anonymous = await post(api.url, ping, from);
    expect(anonymous.status).toBe(429);
    expect(anonymous.json.errors![0]!.message).toMatch(/too many requests from this address/);

    const token = await world.signIn(W.outsider, api.url);
    const auth = { authorization: `Bearer ${token}` };
    // Signed in, the address's empty bucket does not matter; four requests from four addresses do.
    for (let i = 0; i < 4; i++) {
      expect((await post(api.url, ping, { ...auth, "x-forwarded-for": newAddress() })).status).toBe(200);
    }
    const account = await post(api.url, ping, { ...auth, "x-forwarded-for": newAddress() });
    expect(account.status).toBe(429);
    expect(account.json.errors![0]!.message).toMatch(/too many requests for this account/);
    expect(Number(account.headers.get("retry-after"))).toBe(15);
    const other = await world.signIn(W.spare, api.url);
    expect((await post(api.url, ping, { authorization: `Bearer ${other}` })).status).toBe(200);
  });
});

describe("a database that does not answer", () => {
  it("is a 503 DATABASE_UNAVAILABLE with Retry-After, never a masked 500", async () => {
    // A pool on a port where nothing listens: every connection is refused.
    const dead = new URL(world.db.apiUrl);
    dead.port = "1";
    const pool = new pg.Pool({ connectionString: dead.toString(), connectionTimeoutMillis: 2_000 });
    pool.on("error", () => undefined);
    try {
      for (const env of [{}, { RATE_LIMIT_ANONYMOUS_PER_MINUTE: "0" }] as Record<string, string>[]) {
        // With a rate limit, the bucket (before Apollo) fails; without one, the resolver does.
        const api = await world.startApi(env, { pool, logger: createSilentLogger() });
        const res = await post(api.url, { query: "{ indexingStatus { started } }" });
        expect(res.status).toBe(503);
        expect(codes(res)).toEqual(["DATABASE_UNAVAILABLE"]);
        expect(res.headers.get("retry-after")).toBe("1");
        expect(JSON.stringify(res.json)).not.toMatch(/ECONNREFUSED|internal error/);
      }
    } finally {
      await pool.end();
    }
  });
});
