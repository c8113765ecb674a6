/**
 * Composes the analytics part of the API (graphql/analytics/, built separately) when it exists:
 * `graphql/analytics/index.ts` exporting `analyticsTypeDefs` (SDL extending Query) and
 * `analyticsResolvers`, and optionally an NDJSON export HTTP handler. The handler receives the
 * request, the response, the request context (viewer resolved, audit log ready) and the path
 * after its prefix; it is mounted at ANALYTICS_EXPORT_PREFIX. Optionally `startAnalyticsJobs`:
 * background work the server starts after Apollo and stops on close (the dataset release cutter).
 */
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Pool } from "pg";
import type { Registry } from "prom-client";
import type { Logger } from "../shared/logger.ts";
import type { ApiContext } from "./context.ts";

export const ANALYTICS_EXPORT_PREFIX = "/export/";

export type ExportHandler = (req: IncomingMessage, res: ServerResponse, ctx: ApiContext) => Promise<void>;

export type AnalyticsJobs = (ctx: { pool: Pool; logger: Logger; settings: object; registry?: Registry }) => {
  stop(): Promise<void>;
};

export interface AnalyticsPart {
  typeDefs: unknown[];
  resolvers: Record<string, unknown>[];
  exportHandler: ExportHandler | null;
  jobs: AnalyticsJobs | null;
}

const NONE: AnalyticsPart = { typeDefs: [], resolvers: [], exportHandler: null, jobs: null };

export async function loadAnalytics(): Promise<AnalyticsPart> {
  const file = path.join(import.meta.dirname, "analytics", "index.ts");
  if (!existsSync(file)) return NONE;
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const typeDefs = mod.analyticsTypeDefs;
  const resolvers = mod.analyticsResolvers;
  const handler =
    mod.analyticsExportHandler ?? mod.exportHandler ?? mod.handleAnalyticsExport ?? mod.createExportHandler;
  return {
    typeDefs: typeDefs === undefined ? [] : Array.isArray(typeDefs) ? typeDefs : [typeDefs],
    resolvers:
      resolvers === undefined
        ? []
        : Array.isArray(resolvers)
          ? resolvers
          : [resolvers as Record<string, unknown>],
    exportHandler: typeof handler === "function" ? (handler as ExportHandler) : null,
    jobs: typeof mod.startAnalyticsJobs === "function" ? (mod.startAnalyticsJobs as AnalyticsJobs) : null,
  };
}
