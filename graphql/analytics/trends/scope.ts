/**
 * The region side of a trend release: a scope (India, a state or a district) and a breakdown
 * (none, by state, by district). The series form a tree whose root is the scope's total series:
 * districts -> their state -> the scope. Each week, a parent series is the sum of its children,
 * which complementary suppression takes into account.
 */
import { ValidationError } from "../../../shared/errors.ts";
import { DISTRICTS, districtsOf, getDistrict, getState, STATES } from "../../../shared/reference/regions.ts";
import { type DimensionValue, describeNode, node } from "../aggregates/nodes.ts";
import { TOTAL } from "../disclosure/cube.ts";

export type TrendBreakdown = "NONE" | "STATE" | "DISTRICT";

export interface TrendScopeInput {
  state?: number | null;
  district?: number | null;
}

export interface TrendScope {
  readonly state: number | null;
  readonly district: number | null;
  readonly breakdown: TrendBreakdown;
  readonly root: string;
  leafOf(state: number | null, district: number | null): string;
  parentOf(key: string): string | null;
  /** Every leaf the breakdown can have (noisy releases). */
  leaves(): string[];
  describe(key: string): DimensionValue;
}

export function createTrendScope(
  input: TrendScopeInput | null | undefined,
  breakdown: TrendBreakdown,
): TrendScope {
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
  }
  if (district !== null && breakdown !== "NONE") {
    throw new ValidationError("a district has no smaller regions: use breakdown NONE", {
      details: { field: "breakdown" },
    });
  }
  if (state !== null && breakdown === "STATE") {
    throw new ValidationError("a state scope can be broken down by DISTRICT only", {
      details: { field: "breakdown" },
    });
  }
  const root =
    district !== null ? node("DISTRICT", state!, district) : state !== null ? node("STATE", state) : TOTAL;
  return {
    state,
    district,
    breakdown,
    root,
    leafOf(s, d) {
      if (breakdown === "DISTRICT") return node("DISTRICT", s!, d!);
      if (breakdown === "STATE") return node("STATE", s!);
      return root;
    },
    parentOf(key) {
      if (key === root) return null;
      if (key.startsWith("DISTRICT:")) {
        const parent = node("STATE", key.split(":")[1]!);
        return parent === root || state === null ? parent : null;
      }
      if (key.startsWith("STATE:")) return root === TOTAL ? TOTAL : null;
      return null;
    },
    leaves() {
      if (breakdown === "NONE") return [root];
      if (breakdown === "STATE") return STATES.map((s) => node("STATE", s.code));
      const list = state !== null ? districtsOf(state) : DISTRICTS;
      return list.map((d) => node("DISTRICT", d.stateCode, d.code));
    },
    describe(key) {
      if (key === TOTAL) return { level: "NATIONAL", code: "IN", label: "India" };
      return describeNode(key);
    },
  };
}
