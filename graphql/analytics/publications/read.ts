/**
 * Reads of the published lattice (case_publication, case_publication_cell): index range scans on
 * (level, region, diagnosis, age, sex, first_day), never the rollups or the treatments. Everything
 * read here is already public, so sizes and errors computed from it disclose nothing more.
 */
import type { Pool } from "pg";
import { ICD10_CHAPTERS } from "../../../shared/reference/icd10.ts";
import { ICD10_GROUPS } from "../../../shared/reference/icd10-groups.ts";
import { ICD10_CATEGORY_NAMES } from "../../../shared/reference/icd10-names.ts";
import { getDistrict, getState } from "../../../shared/reference/regions.ts";
import type { TimeLevel } from "./calendar.ts";
import { ALL, type Dimension, levelOf } from "./lattice.ts";
import type { NodeSelection } from "./select.ts";

export interface PublicationRow {
  id: number;
  system: "ISO" | "MMWR";
  level: TimeLevel;
  label: string;
  firstDay: string;
  lastDay: string;
  publishedAt: Date;
  cells: number;
  suppressedCells: number;
}

const PUBLICATION_COLUMNS = `id, system::text AS system, level, label, to_char(first_day, 'YYYY-MM-DD') AS "firstDay",
  to_char(last_day, 'YYYY-MM-DD') AS "lastDay", published_at AS "publishedAt", cells, suppressed_cells AS "suppressedCells"`;

/** Published nodes of a level whose first day lies in from..to, oldest first. */
export async function publicationsIn(
  pool: Pool,
  level: TimeLevel,
  from: string,
  to: string,
): Promise<PublicationRow[]> {
  const { rows } = await pool.query<PublicationRow>(
    `SELECT ${PUBLICATION_COLUMNS} FROM case_publication
      WHERE level = $1 AND first_day >= $2::date AND first_day <= $3::date ORDER BY first_day`,
    [level, from, to],
  );
  return rows;
}

export async function latestPublications(
  pool: Pool,
  level: TimeLevel,
  limit: number,
): Promise<PublicationRow[]> {
  const { rows } = await pool.query<PublicationRow>(
    `SELECT ${PUBLICATION_COLUMNS} FROM case_publication WHERE level = $1 ORDER BY first_day DESC LIMIT $2`,
    [level, limit],
  );
  return rows;
}

export interface PublishedCellRow {
  firstDay: string;
  region: string;
  diagnosis: string;
  age: string;
  sex: string;
  count: number | null;
}

function predicate(column: string, s: NodeSelection, values: unknown[]): string {
  if (s.nodes) {
    values.push(s.nodes);
    return `${column} = ANY($${values.length}::text[])`;
  }
  values.push(`${s.prefix}%`);
  return `${column} LIKE $${values.length}`;
}

export interface CellQuery {
  level: TimeLevel;
  from: string;
  to: string;
  region: NodeSelection;
  diagnosis: NodeSelection;
  byAge: boolean;
  bySex: boolean;
}

/** Stored cells (non-zero or suppressed) of the selection; throws past `max` (public data). */
export async function publishedCells(
  pool: Pool,
  q: CellQuery,
  max: number,
): Promise<PublishedCellRow[] | null> {
  const values: unknown[] = [q.level, q.from, q.to];
  const where = [
    "level = $1",
    "first_day >= $2::date",
    "first_day <= $3::date",
    predicate("region", q.region, values),
    predicate("diagnosis", q.diagnosis, values),
    q.byAge ? "age <> '*'" : "age = '*'",
    q.bySex ? "sex <> '*'" : "sex = '*'",
  ];
  values.push(max + 1);
  const { rows } = await pool.query<PublishedCellRow>(
    `SELECT to_char(first_day, 'YYYY-MM-DD') AS "firstDay", region, diagnosis, age, sex, count
       FROM case_publication_cell WHERE ${where.join(" AND ")} LIMIT $${values.length}`,
    values,
  );
  return rows.length > max ? null : rows;
}

export interface NodeDescription {
  level: string;
  code: string;
  label: string | null;
}

const chapterTitle = (n: number) => {
  const c = ICD10_CHAPTERS.find((x) => x.number === n);
  return c ? `${c.roman}. ${c.title}` : "Outside the WHO chapters";
};

/** The public description of a lattice node. */
export function describe(dimension: Dimension, node: string): NodeDescription {
  const level = levelOf(dimension, node);
  if (node === ALL) {
    return {
      level,
      code: ALL,
      label: { region: "India", diagnosis: "All diagnoses", age: "All ages", sex: "All" }[dimension],
    };
  }
  const code = node.includes(":") ? node.slice(node.indexOf(":") + 1) : node;
  switch (level) {
    case "STATE":
      return { level, code, label: getState(Number(code))?.name ?? null };
    case "DISTRICT":
      return { level, code, label: getDistrict(Number(code))?.name ?? null };
    case "CHAPTER":
      return { level, code, label: chapterTitle(Number(code)) };
    case "GROUP":
      return { level, code, label: ICD10_GROUPS.find((g) => g.id === code)?.title ?? null };
    case "CATEGORY":
      return { level, code, label: ICD10_CATEGORY_NAMES[code] ?? null };
    case "AGE_BAND":
      return { level, code, label: `${code} years` };
    default:
      return { level, code, label: code.charAt(0) + code.slice(1).toLowerCase() };
  }
}
