/**
 * A dataset's selection: generalized values of one release's quasi-identifiers, checked against
 * the values that release can have (its generalization levels), and resolved to whole classes.
 * A value finer than the release (a 5-year band in a 10-year release, a day, a district of a
 * state-level release) is refused with the release's level; selecting never reaches below a class.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { getDistrict, getState } from "../../../shared/reference/regions.ts";
import { AGE_BANDS } from "../../../shared/reference/weeks.ts";
import type { ReleaseClass, ReleaseDescription, SelectionValues } from "./catalog.ts";
import { AGE_LEVEL_NAMES, ageAt, isReleasableDistrict, periodAt } from "./hierarchies.ts";
import { thursdayOf } from "./periods.ts";

export interface DatasetInput {
  releaseId?: string | null;
  ageBands?: readonly string[] | null;
  sexes?: readonly string[] | null;
  states?: readonly number[] | null;
  districts?: readonly number[] | null;
  periods?: readonly string[] | null;
}

const MAX_VALUES = 1_000;
const SEXES = ["FEMALE", "MALE", "OTHER", "UNKNOWN"];

function list<T extends string | number>(field: string, values: readonly T[] | null | undefined): T[] | null {
  if (values === null || values === undefined) return null;
  if (values.length > MAX_VALUES) {
    throw new ValidationError(`${field}: at most ${MAX_VALUES} values, got ${values.length}`, {
      details: { field },
    });
  }
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function refuse(field: string, value: string | number, release: ReleaseDescription, what: string): never {
  throw new ValidationError(
    `${field}: ${JSON.stringify(value)} is not a value of release ${release.period}, which releases ${what}`,
    { details: { field, value } },
  );
}

/** The week labels of the release's weeks, at the release's period level. */
function periodValues(release: ReleaseDescription): Set<string> {
  const level = release.levels[3] ?? 0;
  const start = Date.parse(`${release.from}T00:00:00Z`) / 86_400_000;
  const end = Date.parse(`${release.to}T00:00:00Z`) / 86_400_000;
  const out = new Set<string>();
  for (let monday = start; monday <= end; monday += 7) out.add(periodAt(thursdayOf(monday), level));
  return out;
}

/** Checks the input's values against the release's levels; canonical (sorted, deduplicated). */
export function parseSelection(input: DatasetInput, release: ReleaseDescription): SelectionValues {
  const [ageLevel = 0, sexLevel = 0, regionLevel = 0] = release.levels;
  const ageBands = list("ageBands", input.ageBands);
  if (ageBands) {
    const allowed = new Set(AGE_BANDS.map((b) => ageAt(b, ageLevel)));
    const example = ageAt("35-39", ageLevel);
    for (const v of ageBands)
      if (!allowed.has(v))
        refuse("ageBands", v, release, `ages as ${AGE_LEVEL_NAMES[ageLevel]} (e.g. "${example}")`);
  }
  const sexes = list("sexes", input.sexes);
  if (sexes) {
    const allowed = sexLevel === 0 ? SEXES : ["*"];
    for (const v of sexes)
      if (!allowed.includes(v)) refuse("sexes", v, release, `sex as ${allowed.join(", ")}`);
  }
  const states = list("states", input.states);
  if (states) {
    if (regionLevel >= 2) refuse("states", states[0]!, release, "region as * (national) only");
    for (const v of states) if (!getState(v)) refuse("states", v, release, "LGD state codes");
  }
  const districts = list("districts", input.districts);
  if (districts) {
    if (regionLevel >= 1) {
      refuse("districts", districts[0]!, release, regionLevel === 1 ? "regions as states" : "region as *");
    }
    for (const v of districts) {
      if (!getDistrict(v)) refuse("districts", v, release, "LGD district codes");
      if (!isReleasableDistrict(v)) {
        refuse("districts", v, release, "districts under 20,000 people as their state (select the state)");
      }
    }
  }
  const periods = list("periods", input.periods);
  if (periods) {
    const allowed = periodValues(release);
    for (const v of periods) {
      if (!allowed.has(v)) {
        refuse(
          "periods",
          v,
          release,
          `periods ${[...allowed].slice(0, 3).join(", ")}${allowed.size > 3 ? " …" : ""}`,
        );
      }
    }
  }
  return { ageBands, sexes, states, districts, periods };
}

/** The release's classes the selection covers (whole classes; regions: states or districts). */
export function selectClasses(classes: readonly ReleaseClass[], s: SelectionValues): ReleaseClass[] {
  const has = <T>(values: readonly T[] | null, v: T) => values === null || values.includes(v);
  return classes.filter((c) => {
    if (!has(s.ageBands, c.ageBand) || !has(s.sexes, c.sex) || !has(s.periods, c.period)) return false;
    if (s.states === null && s.districts === null) return true;
    return (
      (s.states !== null && c.stateCode !== null && s.states.includes(c.stateCode)) ||
      (s.districts !== null && c.districtCode !== null && s.districts.includes(c.districtCode))
    );
  });
}

/** Contiguous seq ranges [lo, hi] of some classes (each class's rows are contiguous). */
export function seqRanges(classes: readonly Pick<ReleaseClass, "firstSeq" | "rows">[]): [number, number][] {
  const sorted = [...classes].sort((a, b) => a.firstSeq - b.firstSeq);
  const out: [number, number][] = [];
  for (const c of sorted) {
    const lo = c.firstSeq;
    const hi = c.firstSeq + c.rows - 1;
    const last = out.at(-1);
    if (last && last[1] + 1 === lo) last[1] = hi;
    else out.push([lo, hi]);
  }
  return out;
}
