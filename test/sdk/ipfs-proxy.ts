/**
 * Fault injection: a tiny HTTP proxy in front of an IPFS RPC API.
 * - "pass": forwards everything.
 * - "rewrite-add-hash": forwards, but replaces the Hash of every `add` response line.
 * - "stall-add": reads part of an `add` upload, then never answers (a node that stops responding).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type ProxyMode = { kind: "pass" } | { kind: "rewrite-add-hash"; hash: string } | { kind: "stall-add" };

export interface IpfsProxy {
  url: string;
  mode: ProxyMode;
  /** Requests seen, by path ("/api/v0/add", "/api/v0/pin/add"…). */
  seen: string[];
  close(): Promise<void>;
}

export async function startIpfsProxy(targetUrl: string, initial: ProxyMode): Promise<IpfsProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const proxy: IpfsProxy = { url: "", mode: initial, seen: [], close: async () => {} };

  const forward = (req: IncomingMessage, res: ServerResponse, rewrite?: (body: string) => string) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        if (!rewrite) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const body = rewrite(Buffer.concat(chunks).toString("utf8"));
          const headers = { ...up.headers };
          delete headers["content-length"];
          delete headers["transfer-encoding"];
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    proxy.seen.push(path);
    const mode = proxy.mode;
    if (path === "/api/v0/add" && mode.kind === "stall-add") {
      let received = 0;
      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > 64 * 1024) req.pause(); // stop reading: the upload hangs mid-way
      });
      return; // never answer
    }
    if (path === "/api/v0/add" && mode.kind === "rewrite-add-hash") {
      forward(req, res, (body) =>
        body
          .split("\n")
          .map((line) => (line.trim() ? JSON.stringify({ ...JSON.parse(line), Hash: mode.hash }) : line))
          .join("\n"),
      );
      return;
    }
    forward(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
