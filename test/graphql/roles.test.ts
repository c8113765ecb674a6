/**
 * Boundaries the database enforces (prisma/migrations/20261208120000_api_schema_roles): the
 * indexer's and the API's logins (members of doctel_indexer and doctel_api) try what they must not
 * be able to do, on a real PostgreSQL; and every table's grants are compared with the convention
 * (shared/db/roles.ts), so a new table cannot slip in with more than it needs.
 */
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { rollbackTo } from "../../indexer/store/rollback.ts";
import { API_TABLE_WRITES, API_UNREAD_TABLES, DB_GROUPS } from "../../shared/db/roles.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

/** Runs `sql` and returns the SQLSTATE it failed with (or "ok"). */
async function attempt(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<string> {
  try {
    await pool.query(sql, values);
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const INSUFFICIENT_PRIVILEGE = "42501";

async function auditRow(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO api.access_audit_log (request_id, viewer, viewer_roles, operation, record_type, record_ids)
     VALUES ('roles-test', '0x00000000000000000000000000000000000000aa', '{}', 'roles test', 'PATIENT', '{}')
     RETURNING id::text`,
  );
  return rows[0]!.id;
}

describe("the API's login", () => {
  it("appends to the audit log and reads it, and can neither change, delete, truncate nor unlock it", async () => {
    const id = await auditRow(db.apiPool);
    const { rows } = await db.apiPool.query("SELECT id FROM api.access_audit_log WHERE id = $1", [id]);
    expect(rows).toHaveLength(1);
    for (const sql of [
      "UPDATE api.access_audit_log SET viewer = 'someone else' WHERE id = $1",
      "DELETE FROM api.access_audit_log WHERE id = $1",
    ]) {
      expect(await attempt(db.apiPool, sql, [id]), sql).toBe(INSUFFICIENT_PRIVILEGE);
    }
    for (const sql of [
      "TRUNCATE api.access_audit_log",
      // Not its owner: it cannot switch the append-only trigger off, nor drop or alter the table.
      "ALTER TABLE api.access_audit_log DISABLE TRIGGER access_audit_log_no_update_delete",
      "DROP TABLE api.access_audit_log",
      "DROP TRIGGER access_audit_log_no_update_delete ON api.access_audit_log",
    ]) {
      expect(await attempt(db.apiPool, sql), sql).toBe(INSUFFICIENT_PRIVILEGE);
    }
    const still = await db.pool.query("SELECT viewer FROM api.access_audit_log WHERE id = $1", [id]);
    expect(still.rows).toEqual([{ viewer: "0x00000000000000000000000000000000000000aa" }]);
  });

  it("can neither change nor delete the privacy accounting, the stored noisy answers or a published week", async () => {
    const changes: Record<string, string> = {
      analytics_release: "epsilon = 0",
      privacy_ledger: "epsilon = 0",
      noisy_answer: "epsilon = 0",
      case_publication: "cells = 0",
      case_publication_cell: "count = 0",
    };
    for (const [table, change] of Object.entries(changes)) {
      for (const sql of [
        `UPDATE api.${table} SET ${change}`,
        `DELETE FROM api.${table}`,
        `TRUNCATE api.${table}`,
      ]) {
        expect(await attempt(db.apiPool, sql), sql).toBe(INSUFFICIENT_PRIVILEGE);
      }
    }
  });

  it("reads the chain-derived tables and writes none of them", async () => {
    expect(await attempt(db.apiPool, "SELECT count(*) FROM treatment")).toBe("ok");
    expect(await attempt(db.apiPool, "SELECT count(*) FROM event_log")).toBe("ok");
    for (const sql of [
      "INSERT INTO hospital (id, name, state_code, district_code, registered_by, registered_at, registered_block, tx_hash) VALUES (999, 'x', 1, 1, 'x', now(), 1, 'x')",
      "UPDATE indexer_state SET indexed_block = 0",
      "DELETE FROM member",
      "UPDATE file_verification SET status = 'VERIFIED'",
      "TRUNCATE role_grant",
      "CREATE TABLE public.api_scratch (n int)",
      "CREATE TABLE api.api_scratch (n int)",
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ('x', 'x', 'x', now())",
    ]) {
      expect(await attempt(db.apiPool, sql), sql).toBe(INSUFFICIENT_PRIVILEGE);
    }
  });

  it("reads neither the indexer's undo log nor its workers' registry, and runs none of its functions", async () => {
    for (const table of Object.keys(API_UNREAD_TABLES)) {
      expect(await attempt(db.apiPool, `SELECT count(*) FROM ${table}`), table).toBe(INSUFFICIENT_PRIVILEGE);
    }
    for (const sql of [
      "SELECT ensure_block_partitions('vital', 0, 9000000, 1000000)",
      "SELECT indexer_fence(0, pg_backend_pid(), 0, 0)",
    ]) {
      expect(await attempt(db.apiPool, sql), sql).toBe(INSUFFICIENT_PRIVILEGE);
    }
  });

  it("changes a session only by revoking it, and a nonce only by consuming it", async () => {
    const sql = `UPDATE api.api_session SET address = '0x0000000000000000000000000000000000000001'`;
    expect(await attempt(db.apiPool, sql)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt(db.apiPool, "UPDATE api.api_session SET revoked_at = now()")).toBe("ok");
    expect(await attempt(db.apiPool, "UPDATE api.auth_nonce SET expires_at = now() + interval '1 day'")).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
  });
});

describe("the indexer's login", () => {
  it("writes the chain-derived tables", async () => {
    expect(await attempt(db.indexerPool, "UPDATE indexer_state SET head_block = head_block")).toBe("ok");
    expect(await attempt(db.indexerPool, "DELETE FROM chain_block WHERE number < 0")).toBe("ok");
  });

  it("creates partitions ahead through ensure_block_partitions, which makes nothing but partitions", async () => {
    const partitions = async () =>
      (
        await db.pool.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent IN ('vital'::regclass, 'event_record'::regclass) ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    const before = await partitions();
    for (const table of ["vital", "event_record"]) {
      const sql = `SELECT ensure_block_partitions('${table}', 0, 2500000, 1000000)`;
      expect(await attempt(db.indexerPool, sql), sql).toBe("ok");
    }
    const created = (await partitions()).filter((p) => !before.includes(p));
    expect(created).toEqual(expect.arrayContaining(["event_record_p2000000", "vital_p2000000"]));
    // The new partitions are written through their table, by the indexer's login.
    const insert = `INSERT INTO event_block (number, hash, time) VALUES (2000001, '0xroles', now())`;
    expect(await attempt(db.indexerPool, insert)).toBe("ok");
    expect(
      await attempt(
        db.indexerPool,
        `INSERT INTO event_record (block_number, log_index, tx_hash, name, args)
         VALUES (2000001, 0, '0xroles', 'HospitalRegistered', '{}')`,
      ),
    ).toBe("ok");
    // A table that is not partitioned: the table made for it cannot be attached, and goes
    // (wrong_object_type); one of schema api cannot even be named by the indexer's login.
    const plain = "SELECT ensure_block_partitions('treatment', 0, 1, 1)";
    expect(await attempt(db.indexerPool, plain)).toBe("42809");
    const api = "SELECT ensure_block_partitions('api.access_audit_log', 0, 1, 1)";
    expect(await attempt(db.indexerPool, api)).toBe(INSUFFICIENT_PRIVILEGE);
    const left = await db.pool.query("SELECT relname FROM pg_class WHERE relname = 'treatment_p0'");
    expect(left.rows).toEqual([]);
  });

  it("rolls a reorg back as its login (the undo log is restored through a temporary table)", async () => {
    const client = await db.indexerPool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO undo_log (block_number, log_index, seq, table_name, key, image)
         VALUES (2000001, 0, 0, 'hospital', '{"id": 4242}', NULL)`,
      );
      await client.query(
        `INSERT INTO hospital (id, name, state_code, district_code, registered_by, registered_at, registered_block, tx_hash)
         VALUES (4242, 'Roles', 27, 490, '0xroles', now(), 2000001, '0xroles')`,
      );
      await rollbackTo(client, 2_000_000n);
      const { rows } = await client.query("SELECT id FROM hospital WHERE id = 4242");
      expect(rows).toEqual([]);
      const events = await client.query("SELECT 1 FROM event_record WHERE block_number = 2000001");
      expect(events.rows).toEqual([]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("can neither read nor write the API's tables, nor change the schema", async () => {
    for (const sql of [
      "SELECT count(*) FROM api.access_audit_log",
      "INSERT INTO api.access_audit_log (request_id, viewer, viewer_roles, operation, record_type, record_ids) VALUES ('x', 'x', '{}', 'x', 'PATIENT', '{}')",
      "DELETE FROM api.api_session",
      "SELECT count(*) FROM api.auth_nonce",
      "DROP TABLE treatment",
      "ALTER TABLE treatment ADD COLUMN leak text",
      "CREATE TABLE public.indexer_scratch (n int)",
      "SELECT count(*) FROM reporting.weekly_cases_national",
    ]) {
      expect(await attempt(db.indexerPool, sql), sql).toBe(INSUFFICIENT_PRIVILEGE);
    }
  });
});

interface Grant {
  schema: string;
  table: string;
  group: string;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
  truncate: boolean;
  updatable_columns: string[];
}

async function grants(): Promise<Grant[]> {
  const { rows } = await db.pool.query<Grant>(
    `SELECT n.nspname AS schema, c.relname AS "table", g AS "group",
            has_table_privilege(g, c.oid, 'SELECT') AS select,
            has_table_privilege(g, c.oid, 'INSERT') AS insert,
            has_table_privilege(g, c.oid, 'UPDATE') AS update,
            has_table_privilege(g, c.oid, 'DELETE') AS delete,
            has_table_privilege(g, c.oid, 'TRUNCATE') AS truncate,
            ARRAY(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                     AND has_column_privilege(g, c.oid, a.attnum, 'UPDATE') ORDER BY a.attname) AS updatable_columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN unnest($1::text[]) AS g
      WHERE n.nspname IN ('public', 'api', 'reporting') AND c.relkind IN ('r', 'p', 'v', 'm')
      ORDER BY 1, 2, 3`,
    [Object.values(DB_GROUPS)],
  );
  return rows;
}

describe("every table's grants follow the convention", () => {
  it("public: the indexer reads and writes (no TRUNCATE), the API reads (but API_UNREAD_TABLES), Grafana's role nothing", async () => {
    const rows = (await grants()).filter((g) => g.schema === "public" && g.table !== "_prisma_migrations");
    expect(rows.length).toBeGreaterThan(3 * 15);
    const wrong = rows.filter((g) => {
      const expected =
        g.group === DB_GROUPS.indexer
          ? { select: true, insert: true, update: true, delete: true }
          : g.group === DB_GROUPS.api
            ? { select: !(g.table in API_UNREAD_TABLES), insert: false, update: false, delete: false }
            : { select: false, insert: false, update: false, delete: false };
      return (
        g.select !== expected.select ||
        g.insert !== expected.insert ||
        g.update !== expected.update ||
        g.delete !== expected.delete ||
        g.truncate
      );
    });
    expect(wrong).toEqual([]);
  });

  it("api: the API selects and inserts, changes only what shared/db/roles.ts declares; nobody else has any right", async () => {
    const rows = (await grants()).filter((g) => g.schema === "api");
    const tables = [...new Set(rows.map((g) => g.table))].sort();
    expect(tables).toEqual(
      expect.arrayContaining([
        "access_audit_log",
        "analytics_release",
        "case_publication",
        "case_publication_cell",
        "noisy_answer",
        "privacy_ledger",
        ...Object.keys(API_TABLE_WRITES),
      ]),
    );
    for (const g of rows) {
      const none = {
        select: false,
        insert: false,
        update: false,
        delete: false,
        truncate: false,
        columns: [] as string[],
      };
      let expected = none;
      if (g.group === DB_GROUPS.api) {
        const writes = API_TABLE_WRITES[g.table];
        const allColumns = writes?.update === "all";
        expected = {
          select: true,
          insert: true,
          update: allColumns,
          delete: writes?.delete ?? false,
          truncate: false,
          columns: allColumns
            ? g.updatable_columns
            : [...((writes?.update as string[] | undefined) ?? [])].sort(),
        };
      }
      expect(
        {
          select: g.select,
          insert: g.insert,
          update: g.update,
          delete: g.delete,
          truncate: g.truncate,
          columns: g.updatable_columns,
        },
        `${g.group} on api.${g.table}`,
      ).toEqual(expected);
    }
  });

  it("reporting: Grafana's role reads only the reporting views", async () => {
    const rows = (await grants()).filter(
      (g) => g.group === DB_GROUPS.reporting && (g.select || g.insert || g.update),
    );
    expect(
      rows.every((g) => g.schema === "reporting" && g.table.startsWith("weekly_cases_") && !g.insert),
    ).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it("no login group owns a table, schema or type: only the migrating role can alter or drop them", async () => {
    const { rows } = await db.pool.query(
      `SELECT 'table' AS kind, c.relname AS name FROM pg_class c WHERE c.relowner = ANY(SELECT oid FROM pg_roles WHERE rolname = ANY($1))
       UNION ALL SELECT 'schema', n.nspname FROM pg_namespace n WHERE n.nspowner = ANY(SELECT oid FROM pg_roles WHERE rolname = ANY($1))
       UNION ALL SELECT 'type', t.typname FROM pg_type t WHERE t.typowner = ANY(SELECT oid FROM pg_roles WHERE rolname = ANY($1))`,
      [[...Object.values(DB_GROUPS), "test_indexer", "test_api"]],
    );
    expect(rows).toEqual([]);
  });
});
