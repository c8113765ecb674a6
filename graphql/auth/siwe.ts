/**
 * Sign-In with Ethereum (EIP-4361): checks the message against this deployment (domain, URI,
 * chain, times), the signature against the address (EOA by recovery; contract wallets through
 * an optional node), consumes the nonce, and opens a session.
 */
import { randomUUID } from "node:crypto";
import { getAddress, type Hex, isHex, recoverMessageAddress } from "viem";
import { parseSiweMessage, validateSiweMessage } from "viem/siwe";
import type { PrismaClient } from "../../prisma/generated/client.ts";
import { UnauthenticatedError, ValidationError } from "../../shared/errors.ts";
import { consumeNonce } from "./nonce.ts";
import { signSessionToken } from "./token.ts";

export interface SignInPolicy {
  chainId: number;
  /** Accepted `domain` values (host[:port]). */
  domains: readonly string[];
  /** Accepted origins of `uri` (scheme://host[:port]). */
  origins: readonly string[];
  clockSkewSeconds: number;
  nonceTtlSeconds: number;
  sessionTtlSeconds: number;
  sessionSecret: Uint8Array;
  /** ERC-1271 / ERC-6492 check for contract wallets; EOAs only when absent. */
  verifyContractSignature?: (address: Hex, message: string, signature: Hex) => Promise<boolean>;
}

export interface Session {
  token: string;
  sessionId: string;
  address: `0x${string}`;
  issuedAt: Date;
  expiresAt: Date;
}

const MAX_MESSAGE_CHARS = 4_096;

function refuse(reason: string): never {
  throw new UnauthenticatedError(`sign-in refused: ${reason}`);
}

export async function signInWithEthereum(
  prisma: PrismaClient,
  policy: SignInPolicy,
  input: { message: string; signature: string },
  now: Date,
): Promise<Session> {
  if (input.message.length > MAX_MESSAGE_CHARS) {
    throw new ValidationError(`the SIWE message is longer than ${MAX_MESSAGE_CHARS} characters`);
  }
  if (!isHex(input.signature) || input.signature.length < 4) {
    throw new ValidationError("the signature must be 0x-prefixed hex");
  }
  const signature = input.signature as Hex;
  const message = parseSiweMessage(input.message);
  const { address, domain, uri, chainId, nonce, issuedAt, expirationTime, notBefore, version } = message;
  if (!address || !domain || !uri || !nonce || !issuedAt || chainId === undefined || !version) {
    refuse(
      "not an EIP-4361 message (address, domain, URI, version, chain id, nonce and issued-at are required)",
    );
  }
  if (version !== "1") refuse(`unsupported SIWE version ${version}`);
  if (!policy.domains.includes(domain)) refuse(`domain "${domain}" is not served here`);
  let uriOrigin: string;
  try {
    uriOrigin = new URL(uri).origin;
  } catch {
    refuse("the URI is not a URL");
  }
  if (!policy.origins.includes(uriOrigin)) refuse(`URI origin ${uriOrigin} is not allowed`);
  if (message.scheme !== undefined && `${message.scheme}:` !== new URL(uri).protocol) {
    refuse(`scheme ${message.scheme} does not match the URI`);
  }
  if (chainId !== policy.chainId)
    refuse(`chain id ${chainId} is not this deployment's chain ${policy.chainId}`);

  const skewMs = policy.clockSkewSeconds * 1000;
  const nowMs = now.getTime();
  if (Number.isNaN(issuedAt.getTime())) refuse("issued-at is not an RFC 3339 time");
  if (issuedAt.getTime() > nowMs + skewMs) refuse("issued-at is in the future");
  if (issuedAt.getTime() < nowMs - policy.nonceTtlSeconds * 1000 - skewMs) refuse("the message is too old");
  if (expirationTime) {
    if (Number.isNaN(expirationTime.getTime())) refuse("expiration time is not an RFC 3339 time");
    if (expirationTime.getTime() <= nowMs) refuse("the message has expired");
    if (expirationTime.getTime() <= issuedAt.getTime()) refuse("the message expires before it was issued");
  }
  if (notBefore) {
    if (Number.isNaN(notBefore.getTime())) refuse("not-before is not an RFC 3339 time");
    if (notBefore.getTime() > nowMs + skewMs) refuse("the message is not valid yet");
  }
  if (!validateSiweMessage({ message, domain, nonce, time: new Date(nowMs + skewMs) })) {
    refuse("the message fails EIP-4361 validation");
  }

  const checksummed = getAddress(address);
  let signer: string;
  try {
    signer = await recoverMessageAddress({ message: input.message, signature });
  } catch {
    signer = "";
  }
  if (signer.toLowerCase() !== checksummed.toLowerCase()) {
    const contractOk = policy.verifyContractSignature
      ? await policy.verifyContractSignature(checksummed, input.message, signature).catch(() => false)
      : false;
    if (!contractOk) refuse("the signature was not made by the message's address");
  }

  const lower = checksummed.toLowerCase() as `0x${string}`;
  const consumed = await consumeNonce(prisma, nonce, lower, now);
  if (!consumed.ok) {
    const why = { unknown: "unknown nonce", consumed: "nonce already used", expired: "nonce expired" };
    refuse(why[consumed.reason]);
  }
  if (issuedAt.getTime() < consumed.issuedAt.getTime() - skewMs) refuse("issued-at predates the nonce");

  const sessionId = randomUUID();
  const issued = new Date(nowMs);
  let expiresMs = nowMs + policy.sessionTtlSeconds * 1000;
  if (expirationTime) expiresMs = Math.min(expiresMs, expirationTime.getTime());
  const expiresAt = new Date(Math.floor(expiresMs / 1000) * 1000);
  await prisma.apiSession.create({
    data: { id: sessionId, address: lower, chainId: policy.chainId, nonce, issuedAt: issued, expiresAt },
  });
  const token = signSessionToken(policy.sessionSecret, {
    jti: sessionId,
    sub: lower,
    chainId: policy.chainId,
    iat: Math.floor(nowMs / 1000),
    exp: Math.floor(expiresAt.getTime() / 1000),
  });
  return { token, sessionId, address: lower, issuedAt: issued, expiresAt };
}
