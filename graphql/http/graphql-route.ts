/**
 * POST/GET /graphql through Apollo's executeHTTPGraphQLRequest on plain node:http. The viewer
 * is resolved first (a bad token is a 401 before Apollo runs); the context is built here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, HeaderMap } from "@apollo/server";
import { DocTelError } from "../../shared/errors.ts";
import type { ApiContext } from "../context.ts";
import { graphqlCode } from "../errors.ts";
import { readBody, sendJson } from "./io.ts";

export interface GraphqlRouteArgs {
  apollo: ApolloServer<ApiContext>;
  maxBodyBytes: number;
  /** Builds the request context (resolving the viewer); throws UNAUTHENTICATED for a bad token. */
  context(req: IncomingMessage, requestId: string): Promise<ApiContext>;
  /** Called when the request is refused before Apollo runs (bad token, body too large). */
  onRefused(requestId: string, code: string, status: number, durationMs: number): void;
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, TOO_LARGE: 413, BAD_USER_INPUT: 400 };

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
    if (!(error instanceof DocTelError) || !(graphqlCode(error.code) in STATUS)) throw error;
    const code = graphqlCode(error.code);
    const status = STATUS[code]!;
    args.onRefused(requestId, code, status, performance.now() - started);
    sendJson(res, status, { errors: [{ message: error.message, extensions: { code, requestId } }] });
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
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
