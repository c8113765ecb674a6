/**
 * A JSON-RPC proxy in front of a real node, for fault injection: it can delay requests, answer
 * HTTP 500, drop the connection, cut an answer's body mid-stream, refuse large eth_getLogs ranges
 * the way hosted providers do, or rewrite the node's answer. Everything else is forwarded untouched.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RpcFault {
  /** Milliseconds added before forwarding. */
  delayMs?: number;
  /** Answer HTTP 500 without forwarding. */
  http500?: boolean;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** A JSON-RPC error body (HTTP 200) without forwarding. */
  rpcError?: { code: number; message: string };
  /** Forwards, then answers this instead of the node's body. */
  rewrite?: (body: string) => string;
  /**
   * Forwards, then sends the node's headers (with the full content-length) and only this share
   * (0-1) of its body before closing the connection: a body cut mid-stream.
   */
  cutBody?: number;
}

export interface RpcProxy {
  url: string;
  /** Decides, per request, whether to inject a fault (method of the first call in a batch). */
  setFault(fn: ((method: string, params: unknown[], n: number) => RpcFault | undefined) | undefined): void;
  /** Requests seen, by method. */
  readonly counts: Map<string, number>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let fault: ((method: string, params: unknown[], n: number) => RpcFault | undefined) | undefined;
  const counts = new Map<string, number>();
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    let first: { method?: string; params?: unknown[]; id?: unknown } = {};
    try {
      const parsed = JSON.parse(text);
      first = Array.isArray(parsed) ? (parsed[0] ?? {}) : parsed;
    } catch {
      // forwarded as is
    }
    const method = first.method ?? "?";
    counts.set(method, (counts.get(method) ?? 0) + 1);
    const f = fault?.(method, first.params ?? [], n++);
    if (f?.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f?.drop) {
      req.socket.destroy();
      return;
    }
    if (f?.http500) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("injected failure");
      return;
    }
    if (f?.rpcError) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: first.id ?? 1, error: f.rpcError }));
      return;
    }
    try {
      const upstream = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text,
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      if (f?.cutBody !== undefined) {
        res.writeHead(upstream.status, {
          "content-type": "application/json",
          "content-length": String(answer.length),
        });
        // Once that part is flushed, the connection drops with the rest of the body unsent.
        res.write(answer.subarray(0, Math.floor(answer.length * f.cutBody)), () => req.socket.destroy());
        return;
      }
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(f?.rewrite ? f.rewrite(answer.toString("utf8")) : answer);
    } catch {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setFault(fn) {
      fault = fn;
    },
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
