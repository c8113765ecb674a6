/**
 * A Prisma generator (the generator protocol, through @prisma/generator-helper): from the DMMF
 * that `prisma generate` builds out of prisma/schema.prisma, it writes the descriptor of every
 * model tagged `@store <role>` (a `/// @store <role>` line of its documentation) (shared/db/table.ts says what roles mean):
 * its row type with named fields, its typed column list, and its COPY text encoder.
 *
 *   generator tables {
 *     provider = "node prisma/tables-generator.ts"
 *     output   = "../shared/db/generated"
 *   }
 *
 * The indexer's store and the API's data layer take their tables, columns and row types from
 * there and nowhere else: a column added to the schema (and its migration) is a field of the row
 * type, written by the encoder, read back by the store's loads and restored by its undo log.
 *
 * `onGenerate` is `generateTables`, a pure function from the datamodel to source text, so it is
 * tested without spawning Prisma (test/prisma/tables-generator.test.ts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DMMF } from "@prisma/generator-helper";
import helper from "@prisma/generator-helper";

type Model = DMMF.Model;
type Field = DMMF.Field;

const ROLES = ["entity", "append", "rollup", "queue", "meta"] as const;
type Role = (typeof ROLES)[number];

interface ColumnPlan {
  field: string;
  name: string;
  kind: string;
  pgType: string;
  nullable: boolean;
  key: boolean;
  labels: readonly string[] | null;
  tsType: string;
  doc: string | undefined;
}

interface TablePlan {
  model: string;
  name: string;
  /** The exported constant: the table name in camelCase. */
  ident: string;
  rowType: string;
  role: Role;
  key: string[];
  blockColumn: string | null;
  foreignKeys: { columns: string[]; table: string; to: string[] }[];
  columns: ColumnPlan[];
  doc: string;
}

export class SchemaTagError extends Error {}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The `@store <role>` tag of a model, or null. */
function roleOf(model: Model): Role | null {
  const m = /^\s*@store\s+(\S+)\s*$/m.exec(model.documentation ?? "");
  if (!m) return null;
  const role = m[1] as Role;
  if (!ROLES.includes(role)) {
    throw new SchemaTagError(`model ${model.name}: @store ${m[1]} is not one of ${ROLES.join(", ")}`);
  }
  return role;
}

function enumLabels(dm: DMMF.Datamodel, name: string): { pgType: string; labels: string[] } {
  const e = dm.enums.find((x) => x.name === name);
  if (!e) throw new SchemaTagError(`enum ${name} is not in the datamodel`);
  return { pgType: e.dbName ?? e.name, labels: e.values.map((v) => v.dbName ?? v.name) };
}

function columnOf(dm: DMMF.Datamodel, model: Model, field: Field, keyFields: readonly string[]): ColumnPlan {
  const native = field.nativeType?.[0];
  let kind: string;
  let pgType: string;
  let tsType: string;
  let labels: string[] | null = null;
  if (field.isList) throw new SchemaTagError(`${model.name}.${field.name}: list columns are not supported`);
  if (field.kind === "enum") {
    const e = enumLabels(dm, field.type);
    kind = "enum";
    pgType = e.pgType;
    labels = e.labels;
    tsType = field.type;
  } else {
    switch (field.type) {
      case "Int":
        kind = "int";
        pgType = native === "SmallInt" ? "smallint" : "integer";
        tsType = "number";
        break;
      case "BigInt":
        kind = "bigint";
        pgType = "bigint";
        tsType = "bigint";
        break;
      case "Float":
        kind = "float";
        pgType = "double precision";
        tsType = "number";
        break;
      case "Boolean":
        kind = "bool";
        pgType = "boolean";
        tsType = "boolean";
        break;
      case "String":
        kind = "text";
        pgType = native === "Uuid" ? "uuid" : "text";
        tsType = "string";
        break;
      case "DateTime":
        if (native === "Date") {
          kind = "date";
          pgType = "date";
          tsType = "EpochDay";
        } else {
          kind = "time";
          pgType = "timestamptz";
          tsType = "UnixSeconds";
        }
        break;
      case "Json":
        kind = "json";
        pgType = native === "Json" ? "json" : "jsonb";
        tsType = "string";
        break;
      case "Bytes":
        kind = "bytes";
        pgType = "bytea";
        tsType = "HexBytes";
        break;
      default:
        throw new SchemaTagError(`${model.name}.${field.name}: type ${field.type} is not supported`);
    }
  }
  return {
    field: field.name,
    name: field.dbName ?? field.name,
    kind,
    pgType,
    nullable: !field.isRequired,
    key: keyFields.includes(field.name),
    labels,
    tsType: field.isRequired ? tsType : `${tsType} | null`,
    doc: field.documentation,
  };
}

