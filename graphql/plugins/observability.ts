/**
 * One log line per GraphQL request (operation, duration_ms, viewer, status, error codes; never
 * the query text or variables, which may hold an Aadhaar number), Prometheus metrics, and the
 * full log of unexpected errors with the request id (clients see "internal error").
 */
import type { ApolloServerPlugin, GraphQLResponse } from "@apollo/server";
import type { ApiContext } from "../context.ts";
import { classifyError, scrubDigits } from "../errors.ts";
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
      return {
        async didEncounterErrors({ errors, contextValue: ctx }) {
          for (const error of errors) {
            const { code, known } = classifyError(error);
            codes.push(code);
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
          const durationMs = performance.now() - started;
          const operation = label(operationName);
          const httpStatus = response.http.status ?? 200;
          const status = httpStatus !== 200 ? String(httpStatus) : codes.length > 0 ? "partial" : "ok";
          metrics.requests.inc({ operation, status });
          metrics.duration.observe({ operation }, durationMs / 1000);
          ctx.logger.info(
            {
              request_id: ctx.requestId,
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
