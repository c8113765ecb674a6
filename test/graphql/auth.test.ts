import { describe, expect, it } from "vitest";
import { type SessionClaims, signSessionToken } from "../../graphql/auth/token.ts";
import { apiConfigSchema } from "../../graphql/config.ts";
import { createApiServer } from "../../graphql/server.ts";
import { parseConfig } from "../../shared/config.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { apiEnv, SESSION_SECRET_HEX, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();

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
    const { message, signature } = await world.siwe(W.outsider);
    const nonce = /Nonce: (\w+)/.exec(message)![1];
    await world.db.pool.query(
      "UPDATE auth_nonce SET expires_at = now() - interval '1 second' WHERE nonce = $1",
      [nonce],
    );
    const res = await world.gql(SIGN_IN, { m: message, s: signature });
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.errors?.[0]?.message).toMatch(/nonce expired/);
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

  it("expires sessions after SESSION_TTL_SECONDS", async () => {
    const shortLived = await world.startApi({ SESSION_TTL_SECONDS: "1" });
    const token = await world.signIn(W.outsider, shortLived.url);
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await world.gql(VIEWER, {}, token, shortLived.url);
    expect(res.codes).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("start-up", () => {
  it("refuses to start with a pepper that is not the deployment's, because every Aadhaar lookup would silently miss", async () => {
    const config = parseConfig(apiConfigSchema, apiEnv(world.db.url, { DOCTEL_PEPPER: "11".repeat(32) }));
    await expect(
      createApiServer({
        config,
        prisma: world.db.prisma,
        pool: world.db.pool,
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
