/** Small node:http helpers: bounded JSON bodies, JSON answers, request ids, CORS. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { type AddressInfo, isIP } from "node:net";
import { ValidationError } from "../../shared/errors.ts";
import { BodyTooLargeError } from "./errors.ts";

export { BodyTooLargeError };

/** Reads the body (at most `limit` bytes); parses JSON when the content type says so. */
export async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const type = req.headers["content-type"] ?? "";
  if (!type.includes("json")) return text;
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError("request body is not valid JSON");
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

/**
 * The request's id: always generated here (two clients, or one client twice, may send the same
 * X-Request-Id; the audit log must tell their requests apart).
 */
export function newRequestId(): string {
  return randomUUID();
}

/** The client's own X-Request-Id when it is a sane token (kept beside the server's id), else null. */
export function clientRequestIdOf(req: IncomingMessage): string | null {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : null;
}

/**
 * The client's address: the socket's, or behind `trustedProxies` proxies that each append the
 * address they saw to X-Forwarded-For, the one the outermost of them saw. Anything that is not an
 * IP address falls back to the socket's.
 */
export function clientIpOf(req: IncomingMessage, trustedProxies: number): string {
  const socket = req.socket.remoteAddress ?? "unknown";
  if (trustedProxies === 0) return socket;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .reverse();
  const candidate = hops[trustedProxies - 1] ?? hops.at(-1);
  return candidate !== undefined && isIP(candidate) !== 0 ? candidate : socket;
}

/** CORS for the configured origins; answers preflights. Returns true when the request is done. */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin && origins.includes(origin)) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "origin");
    res.setHeader("access-control-expose-headers", "x-request-id");
  }
  if (req.method === "OPTIONS") {
    if (origin && origins.includes(origin)) {
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
      res.setHeader(
        "access-control-allow-headers",
        "authorization, content-type, x-request-id, apollo-require-preflight",
      );
      res.setHeader("access-control-max-age", "600");
    }
    res.writeHead(204);
    res.end();
    return true;
  }
  return false;
}

/** Listens on host:port (0: a free port); resolves with the port and the base URL, rejects on EADDRINUSE. */
export async function listenOn(
  server: Server,
  port: number,
  host: string,
): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}` };
}
