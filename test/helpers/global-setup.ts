/**
 * Once per test run: one embedded PostgreSQL in a fresh temp folder on a free port, with a
 * database `doctel_template` migrated from prisma/migrations. Each test file then copies the
 * template into a database of its own (test/helpers/db.ts), which takes a few milliseconds.
 */
import { randomUUID } from "node:crypto";
import type { TestProject } from "vitest/node";
import { z } from "zod";
import { applyMigrations } from "../../prisma/migrate.ts";
import { parseConfig } from "../../shared/config.ts";
import { DB_GROUPS, ensureGroups, ensureLogin } from "../../shared/db/roles.ts";
import { createLogger } from "../../shared/logger.ts";
import { createDatabase, startTemporaryPostgres, withClient } from "../../shared/services/postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The server's maintenance database, as superuser: create and drop databases through it. */
    databaseAdminUrl: string;
    /** The migrated database every test database is created from. */
    databaseTemplate: string;
    /** Unique per `vitest run`, for tests that leave marks on the shared server. */
    testRunId: string;
    /** Login users of the database groups (shared/db/roles.ts), as the indexer and the API log in. */
    databaseLogins: Record<"indexer" | "api", { name: string; password: string }>;
  }
}

/** The logins tests connect as, members of doctel_indexer and doctel_api (passwords: test-only). */
export const TEST_LOGINS = {
  indexer: { name: "test_indexer", password: "test-indexer-password" },
  api: { name: "test_api", password: "test-api-password" },
} as const;

export const TEMPLATE_DATABASE = "doctel_template";

const configSchema = z.object({
  TEST_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
});

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = parseConfig(configSchema, process.env);
  const logger = createLogger({ level: config.TEST_LOG_LEVEL, format: "json", service: "test-setup" });
  const started = performance.now();
  const server = await startTemporaryPostgres({ logger });
  try {
    await withClient(server.url, async (client) => {
      await ensureGroups(client);
      await ensureLogin(client, { ...TEST_LOGINS.indexer, group: DB_GROUPS.indexer });
      await ensureLogin(client, { ...TEST_LOGINS.api, group: DB_GROUPS.api });
    });
    const templateUrl = await createDatabase(server.url, TEMPLATE_DATABASE);
    const { applied } = await applyMigrations({ databaseUrl: templateUrl, logger });
    // Marked as a template: copies need no superuser, and nobody may stay connected to it.
    await withClient(server.url, (client) =>
      client.query(`ALTER DATABASE ${TEMPLATE_DATABASE} IS_TEMPLATE true`),
    );
    logger.info(
      { migrations: applied.length, duration_ms: Math.round(performance.now() - started) },
      "test database server ready",
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  project.provide("databaseAdminUrl", server.url);
  project.provide("databaseTemplate", TEMPLATE_DATABASE);
  project.provide("testRunId", randomUUID());
  project.provide("databaseLogins", TEST_LOGINS);
  return () => server.stop();
}
