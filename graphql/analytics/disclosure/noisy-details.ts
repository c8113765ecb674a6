/**
 * The noisy version of a table's finest cells, for a differentially private release: every cell
 * of the public domain (the cartesian product of each dimension's possible values, zeros
 * included, since leaving out empty cells would disclose which ones are empty) gets independent
 * discrete Laplace noise, then negative values are clamped to 0.
 *
 * One case changes exactly one finest cell by one, so the L1 sensitivity is 1 and each cell's
 * noise has scale 1/epsilon for the whole release. Margins are then computed from the noisy cells
 * (post-processing, no further epsilon) and suppressed like any table. The unit of privacy is a
 * case (a treatment): a patient with several cases in the table is protected at epsilon per case.
 */
import { cellKey, type DetailCell, TableTooLargeError } from "./cube.ts";
import { cryptoRandom, discreteLaplaceNoise, type Epsilon, type RandomSource } from "./discrete-laplace.ts";

export const NOISE_SENSITIVITY = 1;

export function domainSize(domain: readonly (readonly string[])[]): number {
  return domain.reduce((n, values) => n * values.length, 1);
}

export function noisyDetails(
  details: readonly DetailCell[],
  domain: readonly (readonly string[])[],
  epsilon: Epsilon,
  maxCells: number,
  rng: RandomSource = cryptoRandom,
): DetailCell[] {
  const size = domainSize(domain);
  if (size > maxCells) {
    throw new TableTooLargeError(
      `a noisy release covers every possible cell, and this one has ${size} (at most ${maxCells}): group by fewer or coarser dimensions, or narrow the filters`,
    );
  }
  const truth = new Map<string, number>();
  for (const d of details) {
    const key = cellKey(d.coords);
    truth.set(key, (truth.get(key) ?? 0) + d.count);
  }
  const out: DetailCell[] = [];
  if (size === 0) return out;
  const index = domain.map(() => 0);
  for (;;) {
    const coords = domain.map((values, d) => values[index[d]!]!);
    const count = (truth.get(cellKey(coords)) ?? 0) + discreteLaplaceNoise(epsilon, NOISE_SENSITIVITY, rng);
    if (count > 0) out.push({ coords, count });
    let d = 0;
    while (d < domain.length && index[d] === domain[d]!.length - 1) index[d++] = 0;
    if (d === domain.length) return out;
    index[d]!++;
  }
}
