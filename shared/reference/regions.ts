/**
 * India's states / union territories and districts, as the contract's `uint8 stateCode` and
 * `uint16 districtCode`.
 *
 * Code system: Local Government Directory (LGD, Ministry of Panchayati Raj, lgdirectory.gov.in),
 * the directory Indian e-governance and health systems key on. LGD state codes are the Census 2011
 * codes 1-35 continued: 36 Telangana (2014), 37 Ladakh (2019), 38 Dadra and Nagar Haveli and Daman
 * and Diu (merged 2020). Codes 25 (Daman and Diu) and 26 (Dadra and Nagar Haveli) are retired and
 * invalid. LGD district codes are unique nationwide and never reused; this table holds 1..739.
 *
 * Source and date:
 * - Districts: LGD "All Districts of India" export of July 2021, as committed in
 *   github.com/datacommonsorg/data, scripts/india_lgd/local_government_directory_districts/data/
 *   lgd_allDistrictofIndia_export.csv (commit 3dc0bb9a); states: the LGD "All States" export dated
 *   2 Jul 2021 in the same repository (local_government_directory_states/data/).
 * - Population: Census of India 2011, table A-1 (population by district), as transcribed in
 *   github.com/mihirs16/Census-of-India-2011-Dataset, resources/processed_data/census_population.csv.
 *   Checked on import: every state's districts sum to its published total, and the 35 states sum to
 *   1,210,854,977, the national total.
 * - LGD's "Census 2011 Code" column links the two. All 640 Census 2011 districts map to exactly one
 *   LGD district. One LGD value was wrong and is dropped: Gariyaband (645) lists Census code 645,
 *   which does not exist (Gariyaband was carved out in 2012).
 *
 * Method: names are LGD's, title-cased ("SPSR Nellore", "Y.S.R." kept). A district's population2011
 * is the 2011 population of the Census district with its Census code: null for the 99 districts
 * created after 2011, and an overstatement for districts that later lost territory to a new
 * district (e.g. Lower Subansiri, Adilabad). It is a 2011 figure, not today's population: for
 * disclosure control treat null as "unknown" and generalize to the state. A state's population2011
 * is the sum of the Census districts inside today's state (exact for every state; Telangana
 * 35,193,978 and Andhra Pradesh 49,386,799 count all of Khammam in Telangana).
 *
 * Not covered: districts created after July 2021 (e.g. Andhra Pradesh's 13 districts of April 2022,
 * Chhattisgarh's and Madhya Pradesh's of 2022-23). Their LGD codes are above 739; add them as rows
 * when needed (codes never change meaning), with population2011 0.
 */
import { DISTRICT_ROWS, STATE_ROWS } from "./regions-data.ts";

export const REGION_CODE_SYSTEM = "LGD" as const;
/** The contract's MAX_STATE_CODE: the highest LGD state code. */
export const MAX_STATE_CODE = 38;
/** LGD state codes that once existed and are no longer valid (merged into 38 on 2020-01-26). */
export const RETIRED_STATE_CODES: readonly number[] = [25, 26];

export type StateKind = "state" | "ut";

export interface State {
  readonly code: number;
  readonly name: string;
  readonly kind: StateKind;
  /** Census 2011 population inside today's boundaries. */
  readonly population2011: number;
}

export interface District {
  /** LGD district code, unique nationwide. */
  readonly code: number;
  /** LGD state code. */
  readonly stateCode: number;
  readonly name: string;
  /** Census 2011 district code (1..640), or null for districts created after 2011. */
  readonly census2011Code: number | null;
  /** 2011 population of that Census district (see the header for caveats), or null. */
  readonly population2011: number | null;
}

export const STATES: readonly State[] = Object.freeze(
  STATE_ROWS.map(([code, name, kind, population2011]) => Object.freeze({ code, name, kind, population2011 })),
);

export const DISTRICTS: readonly District[] = Object.freeze(
  DISTRICT_ROWS.map(([code, stateCode, name, census2011, population2011]) =>
    Object.freeze({
      code,
      stateCode,
      name,
      census2011Code: census2011 === 0 ? null : census2011,
      population2011: population2011 === 0 ? null : population2011,
    }),
  ),
);

const stateByCode = new Map(STATES.map((s) => [s.code, s]));
const districtByCode = new Map(DISTRICTS.map((d) => [d.code, d]));
const districtsByState = new Map<number, readonly District[]>(
  STATES.map((s) => [
    s.code,
    Object.freeze(
      DISTRICTS.filter((d) => d.stateCode === s.code).sort((a, b) => a.name.localeCompare(b.name, "en")),
    ),
  ]),
);

export function getState(code: number): State | undefined {
  return stateByCode.get(code);
}

export function getDistrict(code: number): District | undefined {
  return districtByCode.get(code);
}

/** The state's districts, by name; empty for an unknown state. */
export function districtsOf(stateCode: number): readonly District[] {
  return districtsByState.get(stateCode) ?? [];
}

/**
 * True when both codes are known and the district lies in the state. Stricter than the contract,
 * which only checks 1 <= stateCode <= 38 and districtCode != 0: writers check this before sending.
 */
export function isValidRegion(stateCode: number, districtCode: number): boolean {
  return getDistrict(districtCode)?.stateCode === stateCode && stateByCode.has(stateCode);
}