function keyOf(model: Model): string[] {
  if (model.primaryKey) return [...model.primaryKey.fields];
  const id = model.fields.find((f) => f.isId);
  if (id) return [id.name];
  const unique = model.uniqueIndexes[0];
  if (unique) return [...unique.fields];
  const uniqueField = model.fields.find((f) => f.isUnique);
  if (uniqueField) return [uniqueField.name];
  throw new SchemaTagError(`model ${model.name} has no primary or unique key`);
}

/**
 * The store writes chain-derived tables, which live in PostgreSQL schema `public` (written by the
 * indexer's role); the API's own tables (`@@schema("api")`) are never the store's, and the
 * descriptors name tables without a schema. A `@store` model in another schema is refused.
 */
function checkSchema(model: Model): void {
  const schema = model.schema ?? "public";
  if (schema !== "public") {
    throw new SchemaTagError(
      `model ${model.name}: @store tables are chain-derived and live in schema public, but it is in schema ${schema}`,
    );
  }
}

function plan(dm: DMMF.Datamodel): TablePlan[] {
  const tagged = dm.models.filter((m) => roleOf(m) !== null);
  for (const model of tagged) checkSchema(model);
  const tableName = new Map(dm.models.map((m) => [m.name, m.dbName ?? m.name]));
  const plans = tagged.map((model): TablePlan => {
    const role = roleOf(model)!;
    const key = keyOf(model);
    const columns = model.fields
      .filter((f) => f.kind === "scalar" || f.kind === "enum")
      .map((f) => columnOf(dm, model, f, key));
    const columnName = (m: Model, field: string) => {
      const f = m.fields.find((x) => x.name === field);
      return f?.dbName ?? field;
    };
    const foreignKeys = model.fields
      .filter((f) => f.kind === "object" && (f.relationFromFields?.length ?? 0) > 0)
      .map((f) => {
        const parent = dm.models.find((m) => m.name === f.type)!;
        return {
          columns: (f.relationFromFields ?? []).map((x) => columnName(model, x)),
          table: tableName.get(f.type)!,
          to: (f.relationToFields ?? []).map((x) => columnName(parent, x)),
        };
      });
    let blockColumn: string | null = null;
    if (role === "append") {
      const first = columns.find((c) => c.key && (c.field === "blockNumber" || c.field === "number"));
      if (first?.kind !== "bigint") {
        throw new SchemaTagError(
          `append model ${model.name} needs a BigInt blockNumber (or number) in its key`,
        );
      }
      blockColumn = first.name;
    }
    const name = model.dbName ?? model.name;
    return {
      model: model.name,
      name,
      ident: camel(name),
      rowType: `${model.name}Row`,
      role,
      key,
      blockColumn,
      foreignKeys,
      columns,
      doc: (model.documentation ?? "").replace(/^\s*@store\s+\S+\s*$/m, "").trim(),
    };
  });
  return topologicalOrder(plans);
}

/** Parents before children (foreign keys), then by name: the order rows are written in. */
function topologicalOrder(plans: TablePlan[]): TablePlan[] {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const done = new Set<string>();
  const out: TablePlan[] = [];
  const visit = (p: TablePlan, path: string[]) => {
    if (done.has(p.name)) return;
    if (path.includes(p.name)) throw new SchemaTagError(`foreign keys form a cycle: ${path.join(" -> ")}`);
    for (const fk of p.foreignKeys) {
      const pp = byName.get(fk.table);
      if (pp) visit(pp, [...path, p.name]);
    }
    done.add(p.name);
    out.push(p);
  };
  for (const p of [...plans].sort((a, b) => a.name.localeCompare(b.name))) visit(p, []);
  return out;
}

const WRITE: Record<string, string> = {
  int: "int",
  bigint: "bigint",
  float: "float",
  text: "text",
  bool: "bool",
  time: "time",
  date: "date",
  enum: "label",
  json: "text",
  bytes: "bytes",
};

