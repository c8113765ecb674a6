/**
 * Shared by the two isolation test files, which vitest runs in parallel (two workers): each must
 * get a database of its own, copied from the migrated template.
 */
import { readdir } from "node:fs/promises";
import pg from "pg";
import { expect, inject, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR } from "../../prisma/migrate.ts";
import { useTestDatabase } from "../helpers/db.ts";

export function defineIsolationSuite(file: string): void {
  const db = useTestDatabase();

  it("connects to a database of its own, not to the template", async () => {
    const { rows } = await db.pool.query<{ name: string }>("SELECT current_database() AS name");
    expect(rows[0]?.name).toBe(db.name);
    expect(db.name).not.toBe(inject("databaseTemplate"));
  });

  it("starts from the template with every migration in prisma/migrations applied", async () => {
    const folders = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const { rows } = await db.pool.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
    );
    expect(folders.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.migration_name)).toEqual(folders);
  });

  it("sees only its own writes, and no other file of this run shares its database", async () => {
    // Had two files been given the same database, one of them would fail here or see two rows.
    await db.pool.query("CREATE TABLE harness_owner (file text PRIMARY KEY)");
    await db.pool.query("INSERT INTO harness_owner VALUES ($1)", [file]);
    const owners = await db.pool.query<{ file: string }>("SELECT file FROM harness_owner");
    expect(owners.rows).toEqual([{ file }]);

    const admin = new pg.Client({ connectionString: inject("databaseAdminUrl") });
    await admin.connect();
    try {
      await admin.query("BEGIN");
      await admin.query("SELECT pg_advisory_xact_lock(4242)"); // CREATE TABLE IF NOT EXISTS races otherwise
      await admin.query(
        "CREATE TABLE IF NOT EXISTS harness_sighting (run_id text, file text, database text, PRIMARY KEY (run_id, file))",
      );
      await admin.query("INSERT INTO harness_sighting VALUES ($1, $2, $3)", [
        inject("testRunId"),
        file,
        db.name,
      ]);
      await admin.query("COMMIT");
      const sightings = await admin.query<{ file: string; database: string }>(
        "SELECT file, database FROM harness_sighting WHERE run_id = $1",
        [inject("testRunId")],
      );
      const databases = sightings.rows.map((row) => row.database);
      expect(new Set(databases).size).toBe(databases.length);
    } finally {
      await admin.end();
    }
  });
}
