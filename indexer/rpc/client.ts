/**
 * A small JSON-RPC client over HTTP: single and batched calls, a timeout on every request, a
 * cap on response size, and errors classified for the retry loops (retryable or not, and
 * "range too large" for eth_getLogs).
 */
import { DocTelError, describeError } from "../../shared/errors.ts";
import { redactUrl } from "../../shared/redact.ts";
import { LogRangeTooLargeError, RpcRequestError, RpcUnavailableError } from "../errors.ts";
import { type LogBatch, logBatchFromObjects, scanLogResponse } from "./log-batch.ts";

export interface RpcClientArgs {
  url: string;
  timeoutMs: number;
  /** eth_getLogs responses above this many bytes are refused, and the log fetcher shrinks the range. */
  maxResponseBytes: number;
  onRequest?: (method: string, durationMs: number, error?: unknown) => void;
}

export interface RpcCall {
  method: string;
  params: unknown[];
}

export interface RpcClient {
  readonly url: string;
  request<T>(method: string, params: unknown[]): Promise<T>;
  /** One HTTP request carrying several calls; results in the order of `calls`. */
  batch<T>(calls: RpcCall[]): Promise<T[]>;
  /** eth_getLogs, its result read in place (see log-batch.ts). */
  getLogs(filter: { address: string; fromBlock: string; toBlock: string }): Promise<LogBatch>;
}

interface JsonRpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const TOO_LARGE =
  /too many|more than \d+ (results|logs)|limit exceeded|response size|exceed|block range|query timeout|range is too large/i;

/**
 * A range past the node's head: anvil refuses it (-32602 "BlockOutOfRangeError: block height is
 * 46 but requested was 65") where Hardhat answers []. It happens when the head moved back (a
 * reorg) or this node lags the one that gave the head: transient, so retried.
 */
const BEYOND_HEAD = /BlockOutOfRange|block height is \d+ but requested|beyond (the )?current head/i;

