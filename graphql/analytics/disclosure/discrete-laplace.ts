/**
 * Discrete Laplace (two-sided geometric) noise, sampled exactly with integer arithmetic and a
 * cryptographic random source: P(Y = y) = (1 - a) / (1 + a) * a^|y| with a = exp(-epsilon / sensitivity).
 *
 * Algorithm: Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy"
 * (NeurIPS 2020), Algorithm 2 (discrete Laplace with rational scale t/s) over Algorithm 1
 * (Bernoulli(exp(-gamma)) for rational gamma). Every step draws uniform integers, so there is no
 * floating-point Laplace and none of its rounding attacks (Mironov 2012).
 */
import { randomInt } from "node:crypto";

/** Uniform integers: `int(n)` is uniform on 0..n-1. */
export interface RandomSource {
  int(maxExclusive: number): number;
}

/** node:crypto's CSPRNG (randomInt rejects ranges above 2^48, far beyond what is drawn here). */
export const cryptoRandom: RandomSource = { int: (maxExclusive) => randomInt(maxExclusive) };

/** Bernoulli(num / den), 0 <= num <= den. */
function bernoulli(num: number, den: number, rng: RandomSource): boolean {
  return rng.int(den) < num;
}

/** Bernoulli(exp(-num/den)) for 0 <= num/den <= 1 (CKS Algorithm 1, first case). */
function bernoulliExpAtMostOne(num: number, den: number, rng: RandomSource): boolean {
  let k = 1;
  while (bernoulli(num, den * k, rng)) k++;
  return k % 2 === 1;
}

/** Bernoulli(exp(-num/den)) for any num/den >= 0. */
export function bernoulliExp(num: number, den: number, rng: RandomSource): boolean {
  let rest = num;
  while (rest > den) {
    if (!bernoulliExpAtMostOne(1, 1, rng)) return false;
    rest -= den;
  }
  return bernoulliExpAtMostOne(rest, den, rng);
}

/** One sample of the discrete Laplace distribution with scale t/s: P(y) ∝ exp(-|y| s / t). */
export function sampleDiscreteLaplaceScale(t: number, s: number, rng: RandomSource): number {
  if (!Number.isSafeInteger(t) || !Number.isSafeInteger(s) || t < 1 || s < 1) {
    throw new RangeError(`discrete Laplace scale must be a ratio of positive integers, got ${t}/${s}`);
  }
  for (;;) {
    const u = rng.int(t);
    if (!bernoulliExp(u, t, rng)) continue;
    let v = 0;
    while (bernoulliExp(1, 1, rng)) v++;
    const y = Math.floor((u + t * v) / s);
    const negative = rng.int(2) === 1;
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/** An epsilon as an exact fraction num/den (0.5 -> 500/1000), so the noise scale is rational. */
export interface Epsilon {
  readonly num: number;
  readonly den: number;
}

export const epsilonValue = (e: Epsilon): number => e.num / e.den;

/** Basic composition: n releases at epsilon/n each spend epsilon. */
export const splitEpsilon = (e: Epsilon, n: number): Epsilon => ({ num: e.num, den: e.den * n });

/**
 * Noise for a count whose sensitivity is `sensitivity` (how much one case can change the released
 * vector, in L1) at privacy loss epsilon: scale = sensitivity / epsilon = sensitivity * den / num.
 */
export function discreteLaplaceNoise(
  epsilon: Epsilon,
  sensitivity: number,
  rng: RandomSource = cryptoRandom,
): number {
  return sampleDiscreteLaplaceScale(sensitivity * epsilon.den, epsilon.num, rng);
}

/** a = exp(-epsilon / sensitivity): the geometric ratio of the distribution. */
export function geometricRatio(epsilon: Epsilon, sensitivity: number): number {
  return Math.exp(-epsilonValue(epsilon) / sensitivity);
}

/** Var(Y) = 2a / (1 - a)^2, for stating a release's noise level. */
export function discreteLaplaceVariance(epsilon: Epsilon, sensitivity: number): number {
  const a = geometricRatio(epsilon, sensitivity);
  return (2 * a) / (1 - a) ** 2;
}
