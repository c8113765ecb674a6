/**
 * The statistics lattice every publication is cut from: fixed hierarchies, a fixed set of linked
 * tables, and the additive lines (a total equals the sum of its parts) that tie their cells.
 *
 * Hierarchies (node keys are what the API and the database store):
 *   region     D:<district>  ⊂  S:<state>  ⊂  *            (LGD codes; the patient's region)
 *   diagnosis  C:<category>  ⊂  CH:<chapter>  ⊂  *         (WHO ICD-10 chapters, 0 = outside them)
 *              C:<category>  ⊂  G:<group>                  (surveillance groups made of whole categories)
 *   age        <20-year band>  ⊂  *                         (0-19, 20-39, 40-59, 60-79, 80+)
 *   sex        FEMALE | MALE | OTHER | UNKNOWN  ⊂  *
 *   time       week ⊂ 4-week period ⊂ year                  (calendar.ts)
 *
 * Published tables, each with every margin of its hierarchies:
 *   PLACE     region (state, nation) × diagnosis (category, group, chapter, all)
 *   DISTRICT  district × category, whose totals are PLACE's state × category cells
 *   PEOPLE    nation × diagnosis (chapter, all) × age band × sex
 * DISTRICT refines PLACE, and PLACE and PEOPLE share exactly the national cells of every
 * chapter and of all diagnoses (age and sex totals). The tables form a decomposable set: any nonnegative tables
 * that agree on the shared cells come from some nonnegative table of individual cases
 * (DISTRICT × PEOPLE / shared), so the linear program over the published cells and their lines is
 * exactly the attacker's best linear relaxation over cases (suppress.ts relies on this). A table
 * crossing, say, state with age would close a cycle and break that; finer cuts are noisy.
 *
 * Why districts are crossed with categories only: a district's chapter, group or all-diagnoses
 * total would tie every category of the district into one system, and with them every district
 * of the country; without those totals, a district cell is tied only to its state × category
 * total, and the audit splits into small independent components (one per state and category
 * whose total is released, plus the state-level core).
 *
 * Surveillance groups whose definition names sub-category codes (e.g. COVID-19's U07.1) are not
 * a union of categories and are not published: they are answered with noise only.
 */
import { ICD10_CHAPTERS, icd10Chapter } from "../../../shared/reference/icd10.ts";
import { ICD10_GROUPS } from "../../../shared/reference/icd10-groups.ts";
import { getDistrict } from "../../../shared/reference/regions.ts";
import { AGE_BANDS, generalizeAgeBand } from "../../../shared/reference/weeks.ts";
import { groupSelection } from "../selection/diagnosis.ts";

export const ALL = "*";

export type Dimension = "region" | "diagnosis" | "age" | "sex";
export const DIMENSIONS: readonly Dimension[] = ["region", "diagnosis", "age", "sex"];

export type TableName = "PLACE" | "DISTRICT" | "PEOPLE";

/** The 20-year bands published (5-year bands by sex would leave almost every cell suppressed). */
export const PUBLISHED_AGE_BANDS: readonly string[] = [
  ...new Set(AGE_BANDS.map((b) => generalizeAgeBand(b, 2))),
];

export const regionNode = {
  nation: ALL,
  state: (code: number) => `S:${code}`,
  district: (code: number) => `D:${code}`,
};
export const diagnosisNode = {
  all: ALL,
  chapter: (n: number) => `CH:${n}`,
  group: (id: string) => `G:${id}`,
  category: (c: string) => `C:${c}`,
};

/** Surveillance groups that are unions of whole categories, with their categories. */
export const PUBLISHED_GROUPS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  ICD10_GROUPS.flatMap((g) => {
    const selection = groupSelection(g.id);
    return selection.prefixes.length === 0 ? [[g.id, selection.categories] as const] : [];
  }),
);
export const NOISE_ONLY_GROUPS: readonly string[] = ICD10_GROUPS.map((g) => g.id).filter(
  (id) => !PUBLISHED_GROUPS.has(id),
);

const groupsByCategory = new Map<string, string[]>();
for (const [id, categories] of PUBLISHED_GROUPS) {
  for (const c of categories) {
    const list = groupsByCategory.get(c);
    if (list) list.push(id);
    else groupsByCategory.set(c, [id]);
  }
}
export const groupsOfCategory = (category: string): readonly string[] => groupsByCategory.get(category) ?? [];
export const chapterOf = (category: string): number => icd10Chapter(category)?.number ?? 0;

/**
 * The tree parent of a cell's node along a dimension (groups: none, their line is separate;
 * district cells: only their state, since districts are crossed with categories only).
 */
export function parentOf(dimension: Dimension, node: string, cell?: Coordinates): string | null {
  if (node === ALL) return null;
  if (dimension === "diagnosis" && cell?.region.startsWith("D:")) return null;
  if (dimension === "region" && cell !== undefined && (cell.age !== ALL || cell.sex !== ALL)) return null;
  switch (dimension) {
    case "region":
      if (node.startsWith("D:")) {
        const d = getDistrict(Number(node.slice(2)));
        return d ? regionNode.state(d.stateCode) : null;
      }
      return ALL;
    case "diagnosis":
      if (node.startsWith("C:")) return diagnosisNode.chapter(chapterOf(node.slice(2)));
      if (node.startsWith("G:")) return null;
      return ALL;
    default:
      return ALL;
  }
}

/** Level names of nodes, as the API shows them. */
export function levelOf(dimension: Dimension, node: string): string {
  if (node === ALL) return { region: "NATION", diagnosis: "ALL", age: "ALL", sex: "ALL" }[dimension];
  const prefix = node.split(":")[0];
  if (dimension === "region") return prefix === "D" ? "DISTRICT" : "STATE";
  if (dimension === "diagnosis")
    return { C: "CATEGORY", CH: "CHAPTER", G: "GROUP" }[prefix as "C"] ?? "CATEGORY";
  return dimension === "age" ? "AGE_BAND" : "SEX";
}

