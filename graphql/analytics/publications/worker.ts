/**
 * Worker-thread entry of the publication job (job.ts): publishes what is due on its own
 * connection pool, so the LP audit never blocks the API's event loop, and reports each
 * published node to the parent thread, which logs it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createSilentLogger } from "../../../shared/logger.ts";
import { createApiPool } from "../../db-pool.ts";
import type { PublicationSettings } from "./publish.ts";
import { publishDue } from "./publish.ts";

export interface WorkerInput {
  databaseUrl: string;
  settings: PublicationSettings;
  nowMs: number;
}

export type WorkerMessage =
  | {
      kind: "published";
      level: string;
      label: string;
      cells: number;
      suppressedCells: number;
      durationMs: number;
    }
  | { kind: "done"; nodes: number }
  | { kind: "failed"; message: string; name: string };

const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => parentPort?.postMessage(m);
const logger = createSilentLogger();
// As the API's own pools: its login, its search_path (api, public).
const pool = createApiPool({ databaseUrl: input.databaseUrl, size: 2, name: "publications", logger });
try {
  const published = await publishDue({ pool, settings: input.settings, logger, now: new Date(input.nowMs) });
  for (const p of published) {
    post({
      kind: "published",
      level: p.node.level,
      label: p.node.label,
      cells: p.cells,
      suppressedCells: p.suppressedCells,
      durationMs: p.durationMs,
    });
  }
  post({ kind: "done", nodes: published.length });
} catch (error) {
  post({
    kind: "failed",
    name: error instanceof Error ? error.name : "Error",
    message: error instanceof Error ? error.message : String(error),
  });
} finally {
  await pool.end();
}
