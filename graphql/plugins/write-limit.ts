/**
 * Every mutation takes a token from a bucket of writes (graphql/limits/rate-limit.ts): per account
 * when signed in, per client address otherwise. With one mutation field per request (complexity.ts),
 * a nonce flood is bounded at RATE_LIMIT_WRITES_PER_MINUTE rows a minute per address.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { ApiContext } from "../context.ts";
import { apiError } from "../errors.ts";
import { addressKey, type BucketPolicy, RateLimitedError, type RateLimiter } from "../limits/rate-limit.ts";

export function writeLimitPlugin(limiter: RateLimiter, policy: BucketPolicy): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue: ctx }) {
          if (operation?.operation !== "mutation") return;
          const who = ctx.viewer ? `account:${ctx.viewer.address}` : `ip:${addressKey(ctx.clientIp)}`;
          try {
            await limiter.take(`write:${who}`, policy, "writes", ctx.clock());
          } catch (error) {
            if (!(error instanceof RateLimitedError)) throw error;
            throw apiError("RATE_LIMITED", error.message, { retryAfterSeconds: error.retryAfterSeconds });
          }
        },
      };
    },
  };
}
