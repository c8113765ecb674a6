/**
 * Fault injection for the verifier: an HTTP proxy in front of a real IPFS RPC API that
 * misbehaves on `block/get` only.
 * - "pass": forwards everything.
 * - "tamper": forwards, but flips one byte of the `block/get` answer for one CID (a node or a
 *   cache that hands over corrupted bytes).
 * - "stall": answers the first `after` `block/get` requests, then holds every later one open
 *   without a byte of answer (a node that stops answering mid-file).
 * - "slow": answers every `block/get` after `delayMs` (a slow node).
 * - "tamper-export": flips the byte at `offset` of every `dag/export` answer (a CAR stream that
 *   carries corrupted block bytes).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type FaultMode =
  | { kind: "pass" }
  | { kind: "tamper"; cid: string }
  | { kind: "stall"; after: number }
  | { kind: "slow"; delayMs: number }
  | { kind: "tamper-export"; offset: number };

export interface FaultProxy {
  url: string;
  mode: FaultMode;
  /** The `arg` of every `block/get` request, in arrival order. */
  blockGets: string[];
  /** How many `dag/export` requests arrived. */
  exports: number;
  /** How many answers were altered. */
  tampered: number;
  close(): Promise<void>;
}

export async function startFaultProxy(
  targetUrl: string,
  initial: FaultMode = { kind: "pass" },
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    url: "",
    mode: initial,
    blockGets: [],
    exports: 0,
    tampered: 0,
    close: async () => {},
  };

  const forward = (req: IncomingMessage, res: ServerResponse, alter?: (body: Buffer) => Buffer): void => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        if (!alter) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on("data", (chunk: Buffer) => chunks.push(chunk));
        up.on("end", () => {
          const body = alter(Buffer.concat(chunks));
          const headers = { ...up.headers };
          delete headers["transfer-encoding"];
          delete headers.trailer;
          headers["content-length"] = String(body.length);
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    if (url.pathname === "/api/v0/dag/export") {
      proxy.exports += 1;
      const mode = proxy.mode;
      if (mode.kind !== "tamper-export") return forward(req, res);
      return forward(req, res, (body) => {
        if (body.length <= mode.offset) return body;
        const altered = Buffer.from(body);
        altered[mode.offset]! ^= 0xff;
        proxy.tampered += 1;
        return altered;
      });
    }
    if (url.pathname !== "/api/v0/block/get") return forward(req, res);
    const cid = url.searchParams.get("arg") ?? "";
    proxy.blockGets.push(cid);
    const mode = proxy.mode;
    if (mode.kind === "stall" && proxy.blockGets.length > mode.after) return; // never answer
    if (mode.kind === "slow") {
      setTimeout(() => forward(req, res), mode.delayMs);
      return;
    }
    if (mode.kind === "tamper" && cid === mode.cid) {
      return forward(req, res, (body) => {
        if (body.length === 0) return body;
        const altered = Buffer.from(body);
        altered[altered.length >> 1]! ^= 0xff;
        proxy.tampered += 1;
        return altered;
      });
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
