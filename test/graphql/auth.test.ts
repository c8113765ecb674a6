import { describe, expect, it } from "vitest";
import { pruneNonces } from "../../graphql/auth/nonce.ts";
import { type SessionClaims, signSessionToken } from "../../graphql/auth/token.ts";
import { apiConfigSchema } from "../../graphql/config.ts";
import { createApiServer } from "../../graphql/server.ts";
import { parseConfig } from "../../shared/config.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { apiEnv, SESSION_SECRET_HEX, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();

/** A clock that moves only when told to: now() is fixed between calls of advance() or set(). */
function manualClock(start = Date.now()) {
  let ms = start;
  return {
    now: () => new Date(ms),
    advance(byMs: number) {
      ms += byMs;
    },
    set(toMs: number) {
      ms = toMs;
    },
  };
}

const SIGN_IN =
  "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token address roles expiresAt } }";
const VIEWER = "{ viewer { address roles } }";

describe("Sign-In with Ethereum", () => {
  it("opens a session for a correctly signed message and names the signer", async () => {
    const { message, signature } = await world.siwe(W.outsider);
    const res = await world.gql<{ signIn: { token: string; address: string; expiresAt: string } }>(SIGN_IN, {
      m: message,
      s: signature,
    });
    expect(res.errors).toBeUndefined();
    const address = world.wallet(W.outsider).account.address.toLowerCase();
    expect(res.data?.signIn.address).toBe(address);
    const viewer = await world.gql<{ viewer: { address: string } }>(VIEWER, {}, res.data!.signIn.token);
    expect(viewer.data?.viewer.address).toBe(address);
  });

  it("refuses a replayed sign-in, because each nonce is single-use", async () => {
    const { message, signature } = await world.siwe(W.outsider);
    const first = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(first.errors).toBeUndefined();
    const replay = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(replay.codes).toEqual(["UNAUTHENTICATED"]);
    expect(replay.errors?.[0]?.message).toMatch(/nonce already used/);
  });

  it("refuses a signature made by another key, because the message's address must have signed it", async () => {
    const { message } = await world.siwe(W.outsider);
    const forged = await world.wallet(W.spare).account.signMessage({ message });
    const res = await world.gql(SIGN_IN, { m: message, s: forged });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/signature/);
  });

  it("refuses a message for another domain, because a phishing site's message must not open a session here", async () => {
    const { message, signature } = await world.siwe(W.outsider, { domain: "evil.test" });
    const res = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/domain/);
  });

  it("refuses a message whose URI is not an allowed origin", async () => {
    const { message, signature } = await world.siwe(W.outsider, { uri: "https://evil.test/login" });
    const res = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a message for another chain, because sessions are bound to this deployment's chain", async () => {
    const { message, signature } = await world.siwe(W.outsider, { chainId: 1 });
    const res = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/chain id 1/);
  });

  it("refuses a nonce the server never issued", async () => {
    const { message, signature } = await world.siwe(W.outsider, { nonce: "a1b2c3d4e5f6a7b8" });
    const res = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/unknown nonce/);
  });

  it("refuses an expired nonce, because nonces are short-lived", async () => {
    const clock = manualClock();
    const api = await world.startApi({ NONCE_TTL_SECONDS: "30" }, { clock: clock.now });
    const { message, signature } = await world.siwe(W.outsider, { issuedAt: clock.now() }, api.url);
    clock.advance(30_000);
    const res = await world.gql(SIGN_IN, { m: message, s: signature }, null, api.url);
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/nonce expired/);
  });

  it("accepts a nonce until its last millisecond, then no more (the boundary, on an injected clock)", async () => {
    const clock = manualClock();
    const api = await world.startApi({ NONCE_TTL_SECONDS: "30" }, { clock: clock.now });
    const early = await world.siwe(W.outsider, { issuedAt: clock.now() }, api.url);
    const late = await world.siwe(W.outsider, { issuedAt: clock.now() }, api.url);
    clock.advance(29_999);
    const ok = await world.gql(SIGN_IN, { m: early.message, s: early.signature }, null, api.url);
    expect(ok.errors).toBeUndefined();
    clock.advance(1);
    const refused = await world.gql(SIGN_IN, { m: late.message, s: late.signature }, null, api.url);
    expect(refused.errors?.[0]?.message).toMatch(/nonce expired/);
  });

  it("prunes expired nonces, so a nonce flood leaves no rows behind once they expire", async () => {
    const clock = manualClock();
    const api = await world.startApi({ NONCE_TTL_SECONDS: "30" }, { clock: clock.now });
    const issued: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await world.gql<{ nonce: { nonce: string } }>(
        "mutation { nonce { nonce } }",
        {},
        null,
        api.url,
      );
      issued.push(res.data!.nonce.nonce);
    }
    const count = async () =>
      Number(
        (
          await world.db.pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM api.auth_nonce WHERE nonce = ANY($1)",
            [issued],
          )
        ).rows[0]!.n,
      );
    expect(await pruneNonces(world.db.apiPrisma, clock.now())).toBe(0);
    expect(await count()).toBe(5);
    clock.advance(30_000);
    expect(await pruneNonces(world.db.apiPrisma, clock.now())).toBeGreaterThanOrEqual(5);
    expect(await count()).toBe(0);
  });

  it("refuses a message issued in the future or already expired, because its times must be sane", async () => {
    const future = await world.siwe(W.outsider, { issuedAt: new Date(Date.now() + 3_600_000) });
    expect((await world.gql(SIGN_IN, { m: future.message, s: future.signature })).codes).toEqual([
      "UNAUTHENTICATED",
    ]);
    const expired = await world.siwe(W.outsider, {
      issuedAt: new Date(Date.now() - 60_000),
      expirationTime: new Date(Date.now() - 1_000),
    });
    expect((await world.gql(SIGN_IN, { m: expired.message, s: expired.signature })).codes).toEqual([
      "UNAUTHENTICATED",
    ]);
  });

  it("refuses a text that is not an EIP-4361 message", async () => {
    const signature = await world.wallet(W.outsider).account.signMessage({ message: "let me in" });
    const res = await world.gql(SIGN_IN, { m: "let me in", s: signature });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("session tokens", () => {
  it("refuses an expired token with UNAUTHENTICATED (HTTP 401)", async () => {
    const token = await world.signIn(W.outsider);
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as SessionClaims;
    const expired = signSessionToken(Buffer.from(SESSION_SECRET_HEX, "hex"), {
      ...claims,
      exp: Math.floor(Date.now() / 1000) - 1,
    });
    const res = await world.gql(VIEWER, {}, expired);
    expect(res.status).toBe(401);
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/expired/);
  });

  it("refuses a token whose payload was altered, because its MAC no longer matches", async () => {
    const token = await world.signIn(W.outsider);
    const [prefix, payload, mac] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    claims.sub = world.wallet(W.governance).account.address.toLowerCase();
    const altered = `${prefix}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${mac}`;
    const res = await world.gql(VIEWER, {}, altered);
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a token signed with another secret", async () => {
    const forged = signSessionToken(Buffer.alloc(32, 1), {
      jti: "00000000-0000-4000-8000-000000000000",
      sub: world.wallet(W.governance).account.address.toLowerCase() as `0x${string}`,
      chainId: world.deployment.chainId,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const res = await world.gql(VIEWER, {}, forged);
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
  });

  it("stops accepting a token after signOut, before it would expire", async () => {
    const token = await world.signIn(W.outsider);
    const out = await world.gql<{ signOut: boolean }>("mutation { signOut }", {}, token);
    expect(out.data?.signOut).toBe(true);
    const res = await world.gql(VIEWER, {}, token);
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
  });

  it("expires sessions after SESSION_TTL_SECONDS (the boundary, on an injected clock)", async () => {
    const clock = manualClock();
    const api = await world.startApi({ SESSION_TTL_SECONDS: "60" }, { clock: clock.now });
    const { message, signature } = await world.siwe(W.outsider, { issuedAt: clock.now() }, api.url);
    const signedIn = await world.gql<{ signIn: { token: string; expiresAt: string } }>(
      SIGN_IN,
      { m: message, s: signature },
      null,
      api.url,
    );
    const token = signedIn.data!.signIn.token;
    // Sessions end on a whole second (the token's exp).
    const expiresAt = Date.parse(signedIn.data!.signIn.expiresAt);
    clock.set(expiresAt - 1_000);
    expect((await world.gql(VIEWER, {}, token, api.url)).errors).toBeUndefined();
    clock.set(expiresAt);
    const res = await world.gql(VIEWER, {}, token, api.url);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.message).toMatch(/expired/);
  });

  it("can use a session the moment it is created (read your writes)", async () => {
    for (let i = 0; i < 5; i++) {
      const token = await world.signIn(W.outsider);
      expect((await world.gql(VIEWER, {}, token)).errors).toBeUndefined();
    }
  });

  it("accepts only the canonical encoding of the MAC, because a token has exactly one spelling", async () => {
    const token = await world.signIn(W.outsider);
    const [prefix, payload, mac] = token.split(".") as [string, string, string];
    expect((await world.gql(VIEWER, {}, token)).errors).toBeUndefined();
    // 32 bytes are 43 base64url characters: the last one carries 4 bits and 2 unused ones.
    const last = mac.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sameBits = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)]!;
    const variants = [
      `${mac}=`, // padding
      `${mac.slice(0, -1)}${sameBits}`, // other unused low bits
      `${mac.slice(0, 10)}*${mac.slice(10)}`, // a character base64url decoding skips
      mac.replaceAll("-", "+").replaceAll("_", "/"), // standard base64 alphabet
    ].filter((v) => v !== mac);
    expect(variants.length).toBeGreaterThanOrEqual(3);
    for (const variant of variants) {
      expect(Buffer.from(variant, "base64url").equals(Buffer.from(mac, "base64url"))).toBe(true);
      const res = await world.gql(VIEWER, {}, `${prefix}.${payload}.${variant}`);
      expect(res.status, variant).toBe(401);
      expect(res.errors?.[0]?.message).toMatch(/signature is invalid/);
    }
  });
});

describe("start-up", () => {
  it("refuses to start with a pepper that is not the deployment's, because every Aadhaar lookup would silently miss", async () => {
    const config = parseConfig(apiConfigSchema, apiEnv(world.db.url, { DOCTEL_PEPPER: "11".repeat(32) }));
    await expect(
      createApiServer({
        config,
        prisma: world.db.apiPrisma,
        pool: world.db.apiPool,
        logger: createSilentLogger(),
        deployment: world.deployment,
      }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/DOCTEL_PEPPER does not match/),
    });
  });

  it("refuses a configuration without a session secret, naming the variable", () => {
    const env = apiEnv(world.db.url);
    delete (env as Record<string, string | undefined>).SESSION_SECRET;
    expect(() => parseConfig(apiConfigSchema, env)).toThrow(/SESSION_SECRET/);
  });
});
