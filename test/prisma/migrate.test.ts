/**
 * prisma/migrate.ts against a real PostgreSQL, with the small fixture schema under
 * test/fixtures/prisma (an enum, a JSONB column, a relation, a composite index).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { applyMigrations, createMigration, diffSchema, migrationStatus } from "../../prisma/migrate.ts";
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../../shared/services/postgres.ts";

const FIXTURE_SCHEMA = path.join(import.meta.dirname, "../fixtures/prisma/schema.prisma");
const MIGRATE_CLI = path.join(import.meta.dirname, "../../prisma/migrate.ts");

describe("prisma/migrate.ts", () => {
  let workDir: string;
  /** The fixture schema's migrations, made once by `dev --create-only`; tests copy them. */
  let fixtureMigrations: string;
  const databases: string[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "doctel-migrate-test-"));
    fixtureMigrations = path.join(workDir, "fixture-migrations");
    await createMigration({
      databaseUrl: await freshDatabase(),
      name: "init fixture",
      createOnly: true,
      schemaPath: FIXTURE_SCHEMA,
      migrationsDir: fixtureMigrations,
    });
  });

  afterAll(async () => {
    for (const name of databases) await dropDatabase(inject("databaseAdminUrl"), name);
    await rm(workDir, { recursive: true, force: true });
  });

  async function freshDatabase(): Promise<string> {
    const name = uniqueDatabaseName("doctel_migrate");
    databases.push(name);
    return createDatabase(inject("databaseAdminUrl"), name);
  }

  async function copyOfMigrations(): Promise<string> {
    const dir = path.join(workDir, `migrations-${databases.length}-${Date.now()}`);
    await cp(fixtureMigrations, dir, { recursive: true });
    return dir;
  }

  async function query<R extends pg.QueryResultRow>(
    url: string,
    sql: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  it("dev writes a migration in Prisma's own format, records it with Prisma's checksum and applies it", async () => {
    const url = await freshDatabase();
    const migrationsDir = path.join(workDir, "dev");
    const created = await createMigration({
      databaseUrl: url,
      name: "Init Fixture",
      schemaPath: FIXTURE_SCHEMA,
      migrationsDir,
    });
    expect(created.name).toMatch(/^\d{14}_init_fixture$/);
    expect(created.applied).toEqual([created.name]);

    const sql = await readFile(created.file!, "utf8");
    expect(sql).toContain(`CREATE TYPE "Severity" AS ENUM ('LOW', 'HIGH');`);
    expect(sql).toContain(`"payload" JSONB NOT NULL`);
    expect(sql).toContain(
      `CREATE INDEX "visit_hospital_id_severity_idx" ON "visit"("hospital_id", "severity");`,
    );
    expect(await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toContain(
      'provider = "postgresql"',
    );

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      url,
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.migration_name).toBe(created.name);
    expect(rows[0]!.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
    expect(rows[0]!.finished_at).not.toBeNull();
  });

  it("dev leaves no shadow database behind, because they are dropped after their pool is closed", async () => {
    const left = await query<{ datname: string }>(
      inject("databaseAdminUrl"),
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    expect(left).toEqual([]);
  });

  it("dev creates nothing when the schema and the migrations agree", async () => {
    const migrationsDir = await copyOfMigrations();
    const created = await createMigration({
      databaseUrl: await freshDatabase(),
      name: "nothing",
      schemaPath: FIXTURE_SCHEMA,
      migrationsDir,
    });
    expect(created.name).toBeUndefined();
    expect((await readdir(migrationsDir)).sort()).toEqual((await readdir(fixtureMigrations)).sort());
  });

  it("dev --create-only writes an empty migration when the schema and the migrations agree, to fill in by hand (views, roles, grants)", async () => {
    const migrationsDir = await copyOfMigrations();
    const url = await freshDatabase();
    const created = await createMigration({
      databaseUrl: url,
      name: "hand written",
      createOnly: true,
      schemaPath: FIXTURE_SCHEMA,
      migrationsDir,
    });
    expect(created.name).toMatch(/^\d{14}_hand_written$/);
    expect(created.applied).toEqual([]);
    expect(await readFile(created.file!, "utf8")).toBe("-- This is an empty migration.");
    // The given database is left alone: nothing was applied to it.
    const tables = await query(url, "SELECT 1 FROM pg_tables WHERE tablename = '_prisma_migrations'");
    expect(tables).toEqual([]);
  });

  it("deploy applies each pending migration exactly once, even to concurrent deployers", async () => {
    const url = await freshDatabase();
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        applyMigrations({ databaseUrl: url, migrationsDir: fixtureMigrations, schemaPath: FIXTURE_SCHEMA }),
      ),
    );
    expect(results.flatMap((r) => r.applied)).toHaveLength(1);
    const rows = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM _prisma_migrations");
    expect(rows).toEqual([{ n: 1 }]);
  });

  it("status lists pending migrations, then reports the database up to date after deploy", async () => {
    const url = await freshDatabase();
    const options = { databaseUrl: url, migrationsDir: fixtureMigrations, schemaPath: FIXTURE_SCHEMA };
    const before = await migrationStatus(options);
    expect(before.upToDate).toBe(false);
    expect(before.pending).toEqual(before.migrations);
    await applyMigrations(options);
    const after = await migrationStatus(options);
    expect(after).toMatchObject({ upToDate: true, pending: [], failed: [], edited: [] });
  });

  it('diff finds no drift after deploy, then the SQL that repairs a dropped index (reading pg_catalog\'s "char" columns)', async () => {
    const url = await freshDatabase();
    const options = { databaseUrl: url, migrationsDir: fixtureMigrations, schemaPath: FIXTURE_SCHEMA };
    await applyMigrations(options);
    expect(await diffSchema(options)).toMatchObject({ drift: false });

    await query(url, `DROP INDEX "visit_hospital_id_severity_idx"`);
    const { drift, script } = await diffSchema(options);
    expect(drift).toBe(true);
    expect(script).toContain(`CREATE INDEX "visit_hospital_id_severity_idx"`);
  });

  it("diff from the migrations shows a schema change that has no migration yet", async () => {
    const changedSchema = path.join(workDir, "changed.prisma");
    const schema = await readFile(FIXTURE_SCHEMA, "utf8");
    await writeFile(
      changedSchema,
      schema.replace("  name      String   @unique", "  name      String   @unique\n  city      String?"),
    );
    const { drift, script } = await diffSchema({
      databaseUrl: await freshDatabase(),
      from: "migrations",
      migrationsDir: fixtureMigrations,
      schemaPath: changedSchema,
    });
    expect(drift).toBe(true);
    expect(script).toContain(`ALTER TABLE "hospital" ADD COLUMN     "city" TEXT;`);
  });

  it("applies a migration whose strings and $$ bodies contain semicolons, as one script", async () => {
    const url = await freshDatabase();
    const migrationsDir = await copyOfMigrations();
    await addMigration(
      migrationsDir,
      "29990101000000_semicolons",
      `COMMENT ON TABLE "hospital" IS 'one; two';
DO $$
BEGIN
  INSERT INTO "hospital" ("name") VALUES ('a; b');
  INSERT INTO "hospital" ("name") VALUES ('c');
END
$$;
`,
    );
    await applyMigrations({ databaseUrl: url, migrationsDir, schemaPath: FIXTURE_SCHEMA });
    expect(await query(url, `SELECT name FROM "hospital" ORDER BY name`)).toEqual([
      { name: "a; b" },
      { name: "c" },
    ]);
    expect(await query(url, `SELECT obj_description('"hospital"'::regclass) AS comment`)).toEqual([
      { comment: "one; two" },
    ]);
  });

  it("rolls a failing migration back entirely and records it as failed, so deploy stops there", async () => {
    const url = await freshDatabase();
    const migrationsDir = await copyOfMigrations();
    await addMigration(
      migrationsDir,
      "29990101000000_broken",
      `CREATE TABLE "half_done" (id int);\nSELECT 1 / 0;\n`,
    );
    const options = { databaseUrl: url, migrationsDir, schemaPath: FIXTURE_SCHEMA };
    await expect(applyMigrations(options)).rejects.toThrow(/division by zero/);
    expect(await query(url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);
    const status = await migrationStatus(options);
    expect(status.failed).toEqual(["29990101000000_broken"]);
    await expect(applyMigrations(options)).rejects.toThrow(/failed migrations/);
  });

  it("runs as a CLI whose exit codes tell CI whether anything is pending or drifting", async () => {
    const url = await freshDatabase();
    const args = ["--schema", FIXTURE_SCHEMA, "--migrations", fixtureMigrations];
    const pending = await runCli(["status", ...args], url);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain("Not yet applied:");

    const deployed = await runCli(["deploy", ...args], url);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toMatch(/Applied 1 migration\(s\): \d{14}_init_fixture/);
    expect((await runCli(["status", ...args], url)).code).toBe(0);

    await query(url, `DROP INDEX "visit_hospital_id_severity_idx"`);
    const drift = await runCli(["diff", "--exit-code", ...args], url);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain("CREATE INDEX");
  });
});

async function addMigration(migrationsDir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(migrationsDir, name));
  await writeFile(path.join(migrationsDir, name, "migration.sql"), sql);
}

async function runCli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [MIGRATE_CLI, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout };
}
