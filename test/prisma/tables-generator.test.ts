/**
 * The table descriptors generated from prisma/schema.prisma (prisma/tables-generator.ts, run by
 * `npm run db:generate`): they must describe the database the migrations build, since the store
 * writes every row and the API reads every column through them.
 */
import type { DMMF } from "@prisma/generator-helper";
import { describe, expect, it } from "vitest";
import { generateTables, SchemaTagError } from "../../prisma/tables-generator.ts";
import { TABLES } from "../../shared/db/generated/tables.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

/** PostgreSQL's udt_name of each type the generator writes. */
const UDT: Record<string, string> = {
  integer: "int4",
  smallint: "int2",
  bigint: "int8",
  "double precision": "float8",
  boolean: "bool",
  text: "text",
  uuid: "uuid",
  timestamptz: "timestamptz",
  date: "date",
  json: "json",
  jsonb: "jsonb",
  bytea: "bytea",
};

describe("generated table descriptors", () => {
  it("name every column of every tagged table with its database type and nullability, as the migrations build them", async () => {
    for (const table of TABLES) {
      const { rows } = await db.pool.query<{ name: string; udt: string; nullable: boolean }>(
        `SELECT column_name AS name, udt_name AS udt, is_nullable = 'YES' AS nullable
           FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
          ORDER BY column_name`,
        [table.name],
      );
      const described = table.columns
        .map((c) => ({ name: c.name, udt: UDT[c.pgType] ?? c.pgType, nullable: c.nullable }))
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(described, table.name).toEqual(rows);
    }
  });

  it("know the keys the database enforces", async () => {
    for (const table of TABLES) {
      const { rows } = await db.pool.query<{ columns: string[] }>(
        `SELECT array_agg(a.attname ORDER BY a.attname)::text[] AS columns
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
          WHERE c.relname = $1 AND i.indisunique GROUP BY i.indexrelid`,
        [table.name],
      );
      const key = table.key.map((f) => table.columns.find((c) => c.field === f)!.name).sort();
      expect(
        rows.map((r) => r.columns),
        table.name,
      ).toContainEqual(key);
    }
  });

  const thing = (documentation: string, schema: string | null) =>
    ({
      name: "Thing",
      dbName: "thing",
      schema,
      documentation,
      fields: [],
      primaryKey: null,
      uniqueFields: [],
      uniqueIndexes: [],
    }) as unknown as DMMF.Model;
  const generate = (model: DMMF.Model) =>
    generateTables({ models: [model], enums: [], types: [], indexes: [] } as DMMF.Datamodel, "schema.prisma");

  it("refuse a model whose @store tag names no role, rather than leave it out", () => {
    expect(() => generate(thing("A thing.\n@store everything", null))).toThrow(SchemaTagError);
  });

  it("refuse a @store model outside schema public, because the store writes only the indexer's tables", () => {
    expect(() => generate(thing("A thing.\n@store append", "api"))).toThrow(
      /live in schema public.*schema api/,
    );
  });

  it("describe only the store's models: the API's tables in schema api get no descriptor", () => {
    const names = TABLES.map((t) => t.name);
    expect(names).not.toContain("access_audit_log");
    expect(names).not.toContain("api_session");
    expect(names).toEqual(expect.arrayContaining(["undo_log", "event_record", "vital", "file_verification"]));
  });
});
