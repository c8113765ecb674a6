/** Session rows (api.api_session, through Prisma Client) outlive their tokens by a day, then go. */
import type { PrismaClient } from "../../prisma/generated/client.ts";

/** How long an expired session row is kept (to look at recent sign-ins), in milliseconds. */
export const EXPIRED_SESSION_KEPT_MS = 24 * 60 * 60 * 1000;

export async function pruneSessions(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.apiSession.deleteMany({
    where: { expiresAt: { lt: new Date(now.getTime() - EXPIRED_SESSION_KEPT_MS) } },
  });
  return count;
}
