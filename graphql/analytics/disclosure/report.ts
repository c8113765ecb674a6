/** How a release was protected, as the API states it with every table and trend. */
import { discreteLaplaceVariance, type Epsilon, epsilonValue } from "./discrete-laplace.ts";
import { NOISE_SENSITIVITY } from "./noisy-details.ts";
import { MIN_CELL_COUNT } from "./policy.ts";
import type { PrivacyAccount } from "./release-log.ts";

export interface NoiseReport {
  readonly mechanism: string;
  readonly epsilon: number;
  readonly sensitivity: number;
  readonly unit: string;
  readonly variance: number;
  /** How the release's epsilon is shared among its tables, when it has several. */
  readonly composition: string | null;
}

export interface DisclosureReport {
  readonly minReleasedCount: number;
  readonly method: string;
  readonly zeroCells: string;
  readonly totalCells: number;
  readonly suppressedCells: number;
  readonly linearAudit: string;
  readonly noise: NoiseReport | null;
  readonly privacy: PrivacyAccount;
}

export const SUPPRESSION_METHOD =
  `Cells of 1 to ${MIN_CELL_COUNT - 1} cases are suppressed (count null). Complementary suppression: in every ` +
  "row, column and hierarchy level released with its total (region district->state->all, ICD-10 code->category->chapter->all, " +
  "age 5->10->20 years->all), either nothing is suppressed, or the total is suppressed with at least one of its parts, or at " +
  `least two parts are suppressed whose sum is at least ${MIN_CELL_COUNT}; further cells (the smallest, or a zero, first) are ` +
  "suppressed until that holds. Then a linear audit solves all the table's equations together and suppresses more until no " +
  "suppressed cell can be computed exactly from the released totals.";

export const ZERO_POLICY =
  "Zero counts are released (an empty cell discloses nobody), except the few zeros complementary suppression hides, so a " +
  "suppressed cell may hold any count. Cells not listed are zero; suppressed cells are listed with count null.";

export function auditStatement(complete: boolean): string {
  return complete
    ? "complete: no suppressed cell is recoverable from all the released totals together"
    : "partial: some blocks of linked suppressed cells were too large to audit; every row, column and level is still protected";
}

export function noiseReport(
  epsilon: Epsilon,
  perTable: Epsilon = epsilon,
  composition: string | null = null,
): NoiseReport {
  return {
    mechanism:
      "discrete Laplace (two-sided geometric), sampled exactly with a CSPRNG (Canonne-Kamath-Steinke 2020), on every possible finest cell; margins are sums of the noisy cells; negatives clamped to 0; then suppression as above",
    epsilon: epsilonValue(epsilon),
    sensitivity: NOISE_SENSITIVITY,
    unit: "one case (treatment); a patient with n cases in the table is protected at n x epsilon",
    variance: discreteLaplaceVariance(perTable, NOISE_SENSITIVITY),
    composition,
  };
}

export const mechanismOf = (epsilon: Epsilon | null): string =>
  epsilon ? "discrete-laplace+suppression" : "suppression";