export const isKnownChapter = (n: number) => n === 0 || ICD10_CHAPTERS.some((c) => c.number === n);

// ------------------------------------------------------------------ cells and lines

export interface Coordinates {
  readonly region: string;
  readonly diagnosis: string;
  readonly age: string;
  readonly sex: string;
}

export interface LatticeCell extends Coordinates {
  readonly key: string;
  count: number;
  suppressed: boolean;
  /** Lines this cell is a part of. */
  readonly memberOf: Line[];
  /** Lines this cell is the total of. */
  readonly totalOf: Line[];
}

/** total = sum(members). Zero parts are not listed: they are released zeros, known to everyone. */
export interface Line {
  readonly key: string;
  readonly total: LatticeCell;
  readonly members: LatticeCell[];
}

export interface Lattice {
  readonly cells: Map<string, LatticeCell>;
  /** In a canonical order (sorted by key), so suppression is deterministic. */
  readonly lines: Line[];
}

const SEP = "|";
export const cellKey = (c: Coordinates): string => [c.region, c.diagnosis, c.age, c.sex].join(SEP);

/** One row of the week's finest data: a district, a category, a 5- or 20-year band, a sex. */
export interface CaseRow {
  readonly state: number;
  readonly district: number;
  readonly category: string;
  readonly ageBand: string;
  readonly sex: string;
  readonly count: number;
}

function add(cells: Map<string, LatticeCell>, c: Coordinates, count: number): void {
  const key = cellKey(c);
  const cell = cells.get(key);
  if (cell) cell.count += count;
  else cells.set(key, { ...c, key, count, suppressed: false, memberOf: [], totalOf: [] });
}

/**
 * The diagnosis nodes PEOPLE crosses with age and sex: chapters and all diagnoses. A category or
 * group split by 5 age bands and 4 sexes in one week is almost all counts from 1 to 10, and
 * protecting each of them (room to reach 11 in every line it sits in, where zeros are public)
 * takes the margins with it, up to the national total: in a network of ~100 cases a week not
 * one cell survived, at 600 a week barely any. Category or group × age × sex is noisy instead.
 */
export const isPeopleDiagnosis = (node: string): boolean => node === ALL || node.startsWith("CH:");

const band20 = (band: string) => (PUBLISHED_AGE_BANDS.includes(band) ? band : generalizeAgeBand(band, 2));

/** Every published cell with a non-zero count, and the lines between them. */
export function buildLattice(rows: readonly CaseRow[]): Lattice {
  const cells = new Map<string, LatticeCell>();
  for (const r of rows) {
    if (r.count === 0) continue;
    const chapter = chapterOf(r.category);
    const regions = [regionNode.district(r.district), regionNode.state(r.state), ALL];
    const diagnoses = [
      diagnosisNode.category(r.category),
      diagnosisNode.chapter(chapter),
      ALL,
      ...groupsOfCategory(r.category).map(diagnosisNode.group),
    ];
    // DISTRICT: district × category; PLACE: state|nation × diagnosis. Age and sex totals.
    add(cells, { region: regions[0]!, diagnosis: diagnoses[0]!, age: ALL, sex: ALL }, r.count);
    for (const region of regions.slice(1))
      for (const diagnosis of diagnoses) add(cells, { region, diagnosis, age: ALL, sex: ALL }, r.count);
    // PEOPLE: nation × chapter|all × band|* × sex|*, except the shared age-and-sex totals.
    for (const diagnosis of diagnoses.filter(isPeopleDiagnosis))
      for (const age of [band20(r.ageBand), ALL])
        for (const sex of [r.sex, ALL])
          if (age !== ALL || sex !== ALL) add(cells, { region: ALL, diagnosis, age, sex }, r.count);
  }
  return { cells, lines: linkLines(cells) };
}

/**
 * The lines between published cells: along each dimension's tree (a total and its non-zero
 * children) and each group (a group and its categories). Everyone can rebuild them from the
 * released cells, since the hierarchies are public: test/privacy does, as the attacker.
 */
export function linkLines(cells: ReadonlyMap<string, LatticeCell>): Line[] {
  const lineByKey = new Map<string, Line>();
  const lineOf = (key: string, total: LatticeCell) => {
    let line = lineByKey.get(key);
    if (!line) {
      line = { key, total, members: [] };
      lineByKey.set(key, line);
      total.totalOf.push(line);
    }
    return line;
  };
  const join = (line: Line, member: LatticeCell) => {
    line.members.push(member);
    member.memberOf.push(line);
  };
  for (const cell of cells.values()) {
    for (const dimension of DIMENSIONS) {
      const parent = parentOf(dimension, cell[dimension], cell);
      if (parent === null) continue;
      const totalKey = cellKey({ ...cell, [dimension]: parent });
      const total = cells.get(totalKey);
      if (!total) throw new Error(`lattice: cell ${cell.key} has no total along ${dimension}`);
      join(lineOf(`${dimension}${SEP}${totalKey}`, total), cell);
    }
    if (cell.diagnosis.startsWith("G:")) {
      const line = lineOf(`group${SEP}${cell.key}`, cell);
      for (const category of PUBLISHED_GROUPS.get(cell.diagnosis.slice(2)) ?? []) {
        const member = cells.get(cellKey({ ...cell, diagnosis: diagnosisNode.category(category) }));
        if (member) join(line, member);
      }
    }
  }
  const lines = [...lineByKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const line of lines) line.members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return lines;
}
