/**
 * The operations endpoint of the indexer and of the verifier: /metrics (Prometheus), /health
 * (the process works: no failure being retried, and the database answers) and /ready (the
 * indexer leads, has caught up with the head, and does not lag; see health.ts).
 */
import { createServer, type Server } from "node:http";
import type { Pool } from "pg";
import type { Registry } from "prom-client";
import { ConfigError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";

export interface OpsServerArgs {
  host: string;
  port: number;
  pool: Pool;
  metrics: { registry: Registry };
  logger: Logger;
  isReady: () => boolean;
  /** False while a failure is being retried; true when not given. */
  isHealthy?: () => boolean;
  status: () => object;
  /** Names the service in the log line ("indexer", "verifier"). */
  service?: string;
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
        const healthy = args.isHealthy?.() ?? true;
        json(res, healthy ? 200 : 503, { status: healthy ? "ok" : "failing", ...args.status() });
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
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE" || error.code === "EACCES" || error.code === "EADDRNOTAVAIL"
          ? new ConfigError(
              `OPS_PORT ${args.port} on ${args.host} cannot be used (${error.code === "EADDRINUSE" ? "already in use" : error.code}): choose another OPS_PORT or OPS_HOST`,
              { cause: error },
            )
          : error,
      );
    });
    server.listen(args.port, args.host, resolve);
  });
  // Errors after listening (none expected) are logged, never an unhandled 'error' event.
  server.on("error", (error) => args.logger.error({ err: error }, "ops endpoint failed"));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : args.port;
  args.logger.info(
    { host: args.host, port },
    `${args.service ?? "indexer"} ops endpoint listening (/metrics /health /ready)`,
  );
  return {
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: import("node:http").ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
