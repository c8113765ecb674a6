/**
 * The dashboards over HTTP, mounted by the API server at "/" after its own routes:
 *
 *   GET /demo/accounts   demo mode only (DEMO_MODE=true): the cast's actors and keys; 404 otherwise
 *   GET /assets/…        the built app's hashed files, cached for a year
 *   GET /anything-else   the file, or index.html for the app's routes (SPA fallback), never cached
 *
 * The handler answers with the route name it served, or null for what it does not serve (other
 * methods), which the server then answers with its own 404.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DocTelError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type DemoSource, readDemoAccounts } from "./demo-accounts.ts";
import { cacheControlOf, contentTypeOf, resolveStaticPath } from "./static-files.ts";

/** Where `npm run build:dashboards` writes the app. */
export const DASHBOARDS_DIST_DIR = path.join(import.meta.dirname, "dist");

export interface DashboardOptions {
  distDir: string;
  /** Demo mode: where the cast file is and which deployment it must match; null: off. */
  demo: DemoSource | null;
  logger?: Logger;
}

export type DashboardHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => Promise<string | null>;

/**
 * The app's pages may talk to their own origin only; styles may be inline (the explorer's editor
 * sets them); workers and opened attachments are blob: URLs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": CONTENT_SECURITY_POLICY,
};

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...SECURITY_HEADERS });
  res.end(text);
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify({ error: { code, message } }));
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>DocTel dashboards</title>
<p>The dashboards are not built. Run <code>npm run build:dashboards</code> and reload.</p></html>`;

export function createDashboardHandler(options: DashboardOptions): DashboardHandler {
  const root = path.resolve(options.distDir);
  if (options.demo) {
    options.logger?.warn(
      { cast_file: options.demo.castFile },
      "demo mode: GET /demo/accounts hands out the cast file's private keys; development chains only",
    );
  }

  async function serveDemo(res: ServerResponse, method: string): Promise<string> {
    if (!options.demo) {
      sendJsonError(res, 404, "NOT_FOUND", "demo mode is off");
      return "demo";
    }
    try {
      const accounts = await readDemoAccounts(options.demo);
      const body = JSON.stringify(accounts);
      res.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(body),
      });
      res.end(method === "HEAD" ? undefined : body);
    } catch (error) {
      if (!(error instanceof DocTelError)) throw error;
      options.logger?.warn({ err: error }, "demo accounts unavailable");
      sendJsonError(res, error.code === "NOT_FOUND" ? 404 : 409, error.code, error.message);
    }
    return "demo";
  }

  async function serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    file: string,
    relative: string,
  ): Promise<boolean> {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return false;
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      "content-type": contentTypeOf(file),
      "cache-control": cacheControlOf(relative),
      etag,
      "last-modified": info.mtime.toUTCString(),
      ...SECURITY_HEADERS,
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, "content-length": info.size });
    if (req.method === "HEAD") res.end();
    else await pipeline(createReadStream(file), res);
    return true;
  }

  return async (req, res, urlPath) => {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return null;
    if (urlPath === "/demo/accounts") return serveDemo(res, method);
    const target = resolveStaticPath(root, urlPath);
    if (target.kind === "refused") {
      sendText(res, 404, "not found");
      return "dashboards";
    }
    if (target.kind === "file" && (await serveFile(req, res, target.file, target.relative))) {
      return "dashboards";
    }
    if (target.kind === "file" && target.relative !== "index.html") {
      // A missing asset is a 404, not the app's HTML under a script's name.
      sendText(res, 404, "not found");
      return "dashboards";
    }
    if (!(await serveFile(req, res, path.join(root, "index.html"), "index.html"))) {
      sendText(res, 503, NOT_BUILT, "text/html; charset=utf-8");
    }
    return "dashboards";
  };
}
