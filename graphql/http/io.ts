/** Small node:http helpers: bounded JSON bodies, JSON answers, request ids, CORS. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
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

/** The client's X-Request-Id when it is a sane token, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  if (typeof given === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(given)) return given;
  return randomUUID();
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
