/** SIWE nonces (api.auth_nonce, through Prisma Client): random, stored, single-use, expiring. */
import { randomBytes } from "node:crypto";
import { Prisma, type PrismaClient } from "../../prisma/generated/client.ts";

export interface IssuedNonce {
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** EIP-4361 wants at least 8 alphanumeric characters; 128 random bits as hex. */
export async function issueNonce(prisma: PrismaClient, ttlSeconds: number, now: Date): Promise<IssuedNonce> {
  const nonce = randomBytes(16).toString("hex");
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await prisma.authNonce.create({ data: { nonce, issuedAt: now, expiresAt } });
  return { nonce, issuedAt: now, expiresAt };
}

export type NonceState = "unknown" | "consumed" | "expired";

/**
 * Marks the nonce used by `address`, atomically (one UPDATE … WHERE unused and unexpired): only
 * one sign-in can ever consume a nonce. Returns when it was issued, or why it cannot be used.
 */
export async function consumeNonce(
  prisma: PrismaClient,
  nonce: string,
  address: string,
  now: Date,
): Promise<{ ok: true; issuedAt: Date } | { ok: false; reason: NonceState }> {
  try {
    const row = await prisma.authNonce.update({
      where: { nonce, consumedAt: null, expiresAt: { gt: now } },
      data: { consumedAt: now, consumedBy: address },
      select: { issuedAt: true },
    });
    return { ok: true, issuedAt: row.issuedAt };
  } catch (error) {
    // P2025: no row matched (unknown, used or expired); anything else is a real failure.
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025")) throw error;
  }
  const found = await prisma.authNonce.findUnique({ where: { nonce }, select: { consumedAt: true } });
  if (!found) return { ok: false, reason: "unknown" };
  return { ok: false, reason: found.consumedAt ? "consumed" : "expired" };
}

/**
 * Deletes every expired nonce (consumed or not: neither can ever be used again). Run every
 * minute by the server (graphql/server.ts), so unused nonces live at most their TTL plus a minute.
 */
export async function pruneNonces(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.authNonce.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
