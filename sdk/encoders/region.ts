/**
 * Region codes (LGD state and district codes, shared/reference/regions.ts). The contract only
 * checks 1 <= state <= 38 and district != 0; writers also check that the district is known and
 * lies in the state, as the reference table says.
 */
import { getDistrict, getState, isValidRegion, MAX_STATE_CODE } from "../../shared/reference/regions.ts";

export { MAX_STATE_CODE };

/** undefined when the pair is acceptable, else why not. */
export function regionProblem(stateCode: number, districtCode: number): string | undefined {
  if (isValidRegion(stateCode, districtCode)) return undefined;
  const state = getState(stateCode);
  if (!state) return `state ${stateCode} is not an LGD state code`;
  const district = getDistrict(districtCode);
  if (!district) return `district ${districtCode} is not an LGD district code`;
  const home = getState(district.stateCode)?.name ?? `state ${district.stateCode}`;
  return `district ${districtCode} (${district.name}) lies in ${home}, not in ${state.name} (state ${stateCode})`;
}
