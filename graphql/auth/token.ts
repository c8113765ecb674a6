/**
 * Session tokens: `v1.<payload>.<mac>`, base64url, HMAC-SHA256 under SESSION_SECRET.
 * The payload names the session id (jti), the address, the chain and the lifetime; the session
 * row (api_session) lets signOut revoke a token before it expires.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { UnauthenticatedError } from "../../shared/errors.ts";

export interface SessionClaims {
  /** Session id (api_session.id). */
  jti: string;
  /** Lowercase address. */
  sub: `0x${string}`;
  chainId: number;
  /** Unix seconds. */
  iat: number;
  exp: number;
}

const PREFIX = "v1";

/** Key objects per secret: importing raw key bytes on every request costs more than the MAC. */
const keys = new WeakMap<Uint8Array, KeyObject>();

function mac(secret: Uint8Array, data: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    keys.set(secret, key);
  }
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function signSessionToken(secret: Uint8Array, claims: SessionClaims): string {
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  const signed = `${PREFIX}.${payload}`;
  return `${signed}.${mac(secret, signed).toString("base64url")}`;
}

/** Checks the MAC, the shape, the chain and the expiry; throws UNAUTHENTICATED otherwise. */
export function verifySessionToken(
  secret: Uint8Array,
  token: string,
  expected: { chainId: number; nowSeconds: number },
): SessionClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) throw new UnauthenticatedError("malformed session token");
  const [prefix, payload, given] = parts as [string, string, string];
  // Compared as text, in the one encoding signSessionToken writes: base64url decoding forgives
  // padding, stray characters and the unused low bits of the last character, so comparing decoded
  // bytes would accept several spellings of one MAC.
  const expectedMac = Buffer.from(mac(secret, `${prefix}.${payload}`).toString("base64url"), "utf8");
  const givenMac = Buffer.from(given, "utf8");
  if (givenMac.length !== expectedMac.length || !timingSafeEqual(givenMac, expectedMac)) {
    throw new UnauthenticatedError("session token signature is invalid");
  }
  let claims: SessionClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SessionClaims;
  } catch {
    throw new UnauthenticatedError("malformed session token");
  }
  if (
    typeof claims !== "object" ||
    claims === null ||
    typeof claims.jti !== "string" ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(claims.jti) ||
    typeof claims.sub !== "string" ||
    !/^0x[0-9a-f]{40}$/.test(claims.sub) ||
    typeof claims.exp !== "number" ||
    typeof claims.iat !== "number"
  ) {
    throw new UnauthenticatedError("malformed session token");
  }
  if (claims.chainId !== expected.chainId) {
    throw new UnauthenticatedError(`session token is for chain ${claims.chainId}, not ${expected.chainId}`);
  }
  if (claims.exp <= expected.nowSeconds) throw new UnauthenticatedError("session expired: sign in again");
  return claims;
}

/** The bearer token of an Authorization header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError("the Authorization header must be `Bearer <token>`");
  return match[1]!;
}
