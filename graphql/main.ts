/**
 * `node graphql/main.ts`: the DocTel API as a process. Reads the environment once (graphql/config.ts),
 * checks the pepper against the deployment record, serves until SIGINT/SIGTERM.
 * The database is migrated by its owner (`npm run db:migrate`, compose's `migrate` service); the API
 * logs in as a member of doctel_api: it reads, and appends to its own schema `api`.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import type { Pool } from "pg";
import { PrismaClient } from "../prisma/generated/client.ts";
import { parseConfig } from "../shared/config.ts";
import { DocTelError, describeError } from "../shared/errors.ts";
import { createLogger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { type ApiConfig, apiConfigSchema } from "./config.ts";
import { createReadPool, openApiPool } from "./db-pool.ts";
import { createApiMetrics } from "./metrics.ts";
import { createApiServer } from "./server.ts";

async function main(): Promise<void> {
  let config: ApiConfig;
  try {
    config = parseConfig(apiConfigSchema, process.env);
  } catch (error) {
    process.stderr.write(`doctel api: ${describeError(error)}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: "api" });
  logger.info({ database_url: redactUrl(config.DATABASE_URL) }, "starting the API");
  let pool: Pool | undefined;
  let readPool: Pool | undefined;
  let prisma: PrismaClient | undefined;
  try {
    pool = await openApiPool({ databaseUrl: config.DATABASE_URL, size: config.DB_POOL_SIZE, logger });
    if (config.READ_DATABASE_URL) {
      logger.info({ read_database_url: redactUrl(config.READ_DATABASE_URL) }, "reads go to a replica");
      readPool = createReadPool({
        databaseUrl: config.READ_DATABASE_URL,
        size: config.READ_DB_POOL_SIZE ?? config.DB_POOL_SIZE,
        logger,
      });
    }
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const server = await createApiServer({
      config,
      prisma,
      pool,
      ...(readPool ? { readPool } : {}),
      logger,
      metrics: createApiMetrics({ defaultMetrics: true }),
    });
    await new Promise<void>((resolve) => {
      for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.once(sig, () => {
          logger.info({ signal: sig }, "stopping");
          resolve();
        });
      }
    });
    await server.close();
    logger.info("API stopped");
  } catch (error) {
    logger.fatal(
      { err: error, code: error instanceof DocTelError ? error.code : undefined },
      describeError(error),
    );
    process.exitCode = error instanceof DocTelError && error.code === "CONFIG_INVALID" ? 2 : 1;
  } finally {
    await prisma?.$disconnect();
    await readPool?.end();
    await pool?.end();
    logger.flush();
  }
}

if (import.meta.main) await main();