function encoder(p: TablePlan): string {
  const lines = p.columns.map((c) => {
    const v = `r.${c.field}`;
    const write = `w.${WRITE[c.kind]}(${v})`;
    return c.nullable ? `    if (${v} === null) w.null(); else ${write};` : `    ${write};`;
  });
  return `  encode(w: CopySink, r: ${p.rowType}): void {\n${lines.join("\n")}\n    w.end();\n  },`;
}

/** A doc comment (null for no text). */
const comment = (text: string, indent = ""): string | null =>
  text.trim() === ""
    ? null
    : `${indent}/**\n${text
        .trim()
        .split("\n")
        .map((l) => `${indent} * ${l}`.trimEnd())
        .join("\n")}\n${indent} */`;

/** The source text of shared/db/generated/tables.ts. */
export function generateTables(dm: DMMF.Datamodel, schemaPath: string): string {
  const tables = plan(dm);
  const usedEnums = new Set<string>();
  for (const t of tables)
    for (const c of t.columns) if (c.kind === "enum") usedEnums.add(c.tsType.split(" ")[0]!);
  const out: (string | null)[] = [];
  out.push(
    `// Generated by prisma/tables-generator.ts from ${schemaPath} (npm run db:generate). Do not edit.`,
    `import type { CopySink, EpochDay, HexBytes, Table, UnixSeconds } from "../table.ts";`,
    "",
    "export type { EpochDay, HexBytes, UnixSeconds };",
    "",
  );
  for (const e of dm.enums.filter((x) => usedEnums.has(x.name))) {
    const { labels } = enumLabels(dm, e.name);
    const constName = e.name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
    out.push(
      comment(e.documentation ?? ""),
      `export const ${constName} = [${labels.map((l) => JSON.stringify(l)).join(", ")}] as const;`,
      `export type ${e.name} = (typeof ${constName})[number];`,
      "",
    );
  }
  for (const t of tables) {
    out.push(comment(t.doc));
    out.push(`export interface ${t.rowType} {`);
    for (const c of t.columns) {
      out.push(comment(c.doc ?? "", "  "));
      out.push(`  ${c.field}: ${c.tsType};`);
    }
    out.push("}", "");
    out.push(`/** Table \`${t.name}\` (model ${t.model}, @store ${t.role}). */`);
    out.push(`export const ${t.ident} = {`);
    out.push(`  model: ${JSON.stringify(t.model)},`);
    out.push(`  name: ${JSON.stringify(t.name)},`);
    out.push(`  role: ${JSON.stringify(t.role)},`);
    out.push(`  key: [${t.key.map((k) => JSON.stringify(k)).join(", ")}],`);
    out.push(`  blockColumn: ${JSON.stringify(t.blockColumn)},`);
    out.push(
      `  foreignKeys: [${t.foreignKeys.map((fk) => `{ columns: ${JSON.stringify(fk.columns)}, table: ${JSON.stringify(fk.table)}, to: ${JSON.stringify(fk.to)} }`).join(", ")}],`,
    );
    out.push("  columns: [");
    for (const c of t.columns) {
      const labels = c.labels ? `, labels: [${c.labels.map((l) => JSON.stringify(l)).join(", ")}]` : "";
      out.push(
        `    { field: ${JSON.stringify(c.field)}, name: ${JSON.stringify(c.name)}, kind: ${JSON.stringify(c.kind)}, pgType: ${JSON.stringify(c.pgType)}, nullable: ${c.nullable}, key: ${c.key}${labels} },`,
      );
    }
    out.push("  ],");
    out.push(encoder(t));
    out.push(`} as const satisfies Table<${t.rowType}>;`, "");
  }
  out.push(
    "/** Every table the store knows, parents before children (the order rows are written in). */",
    `export const TABLES = [${tables.map((t) => t.ident).join(", ")}] as const;`,
    "",
    "/** The same tables by name (camelCase). */",
    `export const TABLE = { ${tables.map((t) => t.ident).join(", ")} } as const;`,
    "",
  );
  return out.filter((l) => l !== null).join("\n");
}

if (import.meta.main) {
  helper.generatorHandler({
    onManifest: () => ({ prettyName: "DocTel table descriptors", defaultOutput: "../shared/db/generated" }),
    async onGenerate(options) {
      const output = options.generator.output?.value;
      if (!output) throw new Error("tables generator: no output directory");
      const schema = path.relative(process.cwd(), options.schemaPath) || options.schemaPath;
      const source = generateTables(options.dmmf.datamodel, schema);
      await mkdir(output, { recursive: true });
      await writeFile(path.join(output, "tables.ts"), source);
    },
  });
}
