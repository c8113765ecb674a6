/**
 * /health: the process and the primary answer. /ready: and the index has started (as the reads
 * see it), and the read replica, if any, can serve (unless READ_REPLICA_FALLBACK=primary).
 */
import type { ServerResponse } from "node:http";
import type { Pool } from "pg";
import type { DeploymentRecord } from "../../shared/deployment.ts";
import type { ReadRouter } from "../read-replica.ts";
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
  reads: ReadRouter,
  replicaRequired: boolean,
  deployment: DeploymentRecord,
  res: ServerResponse,
): Promise<void> {
  const replica = reads.status();
  const replicaOk = replica.state === "none" || replica.state === "ok" || !replicaRequired;
  try {
    const status = await indexingStatus(reads.pool, deployment);
    const ready = status.started && replicaOk;
    sendJson(res, ready ? 200 : 503, {
      ready,
      indexing: status,
      ...(replica.state === "none" ? {} : { replica }),
      ...(replicaOk ? {} : { reason: `read replica ${replica.state}` }),
    });
  } catch {
    sendJson(res, 503, {
      ready: false,
      reason: "database unreachable or not migrated",
      ...(replica.state === "none" ? {} : { replica }),
    });
  }
}
