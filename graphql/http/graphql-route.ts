/**
 * POST/GET /graphql through Apollo's executeHTTPGraphQLRequest on plain node:http. The viewer
 * is resolved first (a bad token is a 401, an exhausted rate limit a 429, before Apollo runs); the
 * context is built here. A response larger than the caller's byte limit is replaced by TOO_LARGE.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, HeaderMap } from "@apollo/server";
import { DocTelError } from "../../shared/errors.ts";
import type { ApiContext } from "../context.ts";
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailureOf, graphqlCode } from "../errors.ts";
import { RateLimitedError } from "../limits/rate-limit.ts";
import { readBody, sendJson } from "./io.ts";

export interface GraphqlRouteArgs {
  apollo: ApolloServer<ApiContext>;
  maxBodyBytes: number;
  /** Largest response for this caller, in bytes. */
  maxResponseBytes(ctx: ApiContext): number;
  /** Builds the request context (resolving the viewer); throws UNAUTHENTICATED for a bad token. */
  context(req: IncomingMessage, requestId: string): Promise<ApiContext>;
  /** Called when the request is refused before Apollo runs (bad token, body too large, rate limit). */
  onRefused(requestId: string, code: string, status: number, durationMs: number): void;
}

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  TOO_LARGE: 413,
  BAD_USER_INPUT: 400,
  RATE_LIMITED: 429,
  DATABASE_UNAVAILABLE: 503,
};

/** What a failure before Apollo runs becomes: a known refusal, or undefined (an internal error). */
export function refusalOf(
  error: unknown,
): { error: DocTelError; status: number; retryAfter?: number } | undefined {
  const known = error instanceof DocTelError ? error : databaseFailureOf(error);
  if (!known) return undefined;
  const status = STATUS[graphqlCode(known.code)];
  if (status === undefined) return undefined;
  const retryAfter =
    known instanceof RateLimitedError
      ? known.retryAfterSeconds
      : known.code === "DATABASE_UNAVAILABLE"
        ? DATABASE_RETRY_AFTER_SECONDS
        : undefined;
  return { error: known, status, ...(retryAfter !== undefined ? { retryAfter } : {}) };
}

export async function handleGraphql(
  args: GraphqlRouteArgs,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  search: string,
): Promise<void> {
  const started = performance.now();
  let ctx: ApiContext;
  let body: unknown;
  try {
    body = req.method === "POST" ? await readBody(req, args.maxBodyBytes) : undefined;
    ctx = await args.context(req, requestId);
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    const code = graphqlCode(refusal.error.code);
    const message =
      refusal.error.code === "DATABASE_UNAVAILABLE"
        ? "the database is unavailable for now: try again shortly"
        : refusal.error.message;
    args.onRefused(requestId, code, refusal.status, performance.now() - started);
    sendJson(
      res,
      refusal.status,
      { errors: [{ message, extensions: { code, requestId } }] },
      refusal.retryAfter !== undefined ? { "retry-after": String(refusal.retryAfter) } : {},
    );
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const response = await args.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? "GET", headers, search, body },
    context: async () => ctx,
  });
  if (response.body.kind === "complete") {
    const bytes = Buffer.byteLength(response.body.string);
    const limit = args.maxResponseBytes(ctx);
    if (bytes > limit) {
      args.onRefused(requestId, "TOO_LARGE", 400, performance.now() - started);
      sendJson(res, 400, {
        errors: [
          {
            message: `the response would be ${bytes} bytes, more than the limit of ${limit}${ctx.viewer ? "" : " for callers without a session"}: ask for fewer fields or smaller pages`,
            extensions: { code: "TOO_LARGE", requestId, bytes, maxBytes: limit },
          },
        ],
      });
      return;
    }
  }
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
