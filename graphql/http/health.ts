/** /health: the process and the database answer. /ready: and the index has started. */
import type { ServerResponse } from "node:http";
import type { Pool } from "pg";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import { indexingStatus } from "../resolvers/meta.ts";
import { sendJson } from "./io.ts";

export async function handleHealth(pool: Pool, res: ServerResponse): Promise<void> {
  try {
    await pool.query("SELECT 1");
    sendJson(res, 200, { status: "ok" });
  } catch {
    sendJson(res, 503, { status: "unhealthy", reason: "database unreachable" });
  }
}

export async function handleReady(
  pool: Pool,
  deployment: DeploymentRecord,
  res: ServerResponse,
): Promise<void> {
  try {
    const status = await indexingStatus(pool, deployment);
    sendJson(res, status.started ? 200 : 503, { ready: status.started, indexing: status });
  } catch {
    sendJson(res, 503, { ready: false, reason: "database unreachable or not migrated" });
  }
}
