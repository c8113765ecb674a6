/**
 * The indexer's operations endpoint: /metrics (Prometheus), /health (the process and the
 * database answer) and /ready (caught up with the head).
 */
import { createServer, type Server } from "node:http";
import type { Pool } from "pg";
import type { Logger } from "../../shared/logger.ts";
import type { IndexerMetrics } from "./metrics.ts";

export interface OpsServerArgs {
  host: string;
  port: number;
  pool: Pool;
  metrics: IndexerMetrics;
  logger: Logger;
  isReady: () => boolean;
  status: () => object;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(args: OpsServerArgs): Promise<OpsServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (path === "/metrics") {
        res.writeHead(200, { "content-type": args.metrics.registry.contentType });
        res.end(await args.metrics.registry.metrics());
      } else if (path === "/health") {
        await args.pool.query("SELECT 1");
        json(res, 200, { status: "ok", ...args.status() });
      } else if (path === "/ready") {
        const ready = args.isReady();
        json(res, ready ? 200 : 503, { ready, ...args.status() });
      } else {
        json(res, 404, { error: "not found" });
      }
    } catch (error) {
      args.logger.warn({ err: error, path }, "ops endpoint failed");
      json(res, 503, { status: "unhealthy" });
    }
  });
  await new Promise<void>((resolve) => server.listen(args.port, args.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : args.port;
  args.logger.info({ host: args.host, port }, "indexer ops endpoint listening (/metrics /health /ready)");
  return {
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: import("node:http").ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
