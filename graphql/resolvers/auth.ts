import { issueNonce } from "../auth/nonce.ts";
import { requireViewer } from "../auth/policy.ts";
import { type SignInPolicy, signInWithEthereum } from "../auth/siwe.ts";
import { rolesOf } from "../auth/viewer.ts";
import type { ApiContext, Viewer } from "../context.ts";
import { loadersOf } from "../loaders.ts";

export function createAuthResolvers(policy: SignInPolicy, nonceTtlSeconds: number) {
  return {
    Query: {
      viewer: (_: unknown, __: unknown, ctx: ApiContext) => ctx.viewer,
    },
    Viewer: {
      roles: (viewer: Viewer) => [...viewer.roles].sort(),
      hospital: (viewer: Viewer, _: unknown, ctx: ApiContext) =>
        viewer.hospitalId === null ? null : loadersOf(ctx).hospital.load(viewer.hospitalId),
    },
    Mutation: {
      nonce: async (_: unknown, __: unknown, ctx: ApiContext) => {
        const issued = await issueNonce(ctx.prisma, nonceTtlSeconds, ctx.clock());
        return { ...issued, chainId: policy.chainId, domains: policy.domains, origins: policy.origins };
      },
      signIn: async (_: unknown, args: { message: string; signature: string }, ctx: ApiContext) => {
        const session = await signInWithEthereum(ctx.prisma, policy, args, ctx.clock());
        const { roles } = await rolesOf(ctx.pool, session.address);
        ctx.logger.info(
          { request_id: ctx.requestId, viewer: session.address, session_id: session.sessionId },
          "signed in",
        );
        return { ...session, roles: roles.sort() };
      },
      signOut: async (_: unknown, __: unknown, ctx: ApiContext) => {
        const viewer = requireViewer(ctx);
        if (!viewer.sessionId) return false;
        const { count } = await ctx.prisma.apiSession.updateMany({
          where: { id: viewer.sessionId, revokedAt: null },
          data: { revokedAt: ctx.clock() },
        });
        return count > 0;
      },
    },
  };
}
