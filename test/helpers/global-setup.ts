/**
 * Once per test run (per vitest project): a PostgreSQL server with a migrated template database,
 * from which each test file copies a database of its own (test/helpers/db.ts) in milliseconds.
 * Which server, and which IPFS node the files share if any, follows TEST_SERVICES
 * (test/helpers/services.ts): a temporary embedded server by default, the server at DATABASE_URL,
 * or containers.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { z } from "zod";
import { type Env, parseConfig } from "../../shared/config.ts";
import { DB_GROUPS, ensureGroups, ensureLogin } from "../../shared/db/roles.ts";
import { createLogger } from "../../shared/logger.ts";
import { createDatabase, startTemporaryPostgres, withClient } from "../../shared/services/postgres.ts";
import { assertDockerAnswers, startKuboContainer, startPostgresContainer } from "./containers.ts";
import { planServices, readTestServices } from "./services.ts";

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
    /** An IPFS node shared by every file (TEST_SERVICES=external or containers); unset: one per file. */
    sharedIpfsApiUrl: string | undefined;
  }
}

/** The logins tests connect as, members of doctel_indexer and doctel_api (passwords: test-only). */
export const TEST_LOGINS = {
  indexer: { name: "test_indexer", password: "test-indexer-password" },
  api: { name: "test_api", password: "test-api-password" },
} as const;

export const TEMPLATE_DATABASE = "doctel_template";
const execFileAsync = promisify(execFile);

const configSchema = z.object({
  TEST_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
});

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupServices(project, process.env);
}

/** The global setup for the services `env` asks for; returns the teardown. */
export async function setupServices(project: TestProject, env: Env): Promise<() => Promise<void>> {
  const config = parseConfig(configSchema, env);
  const services = readTestServices(env);
  const plan = planServices(services);
  const logger = createLogger({ level: config.TEST_LOG_LEVEL, format: "json", service: "test-setup" });
  const started = performance.now();
  const runId = randomUUID();
  const teardown: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of teardown.splice(0).reverse()) await stop();
  };
  try {
    if (Object.values(plan).includes("container")) await assertDockerAnswers();

    let adminUrl: string;
    if (plan.database === "external") {
      adminUrl = services.DATABASE_URL!;
    } else if (plan.database === "container") {
      const container = await startPostgresContainer(services.TEST_POSTGRES_IMAGE);
      teardown.push(container.stop);
      adminUrl = container.url;
    } else {
      const server = await startTemporaryPostgres({ logger });
      teardown.push(server.stop);
      adminUrl = server.url;
    }
    // A server of our own gets the usual name; a shared one, a name of this run's, dropped after it.
    const template =
      plan.database === "external"
        ? `${TEMPLATE_DATABASE}_${runId.replaceAll("-", "").slice(0, 12)}`
        : TEMPLATE_DATABASE;
    // The roles are the server's: the indexer's and the API's groups and a login in each.
    await withClient(adminUrl, async (client) => {
      await ensureGroups(client);
      await ensureLogin(client, { ...TEST_LOGINS.indexer, group: DB_GROUPS.indexer });
      await ensureLogin(client, { ...TEST_LOGINS.api, group: DB_GROUPS.api });
    });
    const templateUrl = await createDatabase(adminUrl, template);
    if (plan.database === "external") teardown.push(() => dropTemplate(adminUrl, template));
    await migrate(templateUrl, config.TEST_LOG_LEVEL);
    // Marked as a template: copies need no superuser, and nobody may stay connected to it.
    await withClient(adminUrl, (client) =>
      client.query(`ALTER DATABASE ${client.escapeIdentifier(template)} IS_TEMPLATE true`),
    );

    let sharedIpfsApiUrl: string | undefined;
    if (plan.ipfs === "external") sharedIpfsApiUrl = services.IPFS_API_URL;
    if (plan.ipfs === "container") {
      const kubo = await startKuboContainer(services.TEST_KUBO_IMAGE);
      teardown.push(kubo.stop);
      sharedIpfsApiUrl = kubo.url;
    }

    const { version } = await withClient(adminUrl, async (client) => {
      const { rows } = await client.query<{ version: string }>(
        "SELECT current_setting('server_version') AS version",
      );
      return rows[0]!;
    });
    logger.info(
      {
        services: plan,
        postgres_version: version,
        duration_ms: Math.round(performance.now() - started),
      },
      "test services ready",
    );
    project.provide("databaseAdminUrl", adminUrl);
    project.provide("databaseTemplate", template);
    project.provide("testRunId", runId);
    project.provide("sharedIpfsApiUrl", sharedIpfsApiUrl);
    project.provide("databaseLogins", TEST_LOGINS);
    return stopAll;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * `node prisma/migrate.ts deploy` in a process of its own. The vitest projects' global setups
 * run in one process, each with its own instance of prisma/migrate.ts around one shared
 * WebAssembly glue module: a second instance reads the first one's memory and fails. A child
 * process per migration keeps the engine whole (about a second).
 */
async function migrate(databaseUrl: string, level: string): Promise<void> {
  const cli = path.resolve(import.meta.dirname, "../../prisma/migrate.ts");
  await execFileAsync(process.execPath, [cli, "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: level },
  }).catch((error: { stderr?: string }) => {
    throw new Error(`migrating the template database failed: ${error.stderr?.trim() ?? String(error)}`);
  });
}

async function dropTemplate(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const quoted = client.escapeIdentifier(name);
    await client.query(`ALTER DATABASE ${quoted} IS_TEMPLATE false`);
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  });
}
