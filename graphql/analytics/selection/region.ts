/**
 * Which patient regions a query covers: LGD states and districts (shared/reference/regions.ts),
 * united. Codes must be known; a district code names its state.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { getDistrict, getState } from "../../../shared/reference/regions.ts";

export interface RegionFilterInput {
  states?: readonly number[] | null;
  districts?: readonly number[] | null;
}

export interface RegionSelection {
  readonly states: readonly number[];
  readonly districts: readonly number[];
}

export const MAX_REGION_ITEMS = 800;

export function compileRegionFilter(input: RegionFilterInput | null | undefined): RegionSelection | null {
  if (!input) return null;
  const states = [...new Set(input.states ?? [])].sort((a, b) => a - b);
  const districts = [...new Set(input.districts ?? [])].sort((a, b) => a - b);
  if (states.length + districts.length > MAX_REGION_ITEMS) {
    throw new ValidationError(`at most ${MAX_REGION_ITEMS} regions per filter`, {
      details: { field: "region" },
    });
  }
  for (const s of states) {
    if (!getState(s))
      throw new ValidationError(`unknown LGD state code ${s}`, { details: { field: "region.states" } });
  }
  for (const d of districts) {
    if (!getDistrict(d)) {
      throw new ValidationError(`unknown LGD district code ${d}`, { details: { field: "region.districts" } });
    }
  }
  if (states.length === 0 && districts.length === 0) return null;
  return { states, districts };
}

/** SQL predicate on a (state, district) column pair; parameters appended to `params`. */
export function regionPredicate(
  r: RegionSelection,
  state: string,
  district: string,
  params: unknown[],
): string {
  const terms: string[] = [];
  if (r.states.length > 0) {
    params.push(r.states);
    terms.push(`${state} = ANY($${params.length}::smallint[])`);
  }
  if (r.districts.length > 0) {
    params.push(r.districts);
    terms.push(`${district} = ANY($${params.length}::smallint[])`);
  }
  return `(${terms.join(" OR ")})`;
}
