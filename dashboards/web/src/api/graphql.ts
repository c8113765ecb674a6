/**
 * A typed GraphQL document and the one function that sends it: POST /graphql with the bearer
 * token, errors turned into ApiError with the server's code and request id.
 */
import { ApiError } from "./errors.ts";

/** A GraphQL document with its result and variables types (written by hand next to it). */
export interface Document<TData, TVariables> {
  readonly query: string;
  /** Phantom fields: only their types matter. */
  readonly __data?: TData;
  readonly __variables?: TVariables;
}

/** The result type of a document. */
export type DataOf<D> = D extends Document<infer T, infer _V> ? T : never;

export function gqlDocument<TData, TVariables = Record<string, never>>(
  query: string,
): Document<TData, TVariables> {
  return { query };
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function request<TData, TVariables>(
  doc: Document<TData, TVariables>,
  variables: TVariables,
  token: string | null,
  signal?: AbortSignal,
): Promise<TData> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: doc.query, variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("NETWORK", "The API could not be reached. Check your connection and try again.");
  }
  const requestId = res.headers.get("x-request-id");
  let body: GraphqlBody<TData>;
  try {
    body = (await res.json()) as GraphqlBody<TData>;
  } catch {
    throw new ApiError(
      "INTERNAL_SERVER_ERROR",
      `The API answered HTTP ${res.status} without JSON.`,
      requestId,
    );
  }
  const first = body.errors?.[0];
  if (first) {
    throw new ApiError(first.extensions?.code ?? "INTERNAL_SERVER_ERROR", first.message, requestId);
  }
  if (body.data == null) throw new ApiError("INTERNAL_SERVER_ERROR", "The API answered no data.", requestId);
  return body.data;
}
