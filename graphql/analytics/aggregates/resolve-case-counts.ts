/**
 * `caseCounts`: a table of cases (treatments with a diagnosis, on the IST day they opened) grouped
 * by up to four dimensions, with its margins, from the daily rollup. PUBLIC_HEALTH only.
 */
import { randomUUID } from "node:crypto";
import { ValidationError } from "../../../shared/errors.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext } from "../../context.ts";
import { suppressCube } from "../disclosure/complementary-suppression.ts";
import { buildCube, type CubeDimension, compareCells, type DetailCell } from "../disclosure/cube.ts";
import { cryptoRandom, epsilonValue, type RandomSource } from "../disclosure/discrete-laplace.ts";
import { noisyDetails } from "../disclosure/noisy-details.ts";
import { MIN_CELL_COUNT } from "../disclosure/policy.ts";
import { recordRelease } from "../disclosure/release-log.ts";
import {
  auditStatement,
  type DisclosureReport,
  mechanismOf,
  noiseReport,
  SUPPRESSION_METHOD,
  ZERO_POLICY,
} from "../disclosure/report.ts";
import { LIMITS } from "../limits.ts";
import { parseDayRange, snapToWeeks } from "../selection/date-range.ts";
import {
  checkDisjointGroups,
  compileDiagnosisFilter,
  type DiagnosisFilterInput,
} from "../selection/diagnosis.ts";
import { compileRegionFilter, type RegionFilterInput } from "../selection/region.ts";
import { epsilonBudgetOf, parseEpsilon } from "../settings.ts";
import {
  type CaseDimension,
  canonicalDimensions,
  DIMENSION_DEFS,
  domainOf,
  type Family,
} from "./dimensions.ts";
import { aggregateParentOf, type DimensionValue, describeNode } from "./nodes.ts";
import { fetchCaseCounts } from "./query-counts.ts";

export interface CaseCountsInput {
  from: string;
  to: string;
  groupBy: readonly string[];
  diagnosis?: DiagnosisFilterInput | null;
  region?: RegionFilterInput | null;
  includeMargins?: boolean | null;
  noise?: { epsilon: number } | null;
}

export type CaseCountCell = Partial<Record<Family, DimensionValue | null>> & {
  margin: boolean;
  count: number | null;
  suppressed: boolean;
};

export interface CaseCountTable {
  releaseId: string;
  from: string;
  to: string;
  groupBy: CaseDimension[];
  cells: CaseCountCell[];
  disclosure: DisclosureReport;
}

async function hospitalDirectory(ctx: ApiContext): Promise<Map<number, string>> {
  const { rows } = await ctx.pool.query<{ id: number; name: string }>(
    "SELECT id, name FROM hospital ORDER BY id",
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function resolveCaseCounts(
  ctx: ApiContext,
  input: CaseCountsInput,
  rng: RandomSource = cryptoRandom,
): Promise<CaseCountTable> {
  const viewer = requireRole(ctx, ["PUBLIC_HEALTH"], "case counts");
  const dims = canonicalDimensions(input.groupBy);
  let range = parseDayRange(input.from, input.to, LIMITS.maxRangeDays);
  if (dims.includes("ISO_WEEK")) range = snapToWeeks(range, "iso");
  if (dims.includes("MMWR_WEEK")) range = snapToWeeks(range, "mmwr");
  const diagnosis = compileDiagnosisFilter(input.diagnosis);
  const groups = dims.includes("DIAGNOSIS_GROUP") ? [...new Set(input.diagnosis?.groups ?? [])] : [];
  if (dims.includes("DIAGNOSIS_GROUP")) {
    const d = input.diagnosis;
    if (
      groups.length === 0 ||
      (d?.codes?.length ?? 0) + (d?.categories?.length ?? 0) + (d?.chapters?.length ?? 0) > 0
    ) {
      throw new ValidationError(
        "a table by surveillance group takes its groups from diagnosis.groups, and only groups",
        {
          details: { field: "diagnosis.groups" },
        },
      );
    }
    checkDisjointGroups(groups);
  }
  const region = compileRegionFilter(input.region);
  const epsilon = input.noise ? parseEpsilon(input.noise.epsilon) : null;
  const query = { from: range.from, to: range.to, dimensions: dims, diagnosis, groups, region };

  const details = await fetchCaseCounts(ctx.pool, query, LIMITS.maxDetailCells);
  const hospitals = dims.includes("HOSPITAL") ? await hospitalDirectory(ctx) : new Map<number, string>();
  let finest: DetailCell[] = details;
  if (epsilon) {
    const domainContext = { ...query, hospitalIds: [...hospitals.keys()] };
    const domain = dims.map((d) => domainOf(d, domainContext));
    finest = noisyDetails(details, domain, epsilon, LIMITS.maxNoisyDomain, rng);
  }
  const cubeDims: CubeDimension[] = dims.map((name) => ({ name, parentOf: aggregateParentOf }));
  const cube = buildCube(cubeDims, finest, LIMITS.maxCubeCells);
  const suppression = suppressCube(cube, MIN_CELL_COUNT);

  const includeMargins = input.includeMargins ?? true;
  // Zeros are not listed (absent = 0) unless suppression hid them.
  const released = [...cube.cells.values()]
    .filter((c) => (includeMargins || c.detail) && (c.count > 0 || c.suppressed))
    .sort(compareCells);
  const cells: CaseCountCell[] = released.map((c) => {
    const cell: CaseCountCell = {
      margin: !c.detail,
      count: c.suppressed ? null : c.count,
      suppressed: c.suppressed,
    };
    dims.forEach((d, i) => {
      cell[DIMENSION_DEFS[d].family] = describeNode(c.coords[i]!, hospitals);
    });
    return cell;
  });
  const suppressedCells = cells.filter((c) => c.suppressed).length;

  const releaseId = randomUUID();
  const params = {
    from: range.from,
    to: range.to,
    groupBy: dims,
    diagnosis: input.diagnosis ?? null,
    region: input.region ?? null,
    includeMargins,
  };
  const privacy = await recordRelease(
    ctx.pool,
    {
      id: releaseId,
      requestId: ctx.requestId,
      viewer: viewer.address,
      kind: "CASE_COUNTS",
      params,
      mechanism: mechanismOf(epsilon),
      epsilon: epsilon ? epsilonValue(epsilon) : null,
      sensitivity: epsilon ? 1 : null,
      cells: cells.length,
      suppressedCells,
    },
    epsilonBudgetOf(ctx),
  );
  await ctx.audit.record({
    operation: "caseCounts",
    recordType: "AGGREGATE",
    recordIds: [releaseId],
    details: {
      ...params,
      epsilon: epsilon ? epsilonValue(epsilon) : null,
      cells: cells.length,
      suppressedCells,
    },
  });
  return {
    releaseId,
    from: range.from,
    to: range.to,
    groupBy: dims,
    cells,
    disclosure: {
      minReleasedCount: MIN_CELL_COUNT,
      method: SUPPRESSION_METHOD,
      zeroCells: ZERO_POLICY,
      totalCells: cells.length,
      suppressedCells,
      linearAudit: auditStatement(suppression.auditComplete),
      noise: epsilon ? noiseReport(epsilon) : null,
      privacy,
    },
  };
}
