/**
 * `caseTrends`: weekly case series per diagnosis selection and region, with a trailing moving
 * average and EARS C2/C3 aberration flags (ears.ts), from case_trend_weekly. PUBLIC_HEALTH only.
 *
 * The query reads baselineWeeks + lagWeeks weeks before `from` so the first weeks shown can be
 * scored; those lead-in weeks are suppressed like the others and used only for the statistics.
 */
import { randomUUID } from "node:crypto";
import { ValidationError } from "../../../shared/errors.ts";
import {
  formatEpiWeek,
  fromEpochDay,
  isoWeek,
  mmwrWeek,
  toEpochDay,
} from "../../../shared/reference/weeks.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext } from "../../context.ts";
import type { DimensionValue } from "../aggregates/nodes.ts";
import { suppressCube } from "../disclosure/complementary-suppression.ts";
import { buildCube, type Cube, cellKey, compareCoords, type DetailCell } from "../disclosure/cube.ts";
import {
  cryptoRandom,
  type Epsilon,
  epsilonValue,
  type RandomSource,
  splitEpsilon,
} from "../disclosure/discrete-laplace.ts";
import { noisyDetails } from "../disclosure/noisy-details.ts";
import { MIN_CELL_COUNT } from "../disclosure/policy.ts";
import { recordRelease } from "../disclosure/release-log.ts";
import {
  auditStatement,
  type DisclosureReport,
  mechanismOf,
  noiseReport,
  SUPPRESSION_METHOD,
} from "../disclosure/report.ts";
import { LIMITS } from "../limits.ts";
import { parseDayRange, snapToWeeks } from "../selection/date-range.ts";
import {
  compileDiagnosisFilter,
  type DiagnosisFilterInput,
  selectionsOverlap,
} from "../selection/diagnosis.ts";
import { epsilonBudgetOf, parseEpsilon } from "../settings.ts";
import { EARS_WEEKLY, earsScores } from "./ears.ts";
import { trailingMovingAverage } from "./moving-average.ts";
import { fetchTrend, type TrendSource } from "./query-trend.ts";
import { createTrendScope, type TrendBreakdown, type TrendScopeInput } from "./scope.ts";

export interface CaseTrendsInput {
  system?: "ISO" | "MMWR" | null;
  from: string;
  to: string;
  diagnoses: readonly (DiagnosisFilterInput | null)[];
  region?: TrendScopeInput | null;
  breakdown?: TrendBreakdown | null;
  movingAverageWeeks?: number | null;
  noise?: { epsilon: number } | null;
}

export interface TrendPoint {
  weekStart: string;
  week: string;
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
  diagnosis: DiagnosisFilterInput | null;
  region: DimensionValue;
  total: boolean;
  source: TrendSource;
  points: TrendPoint[];
}

export interface CaseTrendRelease {
  releaseId: string;
  system: "ISO" | "MMWR";
  from: string;
  to: string;
  movingAverageWeeks: number;
  aberration: typeof ABERRATION_METHOD;
  series: TrendSeries[];
  disclosure: DisclosureReport;
}

const TREND_ZERO_POLICY =
  "Weeks without cases are released as 0 (an empty week discloses nobody), except the few zeros complementary " +
  "suppression hides; a region with no case at all in the range has no series.";

export const ABERRATION_METHOD = {
  name: "EARS C2 and C3 on weekly counts",
  description:
    "C2: baseline = the 7 weeks ending 2 weeks before the week scored (t-9..t-3); C2 = (count - baseline mean) / max(baseline SD, minSd); alarm when C2 > threshold. C3: sum of max(0, C2 - 1) over the week and the 2 before; alarm when C3 > c3Threshold. Computed on the released (suppressed) values only: a week is scored when its count and at least minBaselineWeeks baseline weeks were released.",
  ...EARS_WEEKLY,
} as const;

const DEFAULT_MOVING_AVERAGE = 3;
const MAX_MOVING_AVERAGE = 12;

function weekList(fromWeek: string, toWeek: string): string[] {
  const out: string[] = [];
  for (let d = toEpochDay(fromWeek); d <= toEpochDay(toWeek); d += 7) out.push(fromEpochDay(d));
  return out;
}

function suppressedTrendCube(
  cells: DetailCell[],
  scope: ReturnType<typeof createTrendScope>,
  weekKind: string,
  weeks: readonly string[],
  epsilon: Epsilon | null,
  rng: RandomSource,
): { cube: Cube; auditComplete: boolean } {
  const finest = epsilon
    ? noisyDetails(
        cells,
        [scope.leaves(), weeks.map((w) => `${weekKind}:${w}`)],
        epsilon,
        LIMITS.maxNoisyDomain,
        rng,
      )
    : cells;
  const cube = buildCube(
    [
      { name: "region", parentOf: scope.parentOf },
      { name: "week", parentOf: () => null },
    ],
    finest,
    LIMITS.maxCubeCells,
  );
  return { cube, auditComplete: suppressCube(cube, MIN_CELL_COUNT).auditComplete };
}

