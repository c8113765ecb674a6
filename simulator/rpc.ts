/**
 * A small JSON-RPC client for bulk work: one request or a batch (one round trip), over a
 * WebSocket when the node offers one, else HTTP. Hardhat's node reads an HTTP body byte by byte
 * (about 1 µs per byte: a 300 KB transaction costs 0.3 s of CPU), while a WebSocket message is
 * parsed in one JSON.parse: bulk senders should prefer it.
 */
import { RpcUnavailableError } from "../sdk/errors/classes.ts";
import { DocTelError } from "../shared/errors.ts";
import { redactUrl } from "../shared/redact.ts";

export type RpcCall = readonly [method: string, params: readonly unknown[]];

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** One answer of a batch: a result, or the node's error for that call. */
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: RpcErrorObject };

export interface RpcClient {
  readonly url: string;
  readonly transport: "ws" | "http";
  /** One call; a node error is thrown as RpcCallError. */
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /** Many calls in one round trip; each answer in the order asked. */
  batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]>;
  close(): Promise<void>;
}

/** The node answered a call with an error object. */
export class RpcCallError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(method: string, error: RpcErrorObject) {
    super(`${method} failed: ${error.message}`);
    this.name = "RpcCallError";
    this.code = error.code;
    this.data = error.data;
  }
}

interface Response {
  id: number;
  result?: unknown;
  error?: RpcErrorObject;
}

const outcome = (r: Response | undefined): RpcOutcome =>
  r === undefined
    ? { ok: false, error: { code: -32603, message: "no answer for this call" } }
    : r.error
      ? { ok: false, error: r.error }
      : { ok: true, result: r.result };

function unwrap<T>(method: string, o: RpcOutcome): T {
  if (!o.ok) throw new RpcCallError(method, o.error);
  return o.result as T;
}

/** The WebSocket URL Hardhat's node serves beside its HTTP one (same host and port). */
export function wsUrlOf(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/, "ws$1:");
}

/** Calls that change the chain if run twice: never sent again after a connection failure. */
const NOT_REPEATABLE = new Set(["evm_mine", "hardhat_mine", "evm_increaseTime", "eth_sendTransaction"]);

/** A reset of a kept-alive connection (the server closed it as the request went out). */
const connectionReset = (error: unknown): boolean => {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === "ECONNRESET" || cause?.code === "UND_ERR_SOCKET" || cause?.code === "EPIPE";
};

export function createHttpRpc(url: string, options: { timeoutMs?: number } = {}): RpcClient {
  let nextId = 1;
  const timeoutMs = options.timeoutMs ?? 300_000;
  async function post(body: unknown): Promise<unknown> {
    let res: globalThis.Response;
    const send = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    try {
      try {
        res = await send();
      } catch (error) {
        // A kept-alive connection the server was closing: send once more on a new one, unless
        // a call in the request would change the chain twice (a signed transaction is the same
        // transaction when sent again).
        const calls = (Array.isArray(body) ? body : [body]) as { method?: string }[];
        if (!connectionReset(error) || calls.some((c) => NOT_REPEATABLE.has(c.method ?? ""))) throw error;
        res = await send();
      }
    } catch (error) {
      throw new RpcUnavailableError(`cannot reach the JSON-RPC node at ${redactUrl(url)}`, redactUrl(url), {
        cause: error,
      });
    }
    if (!res.ok) {
      throw new RpcUnavailableError(
        `the JSON-RPC node at ${redactUrl(url)} answered HTTP ${res.status}`,
        redactUrl(url),
      );
    }
    return res.json();
  }
  return {
    url,
    transport: "http",
    async request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
      const r = (await post({ jsonrpc: "2.0", id: nextId++, method, params })) as Response;
      return unwrap<T>(method, outcome(r));
    },
    async batch(calls) {
      if (calls.length === 0) return [];
      const first = nextId;
      nextId += calls.length;
      const body = calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: first + i, method, params }));
      const answer = await post(body);
      const byId = new Map<number, Response>();
      if (Array.isArray(answer)) for (const r of answer as Response[]) byId.set(r.id, r);
      return calls.map((_, i) => outcome(byId.get(first + i)));
    },
    async close() {},
  };
}

/** Connects a WebSocket JSON-RPC client; rejects when the node offers no WebSocket there. */
export async function connectWsRpc(url: string, options: { timeoutMs?: number } = {}): Promise<RpcClient> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("WebSocket connection timed out")), 5_000);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error(`no WebSocket JSON-RPC at ${redactUrl(url)}`));
    });
  });
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  socket.addEventListener("message", (event) => {
    const parsed = JSON.parse(String(event.data)) as Response | Response[];
    for (const r of Array.isArray(parsed) ? parsed : [parsed]) {
      const p = pending.get(r.id);
      if (p) {
        pending.delete(r.id);
        p.resolve(r);
      }
    }
  });
  socket.addEventListener("close", () => {
    closed = true;
    failAll(new RpcUnavailableError(`the JSON-RPC WebSocket ${redactUrl(url)} closed`, redactUrl(url)));
  });
  function wait(id: number): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          new RpcUnavailableError(
            `the JSON-RPC node at ${redactUrl(url)} did not answer within ${timeoutMs / 1000} s`,
            redactUrl(url),
          ),
        );
      }, timeoutMs);
      pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
  function send(body: unknown): void {
    if (closed) {
      throw new RpcUnavailableError(`the JSON-RPC WebSocket ${redactUrl(url)} is closed`, redactUrl(url));
    }
    socket.send(JSON.stringify(body));
  }
  return {
    url,
    transport: "ws",
    async request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
      const id = nextId++;
      const answer = wait(id);
      send({ jsonrpc: "2.0", id, method, params });
      return unwrap<T>(method, outcome(await answer));
    },
    async batch(calls) {
      if (calls.length === 0) return [];
      const first = nextId;
      nextId += calls.length;
      const answers = calls.map((_, i) => wait(first + i).then(outcome));
      send(calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: first + i, method, params })));
      return Promise.all(answers);
    },
    async close() {
      if (closed) return;
      const done = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
      socket.close();
      await done;
    },
  };
}

/** A WebSocket client where the node offers one (Hardhat: same port), else HTTP. */
export async function connectRpc(
  httpUrl: string,
  options: { wsUrl?: string | undefined; timeoutMs?: number } = {},
): Promise<RpcClient> {
  const ws = options.wsUrl ?? (/^https?:/.test(httpUrl) ? wsUrlOf(httpUrl) : httpUrl);
  try {
    return await connectWsRpc(ws, options);
  } catch (error) {
    if (error instanceof DocTelError) throw error;
    return createHttpRpc(httpUrl, options);
  }
}
