/**
 * `caseCounts`: exact counts, from the published lattice only. The caller picks hierarchy nodes
 * (time level and range, region level and codes, diagnosis level and codes, age and sex or not);
 * the combination must be a published table. PUBLIC_HEALTH only.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { fromEpochDay, toEpochDay } from "../../../shared/reference/weeks.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext } from "../../context.ts";
import { LIMITS } from "../limits.ts";
import { parseDayRange } from "../selection/date-range.ts";
import { publicationSettingsOf } from "../settings.ts";
import { nodeOf, type TimeLevel } from "./calendar.ts";
import { PROTECTION_RULE } from "./protection.ts";
import { describe, type NodeDescription, publicationsIn, publishedCells } from "./read.ts";
import {
  checkPublished,
  compileDiagnosis,
  compileRegion,
  type DiagnosisSelectionInput,
  type RegionSelectionInput,
} from "./select.ts";

export interface CaseCountsInput {
  time?: TimeLevel | null;
  from: string;
  to: string;
  region?: RegionSelectionInput | null;
  diagnosis?: DiagnosisSelectionInput | null;
  byAge?: boolean | null;
  bySex?: boolean | null;
}

export interface PublishedTimeNode {
  level: TimeLevel;
  label: string;
  firstDay: string;
  lastDay: string;
  publishedAt: Date;
}

export interface PublishedCell {
  time: PublishedTimeNode;
  region: NodeDescription;
  diagnosis: NodeDescription;
  age: NodeDescription;
  sex: NodeDescription;
  count: number | null;
  suppressed: boolean;
  source: "PUBLISHED";
}

export interface CaseCountTable {
  system: "ISO" | "MMWR";
  time: TimeLevel;
  publications: PublishedTimeNode[];
  cells: PublishedCell[];
  disclosure: PublicationDisclosure;
}

export interface PublicationDisclosure {
  source: "PUBLISHED";
  rule: string;
  zeroCells: string;
  totalCells: number;
  suppressedCells: number;
}

export const ZERO_CELLS =
  "A published node's cells that are not listed are zero (an empty cell discloses nobody); suppressed cells are listed with count null.";

/** Parses from/to and the time level; the range is of first days of time nodes. */
export function timeRange(input: { from: string; to: string; time?: TimeLevel | null }): {
  level: TimeLevel;
  from: string;
  to: string;
} {
  const level = input.time ?? "WEEK";
  const range = parseDayRange(input.from, input.to, LIMITS.maxRangeDays);
  const a = toEpochDay(range.from);
  const b = toEpochDay(range.to);
  return { level, from: fromEpochDay(a), to: fromEpochDay(b) };
}

export async function resolveCaseCounts(ctx: ApiContext, input: CaseCountsInput): Promise<CaseCountTable> {
  requireRole(ctx, ["PUBLIC_HEALTH"], "case counts");
  const settings = publicationSettingsOf(ctx);
  const range = timeRange(input);
  const region = compileRegion(input.region);
  const diagnosis = compileDiagnosis(input.diagnosis);
  const byAge = input.byAge ?? false;
  const bySex = input.bySex ?? false;
  checkPublished(region.level, diagnosis.level, byAge, bySex);
  // Snap to the first days of the nodes that start in the range.
  const from = nodeOf(range.level, range.from, settings.system);
  const start = from.firstDay < range.from ? fromEpochDay(toEpochDay(from.lastDay) + 1) : from.firstDay;
  const publications = (await publicationsIn(ctx.pool, range.level, start, range.to)).map((p) => ({
    level: p.level,
    label: p.label,
    firstDay: p.firstDay,
    lastDay: p.lastDay,
    publishedAt: p.publishedAt,
  }));
  const byDay = new Map(publications.map((p) => [p.firstDay, p]));
  const rows = await publishedCells(
    ctx.pool,
    {
      level: range.level,
      from: start,
      to: range.to,
      region: region.selection,
      diagnosis: diagnosis.selection,
      byAge,
      bySex,
    },
    LIMITS.maxDetailCells,
  );
  if (rows === null) {
    throw new ValidationError(
      `more than ${LIMITS.maxDetailCells} published cells: narrow the range, the regions or the diagnoses`,
      { details: { field: "input" } },
    );
  }
  const cells: PublishedCell[] = rows
    .flatMap((r) => {
      const time = byDay.get(r.firstDay);
      if (!time) return [];
      return [
        {
          time,
          region: describe("region", r.region),
          diagnosis: describe("diagnosis", r.diagnosis),
          age: describe("age", r.age),
          sex: describe("sex", r.sex),
          count: r.count,
          suppressed: r.count === null,
          source: "PUBLISHED" as const,
        },
      ];
    })
    .sort(
      (a, b) =>
        a.time.firstDay.localeCompare(b.time.firstDay) ||
        a.region.code.localeCompare(b.region.code) ||
        a.diagnosis.code.localeCompare(b.diagnosis.code) ||
        a.age.code.localeCompare(b.age.code) ||
        a.sex.code.localeCompare(b.sex.code),
    );
  const suppressedCells = cells.filter((c) => c.suppressed).length;
  await ctx.audit.record({
    operation: "caseCounts",
    recordType: "AGGREGATE",
    recordIds: publications.map((p) => p.label),
    details: {
      ...range,
      region: input.region ?? null,
      diagnosis: input.diagnosis ?? null,
      byAge,
      bySex,
      cells: cells.length,
    },
  });
  return {
    system: settings.system,
    time: range.level,
    publications,
    cells,
    disclosure: {
      source: "PUBLISHED",
      rule: PROTECTION_RULE,
      zeroCells: ZERO_CELLS,
      totalCells: cells.length,
      suppressedCells,
    },
  };
}
