/**
 * The 95 % intervals stated with noisy figures. One cell's noise Y is discrete Laplace with
 * a = exp(-ε): P(|Y| > t) = 2a^(t+1) / (1 + a), so the half-width is the smallest integer t with
 * P(|Y| > t) <= 0.05, exact. A sum of k cells (a total) uses the normal approximation,
 * 1.96 × sqrt(k × Var), Var = 2a / (1 - a)^2, rounded up. Clamping negatives to 0 is not in the
 * interval (a clamped cell's interval starts at 0).
 */
export const MECHANISM =
  "discrete Laplace (two-sided geometric), sensitivity 1 (one case is in one cell), scale 1/epsilon, sampled exactly with a CSPRNG on every possible cell; negative cells set to 0 and totals summed from the cells (post-processing)";

export function halfWidth95(epsilon: number, cells = 1): number {
  const a = Math.exp(-epsilon);
  if (cells <= 1) {
    let t = 0;
    while ((2 * a ** (t + 1)) / (1 + a) > 0.05) t++;
    return t;
  }
  const variance = (2 * a) / (1 - a) ** 2;
  return Math.ceil(1.96 * Math.sqrt(cells * variance));
}
