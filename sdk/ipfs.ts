/**
 * The IPFS node, reached through its Kubo RPC API (kubo-rpc-client). Every call gets a deadline
 * as an AbortSignal: a missing block makes pin/add hang forever, and kubo-rpc-client 7 ignores
 * its own numeric `timeout` option (its check is inverted), so the signal is the only guard.
 */
import type { KuboRPCClient } from "kubo-rpc-client";
import { DocTelError } from "../shared/errors.ts";
import { redactUrl } from "../shared/redact.ts";
import { IpfsUnavailableError, UnexpectedError } from "./errors/classes.ts";

export const DEFAULT_IPFS_TIMEOUT_MS = 120_000;

export interface IpfsOptions {
  /** The RPC API, e.g. http://127.0.0.1:5001. */
  url: string;
  /** Deadline of each call (an upload of the largest allowed file must fit in it). */
  timeoutMs?: number;
}

export interface DocTelIpfs {
  /** The kubo-rpc-client instance, loaded on first use (a heavy module the CLI rarely needs). */
  client(): Promise<KuboRPCClient>;
  url: string;
  timeoutMs: number;
}

export function connectIpfs(options: IpfsOptions): DocTelIpfs {
  let client: Promise<KuboRPCClient> | undefined;
  return {
    client() {
      client ??= import("kubo-rpc-client").then(({ create }) => create({ url: options.url }));
      return client;
    },
    url: options.url,
    timeoutMs: options.timeoutMs ?? DEFAULT_IPFS_TIMEOUT_MS,
  };
}

/** A deadline for one call, combined with the caller's own signal. */
export function deadline(ipfs: DocTelIpfs, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ipfs.timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** An IPFS failure as a DocTelError: unreachable or too slow → IpfsUnavailableError (retryable). */
export function toIpfsError(
  error: unknown,
  ipfs: DocTelIpfs,
  action: string,
  signal?: AbortSignal,
): DocTelError {
  if (error instanceof DocTelError) return error;
  const url = redactUrl(ipfs.url);
  const name = (error as { name?: string } | undefined)?.name;
  if (signal?.aborted || name === "TimeoutError" || name === "AbortError") {
    const reason = signal?.reason as { name?: string } | undefined;
    const timedOut = !signal || reason?.name === "TimeoutError" || name === "TimeoutError";
    const why = timedOut ? `it did not finish within ${ipfs.timeoutMs / 1000} s` : "it was cancelled";
    return new IpfsUnavailableError(`IPFS ${action} failed at ${url}: ${why}`, url, { cause: error });
  }
  const code = errorCode(error);
  const network: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host not found",
    UND_ERR_SOCKET: "the connection closed",
  };
  if (code && network[code]) {
    return new IpfsUnavailableError(`cannot reach the IPFS node at ${url}: ${network[code]}`, url, {
      cause: error,
    });
  }
  if (name === "HTTPError") {
    const status = (error as { response?: { status?: number } }).response?.status ?? 0;
    const message = `IPFS ${action} failed at ${url}: HTTP ${status}`;
    return status >= 500 || status === 429
      ? new IpfsUnavailableError(message, url, { cause: error })
      : new UnexpectedError(message, { cause: error });
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    return new IpfsUnavailableError(`cannot reach the IPFS node at ${url}: the request failed`, url, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UnexpectedError(`IPFS ${action} failed at ${url}: ${message}`, { cause: error });
}
