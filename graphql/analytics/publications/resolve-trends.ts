/**
 * `caseTrends`: weekly series from the published weeks only, one per diagnosis node and region
 * (the scope, or each state or district of it), with a trailing moving average and EARS C2/C3
 * flags computed on the released values (post-processing: nothing more is disclosed).
 *
 * Weeks that are not published (not closed yet, or within the lag, or before the deployment's
 * first data) are points with `published: false` and no count, never zeros: a chart draws them as
 * pending. EARS scores a week only when its count and its whole baseline (7 released weeks ending
 * 2 weeks before) are published, so no alarm fires before a baseline exists.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { districtsOf, getDistrict, getState, STATES } from "../../../shared/reference/regions.ts";
import { fromEpochDay, toEpochDay } from "../../../shared/reference/weeks.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext } from "../../context.ts";
import { LIMITS } from "../limits.ts";
import { parseDayRange } from "../selection/date-range.ts";
import { publicationSettingsOf } from "../settings.ts";
import { EARS_WEEKLY, earsScores } from "../trends/ears.ts";
import { trailingMovingAverage } from "../trends/moving-average.ts";
import { nodeOf, nodesStartingIn } from "./calendar.ts";
import { ALL, regionNode } from "./lattice.ts";
import { PROTECTION_RULE } from "./protection.ts";
import { describe, type NodeDescription, publicationsIn, publishedCells } from "./read.ts";
import { checkPublished, type DiagnosisLevel, diagnosisCode } from "./select.ts";

export type TrendBreakdown = "NONE" | "STATE" | "DISTRICT";

export interface CaseTrendsInput {
  from: string;
  to: string;
  diagnoses: readonly { level: DiagnosisLevel; code?: string | null }[];
  region?: { state?: number | null; district?: number | null } | null;
  breakdown?: TrendBreakdown | null;
  movingAverageWeeks?: number | null;
}

export interface TrendPoint {
  weekStart: string;
  week: string;
  published: boolean;
  count: number | null;
  suppressed: boolean;
  movingAverage: number | null;
  expected: number | null;
  upperBound: number | null;
  c2: number | null;
  c2Alarm: boolean | null;
  c3: number | null;
  c3Alarm: boolean | null;
}

export interface TrendSeries {
  diagnosisIndex: number;
  diagnosis: NodeDescription;
  region: NodeDescription;
  total: boolean;
  points: TrendPoint[];
}

export const ABERRATION_METHOD = {
  name: "EARS C2 and C3 on weekly counts",
  description:
    "C2: baseline = the 7 weeks ending 2 weeks before the week scored (t-9..t-3); C2 = (count - baseline mean) / max(baseline SD, minSd); alarm when C2 > threshold. C3: sum of max(0, C2 - 1) over the week and the 2 before; alarm when C3 > c3Threshold. Computed on published, released values only: a week is scored when its count and its whole baseline are published and released, so no alarm fires before a baseline exists.",
  ...EARS_WEEKLY,
  minBaselineWeeks: EARS_WEEKLY.baselineWeeks,
} as const;

const DEFAULT_MOVING_AVERAGE = 3;
const MAX_MOVING_AVERAGE = 12;

function scopeRegions(
  input: CaseTrendsInput["region"],
  breakdown: TrendBreakdown,
): { root: string; leaves: string[] } {
  let state = input?.state ?? null;
  const district = input?.district ?? null;
  if (state !== null && !getState(state)) {
    throw new ValidationError(`unknown LGD state code ${state}`, { details: { field: "region.state" } });
  }
  if (district !== null) {
    const d = getDistrict(district);
    if (!d)
      throw new ValidationError(`unknown LGD district code ${district}`, {
        details: { field: "region.district" },
      });
    if (state !== null && state !== d.stateCode) {
      throw new ValidationError(`district ${district} is not in state ${state}`, {
        details: { field: "region.district" },
      });
    }
    state = d.stateCode;
    if (breakdown !== "NONE") {
      throw new ValidationError("a district has no smaller regions: use breakdown NONE", {
        details: { field: "breakdown" },
      });
    }
    return { root: regionNode.district(district), leaves: [] };
  }
  if (state !== null) {
    if (breakdown === "STATE") {
      throw new ValidationError("a state scope can be broken down by DISTRICT only", {
        details: { field: "breakdown" },
      });
    }
    const leaves = breakdown === "DISTRICT" ? districtsOf(state).map((d) => regionNode.district(d.code)) : [];
    return { root: regionNode.state(state), leaves };
  }
  if (breakdown === "DISTRICT") {
    throw new ValidationError("a district breakdown needs a state scope (region.state)", {
      details: { field: "breakdown" },
    });
  }
  return { root: ALL, leaves: breakdown === "STATE" ? STATES.map((s) => regionNode.state(s.code)) : [] };
}

export async function resolveCaseTrends(ctx: ApiContext, input: CaseTrendsInput) {
  requireRole(ctx, ["PUBLIC_HEALTH"], "case trends");
  const settings = publicationSettingsOf(ctx);
  const window = input.movingAverageWeeks ?? DEFAULT_MOVING_AVERAGE;
  if (!Number.isInteger(window) || window < 1 || window > MAX_MOVING_AVERAGE) {
    throw new ValidationError(`movingAverageWeeks must be 1..${MAX_MOVING_AVERAGE}`, {
      details: { field: "movingAverageWeeks" },
    });
  }
  if (input.diagnoses.length === 0 || input.diagnoses.length > LIMITS.maxTrendDiagnoses) {
    throw new ValidationError(`ask for 1..${LIMITS.maxTrendDiagnoses} diagnosis nodes`, {
      details: { field: "diagnoses" },
    });
  }
  const range = parseDayRange(input.from, input.to, LIMITS.maxRangeDays);
  const a = toEpochDay(range.from);
  const b = toEpochDay(range.to);
  const breakdown = input.breakdown ?? "NONE";
  const scope = scopeRegions(input.region, breakdown);
  const diagnoses = input.diagnoses.map((d) => ({
    level: d.level,
    node: diagnosisCode(d.level, d.code ?? ""),
  }));
  const regionLevel =
    scope.root.startsWith("D:") || scope.leaves[0]?.startsWith("D:")
      ? "DISTRICT"
      : scope.root === ALL && scope.leaves.length === 0
        ? "NATION"
        : "STATE";
  for (const d of diagnoses) checkPublished(regionLevel, d.level, false, false);
  if (diagnoses.length * (scope.leaves.length + 1) > LIMITS.maxTrendSeries) {
    throw new ValidationError(
      `more than ${LIMITS.maxTrendSeries} series: narrow the region or the breakdown`,
      { details: { field: "breakdown" } },
    );
  }

  // Weeks shown, and the lead-in weeks that score the first of them.
  const system = settings.system;
  const first = nodeOf("WEEK", fromEpochDay(a), system);
  const leadIn = EARS_WEEKLY.baselineWeeks + EARS_WEEKLY.lagWeeks;
  const weeks = nodesStartingIn(
    "WEEK",
    fromEpochDay(toEpochDay(first.firstDay) - 7 * leadIn),
    fromEpochDay(b),
    system,
  );
  const fromDay = weeks[0]!.firstDay;
  const toDay = weeks.at(-1)!.firstDay;
  const published = new Set((await publicationsIn(ctx.pool, "WEEK", fromDay, toDay)).map((p) => p.firstDay));
  const regions = [scope.root, ...scope.leaves];
  const rows = await publishedCells(
    ctx.pool,
    {
      level: "WEEK",
      from: fromDay,
      to: toDay,
      region: { nodes: regions, prefix: null },
      diagnosis: { nodes: [...new Set(diagnoses.map((d) => d.node))], prefix: null },
      byAge: false,
      bySex: false,
    },
    LIMITS.maxDetailCells * 5,
  );
  if (rows === null) {
    throw new ValidationError("too many published cells: narrow the range or the breakdown", {
      details: { field: "input" },
    });
  }
  const value = new Map(rows.map((r) => [`${r.region}|${r.diagnosis}|${r.firstDay}`, r.count]));
  const series: TrendSeries[] = [];
  let totalCells = 0;
  let suppressedCells = 0;
  for (const [index, d] of diagnoses.entries()) {
    for (const region of regions) {
      const released = weeks.map((w) => {
        if (!published.has(w.firstDay)) return undefined;
        const v = value.get(`${region}|${d.node}|${w.firstDay}`);
        return v === undefined ? 0 : v;
      });
      // A listed leaf series is shown only when it has a case or a suppressed week.
      if (region !== scope.root && released.every((v) => v === 0 || v === undefined)) continue;
      const nulled = released.map((v) => (v === undefined ? null : v));
      const ma = trailingMovingAverage(nulled, window);
      const scores = earsScores(nulled, ABERRATION_METHOD);
      const points: TrendPoint[] = [];
      for (let i = leadIn; i < weeks.length; i++) {
        const w = weeks[i]!;
        const isPublished = released[i] !== undefined;
        const s = scores[i] ?? null;
        const count = nulled[i] ?? null;
        points.push({
          weekStart: w.firstDay,
          week: w.label,
          published: isPublished,
          count,
          suppressed: isPublished && count === null,
          movingAverage: ma[i] ?? null,
          expected: s?.expected ?? null,
          upperBound: s?.upperBound ?? null,
          c2: s?.c2 ?? null,
          c2Alarm: s?.c2Alarm ?? null,
          c3: s?.c3 ?? null,
          c3Alarm: s?.c3Alarm ?? null,
        });
        if (isPublished) {
          totalCells++;
          if (count === null) suppressedCells++;
        }
      }
      series.push({
        diagnosisIndex: index,
        diagnosis: describe("diagnosis", d.node),
        region: describe("region", region),
        total: region === scope.root && scope.leaves.length > 0,
        points,
      });
    }
  }
  await ctx.audit.record({
    operation: "caseTrends",
    recordType: "AGGREGATE",
    recordIds: [],
    details: {
      from: input.from,
      to: input.to,
      diagnoses: input.diagnoses,
      region: input.region ?? null,
      breakdown,
      series: series.length,
    },
  });
  return {
    system,
    from: weeks[leadIn]?.firstDay ?? first.firstDay,
    to: fromEpochDay(toEpochDay(toDay) + 6),
    movingAverageWeeks: window,
    aberration: ABERRATION_METHOD,
    series,
    disclosure: {
      source: "PUBLISHED" as const,
      rule: PROTECTION_RULE,
      zeroCells:
        "Published weeks without cases are 0; weeks not published yet have published: false and no count.",
      totalCells,
      suppressedCells,
    },
  };
}
