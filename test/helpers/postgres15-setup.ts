/**
 * The `postgres-15` project's global setup: a PostgreSQL 15 server from the system's own binaries
 * (Debian's postgresql-15 package; as root it runs as the `postgres` user), started apart from
 * the suite. The suite then reaches it only through the external switch (TEST_SERVICES=external
 * with DATABASE_URL), as it would reach any server: migrations, the indexer and the API run on
 * the oldest PostgreSQL DocTel supports.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { z } from "zod";
import { parseConfig } from "../../shared/config.ts";
import { createLogger } from "../../shared/logger.ts";
import { startTemporaryPostgres } from "../../shared/services/postgres.ts";
import { setupServices } from "./global-setup.ts";

const configSchema = z.object({
  POSTGRES15_BIN: z.string().default("/usr/lib/postgresql/15/bin"),
  TEST_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
});

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = parseConfig(configSchema, process.env);
  if (!existsSync(path.join(config.POSTGRES15_BIN, "postgres"))) {
    throw new Error(
      `no PostgreSQL 15 at ${config.POSTGRES15_BIN} (POSTGRES15_BIN): install Debian's postgresql-15 (apt-get install postgresql-15), as .ci/run does`,
    );
  }
  const logger = createLogger({ level: config.TEST_LOG_LEVEL, format: "json", service: "test-setup-pg15" });
  const server = await startTemporaryPostgres({ binDir: config.POSTGRES15_BIN, logger });
  try {
    const teardown = await setupServices(project, {
      ...process.env,
      TEST_SERVICES: "external",
      DATABASE_URL: server.url,
    });
    return async () => {
      await teardown();
      await server.stop();
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