export async function resolveCaseTrends(
  ctx: ApiContext,
  input: CaseTrendsInput,
  rng: RandomSource = cryptoRandom,
): Promise<CaseTrendRelease> {
  const viewer = requireRole(ctx, ["PUBLIC_HEALTH"], "case trends");
  const system = input.system ?? "ISO";
  const weekSystem = system === "ISO" ? "iso" : "mmwr";
  const weekKind = system === "ISO" ? "ISO_WEEK" : "MMWR_WEEK";
  const range = snapToWeeks(parseDayRange(input.from, input.to, LIMITS.maxRangeDays), weekSystem);
  const toWeek = fromEpochDay(toEpochDay(range.to) - 6);
  const leadIn = EARS_WEEKLY.baselineWeeks + EARS_WEEKLY.lagWeeks;
  const fromWithLeadIn = fromEpochDay(toEpochDay(range.from) - 7 * leadIn);
  const weeks = weekList(fromWithLeadIn, toWeek);
  const window = input.movingAverageWeeks ?? DEFAULT_MOVING_AVERAGE;
  if (!Number.isInteger(window) || window < 1 || window > MAX_MOVING_AVERAGE) {
    throw new ValidationError(`movingAverageWeeks must be 1..${MAX_MOVING_AVERAGE}`, {
      details: { field: "movingAverageWeeks" },
    });
  }
  if (input.diagnoses.length === 0 || input.diagnoses.length > LIMITS.maxTrendDiagnoses) {
    throw new ValidationError(`ask for 1..${LIMITS.maxTrendDiagnoses} diagnosis selections`, {
      details: { field: "diagnoses" },
    });
  }
  const scope = createTrendScope(input.region, input.breakdown ?? "NONE");
  const selections = input.diagnoses.map((d) => compileDiagnosisFilter(d));
  const epsilon = input.noise ? parseEpsilon(input.noise.epsilon) : null;
  // Disjoint selections are parallel releases (each gets the whole epsilon); otherwise a case can
  // be in several tables, and the epsilon is split evenly (basic composition).
  const overlapping = selections.some((a, i) =>
    selections.some((b, j) => j > i && (a === null || b === null || selectionsOverlap(a, b))),
  );
  const perTable = epsilon && overlapping ? splitEpsilon(epsilon, selections.length) : epsilon;

  const weekLabels = weeks.map((w) =>
    formatEpiWeek(weekSystem === "iso" ? isoWeek(w) : mmwrWeek(w), weekSystem),
  );
  const series: TrendSeries[] = [];
  let totalCells = 0;
  let suppressedCells = 0;
  let audited = true;
  for (const [index, selection] of selections.entries()) {
    const { cells, source } = await fetchTrend(ctx.pool, {
      system,
      fromWeek: fromWithLeadIn,
      toWeek,
      diagnosis: selection,
      scope,
    });
    const { cube, auditComplete } = suppressedTrendCube(cells, scope, weekKind, weeks, perTable, rng);
    audited &&= auditComplete;
    const regions = [...new Set([...cube.cells.values()].map((c) => c.coords[0]!))].sort((a, b) =>
      compareCoords([a], [b]),
    );
    if (series.length + regions.length > LIMITS.maxTrendSeries) {
      throw new ValidationError(
        `more than ${LIMITS.maxTrendSeries} series: narrow the region or the breakdown`,
        {
          details: { field: "breakdown" },
        },
      );
    }
    for (const region of regions) {
      const released = weeks.map((w) => {
        const cell = cube.cells.get(cellKey([region, `${weekKind}:${w}`]));
        return cell === undefined ? 0 : cell.suppressed ? null : cell.count;
      });
      const ma = trailingMovingAverage(released, window);
      const scores = earsScores(released);
      const points: TrendPoint[] = [];
      for (let i = leadIn; i < weeks.length; i++) {
        const w = weeks[i]!;
        const s = scores[i] ?? null;
        points.push({
          weekStart: w,
          week: weekLabels[i]!,
          count: released[i] ?? null,
          suppressed: released[i] === null,
          movingAverage: ma[i] ?? null,
          expected: s?.expected ?? null,
          upperBound: s?.upperBound ?? null,
          c2: s?.c2 ?? null,
          c2Alarm: s?.c2Alarm ?? null,
          c3: s?.c3 ?? null,
          c3Alarm: s?.c3Alarm ?? null,
        });
        totalCells++;
        if (released[i] === null) suppressedCells++;
      }
      series.push({
        diagnosisIndex: index,
        diagnosis: input.diagnoses[index] ?? null,
        region: scope.describe(region),
        total: regions.some((r) => scope.parentOf(r) === region),
        source,
        points,
      });
    }
  }

  const releaseId = randomUUID();
  const params = {
    system,
    from: range.from,
    to: range.to,
    diagnoses: input.diagnoses,
    region: { state: scope.state, district: scope.district },
    breakdown: scope.breakdown,
    movingAverageWeeks: window,
  };
  const epsilonSpent = epsilon ? epsilonValue(epsilon) : null;
  const privacy = await recordRelease(
    ctx.pool,
    {
      id: releaseId,
      requestId: ctx.requestId,
      viewer: viewer.address,
      kind: "CASE_TRENDS",
      params,
      mechanism: mechanismOf(epsilon),
      epsilon: epsilonSpent,
      sensitivity: epsilon ? 1 : null,
      cells: totalCells,
      suppressedCells,
    },
    epsilonBudgetOf(ctx),
  );
  await ctx.audit.record({
    operation: "caseTrends",
    recordType: "AGGREGATE",
    recordIds: [releaseId],
    details: { ...params, epsilon: epsilonSpent, series: series.length, suppressedCells },
  });
  const disclosure: DisclosureReport = {
    minReleasedCount: MIN_CELL_COUNT,
    method: SUPPRESSION_METHOD,
    zeroCells: TREND_ZERO_POLICY,
    totalCells,
    suppressedCells,
    linearAudit: auditStatement(audited),
    noise: epsilon
      ? noiseReport(
          epsilon,
          perTable ?? epsilon,
          overlapping
            ? `the ${selections.length} diagnosis selections overlap: each table got epsilon/${selections.length} (basic composition)`
            : "the diagnosis selections are disjoint: each table got the whole epsilon (parallel composition)",
        )
      : null,
    privacy,
  };
  return {
    releaseId,
    system,
    from: range.from,
    to: range.to,
    movingAverageWeeks: window,
    aberration: ABERRATION_METHOD,
    series,
    disclosure,
  };
}
