/**
 * One log line per GraphQL request (operation, duration_ms, viewer, status, error codes; never
 * the query text or variables, which may hold an Aadhaar number), Prometheus metrics, and the
 * full log of unexpected errors with the request id (clients see "internal error").
 */
import type { ApolloServerPlugin, GraphQLResponse } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ApiContext } from "../context.ts";
import { classifyError, DATABASE_RETRY_AFTER_SECONDS, httpStatusOf, scrubDigits } from "../errors.ts";
import { RateLimitedError } from "../limits/rate-limit.ts";
import type { ApiMetrics } from "../metrics.ts";

export function observabilityPlugin(
  metrics: ApiMetrics,
  label: (name: string | null | undefined) => string,
  beforeSend: (ctx: ApiContext, response: GraphQLResponse) => Promise<void>,
) {
  const plugin: ApolloServerPlugin<ApiContext> = {
    async requestDidStart() {
      const started = performance.now();
      const codes: string[] = [];
      let retryAfterSeconds = 0;
      return {
        async didEncounterErrors({ errors, contextValue: ctx }) {
          for (const error of errors) {
            const { code, known } = classifyError(error);
            codes.push(code);
            const original = unwrapResolverError(error);
            const asked = error.extensions?.retryAfterSeconds;
            if (original instanceof RateLimitedError) {
              retryAfterSeconds = Math.max(retryAfterSeconds, original.retryAfterSeconds);
            } else if (typeof asked === "number") {
              retryAfterSeconds = Math.max(retryAfterSeconds, asked);
            } else if (code === "DATABASE_UNAVAILABLE") {
              retryAfterSeconds = Math.max(retryAfterSeconds, DATABASE_RETRY_AFTER_SECONDS);
            }
            metrics.errors.inc({ code });
            if (!known) {
              const original = (error as { originalError?: unknown }).originalError ?? error;
              ctx.logger.error(
                { err: original, request_id: ctx.requestId, path: error.path?.join("."), code },
                `internal error: ${scrubDigits((original as Error)?.message ?? String(original))}`,
              );
            }
          }
        },
        async willSendResponse({ operationName, response, contextValue: ctx }) {
          await beforeSend(ctx, response);
          // Errors that ask the client to come back later make the whole response say so.
          const retryStatus = httpStatusOf(codes);
          if (retryStatus !== undefined) {
            if ((response.http.status ?? 200) === 200) response.http.status = retryStatus;
            response.http.headers.set("retry-after", String(Math.max(1, retryAfterSeconds)));
          }
          const durationMs = performance.now() - started;
          const operation = label(operationName);
          const httpStatus = response.http.status ?? 200;
          const status = httpStatus !== 200 ? String(httpStatus) : codes.length > 0 ? "partial" : "ok";
          metrics.requests.inc({ operation, status });
          metrics.duration.observe({ operation }, durationMs / 1000);
          ctx.logger.info(
            {
              request_id: ctx.requestId,
              ...(ctx.clientRequestId ? { client_request_id: ctx.clientRequestId } : {}),
              operation,
              duration_ms: Math.round(durationMs * 100) / 100,
              viewer: ctx.viewer?.address ?? null,
              status,
              http_status: httpStatus,
              ...(codes.length > 0 ? { error_codes: [...new Set(codes)] } : {}),
            },
            "graphql request",
          );
        },
      };
    },
  };
  return plugin;
}
