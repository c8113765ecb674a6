/**
 * Who may read Prometheus /metrics (request rates, error codes and latencies say a lot about a
 * deployment): see METRICS_PORT / METRICS_TOKEN in graphql/config.ts. In production nothing is
 * served on the API's port unless a token guards it.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "../../shared/logger.ts";
import type { ApiConfig } from "../config.ts";
import type { ApiMetrics } from "../metrics.ts";
import { listenOn, sendJson } from "./io.ts";

export interface MetricsAccess {
  /** Handles /metrics on the API's port; false when it is not served there (the caller answers 404). */
  onMainPort(req: IncomingMessage, res: ServerResponse): boolean;
  /** Starts the listener of METRICS_PORT, if configured. */
  listen(logger: Logger): Promise<{ url: string; close(): Promise<void> } | null>;
}

type MetricsConfig = Pick<ApiConfig, "METRICS_PORT" | "METRICS_HOST" | "METRICS_TOKEN" | "NODE_ENV">;

export function createMetricsAccess(config: MetricsConfig, metrics: ApiMetrics): MetricsAccess {
  const token = config.METRICS_TOKEN ? Buffer.from(`Bearer ${config.METRICS_TOKEN}`) : null;
  const authorized = (req: IncomingMessage) => {
    if (!token) return true;
    const given = Buffer.from(req.headers.authorization ?? "");
    return given.length === token.length && timingSafeEqual(given, token);
  };
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    if (!authorized(req)) {
      sendJson(
        res,
        401,
        { error: { code: "UNAUTHENTICATED", message: "/metrics needs the METRICS_TOKEN bearer token" } },
        {
          "www-authenticate": "Bearer",
        },
      );
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.registry.contentType });
        res.end(text);
      },
      () => sendJson(res, 500, { error: { code: "INTERNAL", message: "metrics failed" } }),
    );
  };
  const onMainPort =
    config.METRICS_PORT === undefined && (token !== null || config.NODE_ENV !== "production");
  return {
    onMainPort(req, res) {
      if (!onMainPort) return false;
      serve(req, res);
      return true;
    },
    async listen(logger) {
      if (config.METRICS_PORT === undefined) return null;
      const server = createServer((req, res) => {
        if (new URL(req.url ?? "/", "http://metrics.invalid").pathname === "/metrics") serve(req, res);
        else sendJson(res, 404, { error: { code: "NOT_FOUND", message: "only /metrics is served here" } });
      });
      const base = await listenOn(server, config.METRICS_PORT, config.METRICS_HOST);
      const url = `${base.url}/metrics`;
      logger.info({ url }, "API metrics listening");
      return {
        url,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
}
