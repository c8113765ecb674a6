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
        const issued = await issueNonce(ctx.pool, nonceTtlSeconds);
        return { ...issued, chainId: policy.chainId, domains: policy.domains, origins: policy.origins };
      },
      signIn: async (_: unknown, args: { message: string; signature: string }, ctx: ApiContext) => {
        const session = await signInWithEthereum(ctx.pool, policy, args);
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
        const { rowCount } = await ctx.pool.query(
          "UPDATE api_session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
          [viewer.sessionId],
        );
        return (rowCount ?? 0) > 0;
      },
    },
  };
}