/** Other answers (headers, code, receipts) are capped too, never below this. */
const MIN_OTHER_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createRpcClient(args: RpcClientArgs): RpcClient {
  const shownUrl = redactUrl(args.url);
  let nextId = 1;
  // The read-ahead range, the ranges waiting to be written, the one being written.
  const bodies = createBodyPool(4);

  function tooLarge(label: string, message: string): Error {
    return label === "eth_getLogs"
      ? new LogRangeTooLargeError(message)
      : new RpcRequestError(message, { details: { method: label } });
  }

  /** Sends a request; the response body's bytes, after the status and size checks. */
  async function send(
    body: unknown,
    label: string,
    started: number,
    alloc?: (size: number) => Buffer,
  ): Promise<Buffer> {
    let response: Response;
    try {
      response = await fetch(args.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(args.timeoutMs),
      });
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
      const error = new RpcUnavailableError(
        timedOut
          ? `${label} to ${shownUrl} timed out after ${args.timeoutMs} ms`
          : `${label} to ${shownUrl} failed: node unreachable`,
        shownUrl,
        { cause, details: { method: label } },
      );
      args.onRequest?.(label, performance.now() - started, error);
      throw error;
    }
    if (response.status === 429 || response.status >= 500) {
      const error = new RpcUnavailableError(
        `${label} to ${shownUrl} answered HTTP ${response.status}`,
        shownUrl,
        {
          details: { method: label, status: response.status },
        },
      );
      args.onRequest?.(label, performance.now() - started, error);
      throw error;
    }
    const limit =
      label === "eth_getLogs"
        ? args.maxResponseBytes
        : Math.max(args.maxResponseBytes, MIN_OTHER_RESPONSE_BYTES);
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      const error = tooLarge(label, `${label} response is ${declared} bytes, above the ${limit}-byte limit`);
      args.onRequest?.(label, performance.now() - started, error);
      throw error;
    }
    let bytes: Buffer;
    try {
      bytes = await readLimited(
        response,
        limit,
        () => tooLarge(label, `${label} response exceeds the ${limit}-byte limit`),
        alloc,
      );
    } catch (cause) {
      // A body cut mid-stream (undici's plain "TypeError: terminated", "other side closed"), a
      // reset or a timeout while reading: the node's failure, not ours, and worth another try.
      const error =
        cause instanceof DocTelError
          ? cause
          : new RpcUnavailableError(
              `${label} from ${shownUrl}: the answer was cut short (${describeError(cause)})`,
              shownUrl,
              { cause, details: { method: label } },
            );
      args.onRequest?.(label, performance.now() - started, error);
      throw error;
    }
    if (!response.ok && response.status !== 400) {
      const error = new RpcRequestError(`${label} to ${shownUrl} answered HTTP ${response.status}`, {
        details: { method: label, status: response.status, body: bytes.toString("utf8", 0, 200) },
      });
      args.onRequest?.(label, performance.now() - started, error);
      throw error;
    }
    return bytes;
  }

  function parse(bytes: Buffer, label: string, started: number): unknown {
    try {
      const parsed = JSON.parse(bytes.toString("utf8")) as unknown;
      args.onRequest?.(label, performance.now() - started);
      return parsed;
    } catch (cause) {
      const error = new RpcUnavailableError(`${label} from ${shownUrl}: response is not JSON`, shownUrl, {
        cause,
      });
      args.onRequest?.(label, performance.now() - started, error);
      throw error;
    }
  }

  async function post(body: unknown, label: string): Promise<unknown> {
    const started = performance.now();
    return parse(await send(body, label, started), label, started);
  }

  function unwrap<T>(method: string, reply: JsonRpcResponse | undefined): T {
    if (!reply)
      throw new RpcUnavailableError(`${method}: the node's batch reply is missing an answer`, shownUrl);
    if (reply.error) {
      const { code, message } = reply.error;
      if (method === "eth_getLogs" && BEYOND_HEAD.test(message)) {
        throw new RpcUnavailableError(`eth_getLogs: ${message}`, shownUrl, { details: { code } });
      }
      if (method === "eth_getLogs" && TOO_LARGE.test(message)) {
        throw new LogRangeTooLargeError(`eth_getLogs: ${message}`, { details: { code } });
      }
      // -32005 limit exceeded, -32603 internal error, -32000 server error: transient on most nodes.
      if (code === -32005 || code === -32603 || code === -32000 || code === 429) {
        throw new RpcUnavailableError(`${method}: ${message}`, shownUrl, { details: { code } });
      }
      throw new RpcRequestError(`${method}: ${message}`, { details: { code } });
    }
    return reply.result as T;
  }

  return {
    url: args.url,
    async request<T>(method: string, params: unknown[]): Promise<T> {
      const id = nextId++;
      const reply = (await post({ jsonrpc: "2.0", id, method, params }, method)) as JsonRpcResponse;
      return unwrap<T>(method, reply);
    },
    async getLogs(filter) {
      const started = performance.now();
      const body = { jsonrpc: "2.0", id: nextId++, method: "eth_getLogs", params: [filter] };
      const bytes = await send(body, "eth_getLogs", started, bodies.take);
      const batch = scanLogResponse(bytes, bodies.give);
      if (batch) {
        args.onRequest?.("eth_getLogs", performance.now() - started);
        return batch;
      }
      // An error reply, or JSON the scanner does not read: the ordinary way.
      const result = unwrap<unknown>("eth_getLogs", parse(bytes, "eth_getLogs", started) as JsonRpcResponse);
      const slow = Array.isArray(result) ? logBatchFromObjects(result) : null;
      if (!slow) throw new RpcRequestError("eth_getLogs: the node's result is not a list of logs");
      return slow;
    },
    async batch<T>(calls: RpcCall[]): Promise<T[]> {
      if (calls.length === 0) return [];
      const first = nextId;
      nextId += calls.length;
      const body = calls.map((c, i) => ({
        jsonrpc: "2.0",
        id: first + i,
        method: c.method,
        params: c.params,
      }));
      const label = calls[0]!.method;
      const replies = await post(body, label);
      if (!Array.isArray(replies)) {
        const single = replies as JsonRpcResponse;
        // An error for the batch as a whole (a node under strain answers -32603 so): classified
        // like any call's error, so transient ones are retried.
        if (single.error) unwrap(label, single);
        throw new RpcRequestError(
          `${label} batch: the node answered a single ${single.error ? `error (${single.error.message})` : "result"}`,
        );
      }
      const byId = new Map<number, JsonRpcResponse>();
      for (const r of replies as JsonRpcResponse[]) byId.set(r.id, r);
      return calls.map((c, i) => unwrap<T>(c.method, byId.get(first + i)));
    },
  };
}

/**
 * eth_getLogs bodies, kept for the next response once their logs are read (LogBatch.release):
 * megabytes a request that V8 would otherwise reclaim only with full collections.
 */
function createBodyPool(keep: number) {
  const free: ArrayBuffer[] = [];
  return {
    take(size: number): Buffer {
      for (let i = 0; i < free.length; i++) {
        if (free[i]!.byteLength >= size) return Buffer.from(free.splice(i, 1)[0]!, 0, size);
      }
      // Room to grow: responses of one range size vary by a few percent.
      return Buffer.from(new ArrayBuffer(Math.ceil(size * 1.25)), 0, size);
    },
    give(bytes: Buffer): void {
      const buffer = bytes.buffer;
      if (!(buffer instanceof ArrayBuffer) || free.length >= keep || free.includes(buffer)) return;
      free.push(buffer);
    },
  };
}

async function readLimited(
  response: Response,
  limit: number,
  tooLarge: () => Error,
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = alloc(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
