import { describe, expect, it } from "vitest";
import {
  bernoulliExp,
  cryptoRandom,
  discreteLaplaceNoise,
  discreteLaplaceVariance,
  type Epsilon,
  epsilonValue,
  geometricRatio,
  type RandomSource,
  splitEpsilon,
} from "../../graphql/analytics/disclosure/discrete-laplace.ts";

/** A seeded generator (mulberry32), so the statistical checks are reproducible, never flaky. */
function seeded(seed: number): RandomSource {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { int: (max) => Math.floor(next() * max) };
}

const eps = (value: number): Epsilon => ({ num: Math.round(value * 1000), den: 1000 });

function sample(epsilon: Epsilon, n: number, rng: RandomSource): number[] {
  return Array.from({ length: n }, () => discreteLaplaceNoise(epsilon, 1, rng));
}

describe("discrete Laplace sampling", () => {
  it("draws exact integers, with the two-sided geometric law's mean, variance and mass at zero", () => {
    const epsilon = eps(1);
    const n = 40_000;
    const xs = sample(epsilon, n, seeded(7));
    expect(xs.every(Number.isInteger)).toBe(true);
    const a = geometricRatio(epsilon, 1);
    const variance = discreteLaplaceVariance(epsilon, 1);
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const observedVariance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(variance / n));
    expect(observedVariance / variance).toBeGreaterThan(0.93);
    expect(observedVariance / variance).toBeLessThan(1.07);
    const p0 = xs.filter((x) => x === 0).length / n;
    expect(Math.abs(p0 - (1 - a) / (1 + a))).toBeLessThan(0.015);
    // P(1) / P(0) = a, and the law is symmetric.
    const p1 = xs.filter((x) => x === 1).length / n;
    const pm1 = xs.filter((x) => x === -1).length / n;
    expect(Math.abs(p1 / p0 - a)).toBeLessThan(0.05);
    expect(Math.abs(p1 - pm1)).toBeLessThan(0.015);
  });

  it("spreads more at a smaller epsilon, because the scale is sensitivity / epsilon", () => {
    const spread = (e: number) => {
      const xs = sample(eps(e), 20_000, seeded(11));
      return xs.reduce((s, x) => s + x * x, 0) / xs.length;
    };
    expect(spread(0.5)).toBeGreaterThan(3 * spread(2));
    expect(discreteLaplaceVariance(eps(0.5), 1)).toBeGreaterThan(discreteLaplaceVariance(eps(2), 1));
  });

  it("samples Bernoulli(exp(-gamma)) exactly for rational gamma below and above 1", () => {
    const rng = seeded(3);
    for (const [num, den] of [
      [3, 10],
      [1, 1],
      [5, 2],
    ] as const) {
      const n = 20_000;
      let hits = 0;
      for (let i = 0; i < n; i++) if (bernoulliExp(num, den, rng)) hits++;
      const p = Math.exp(-num / den);
      expect(Math.abs(hits / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it("uses the CSPRNG by default and still returns integers", () => {
    const xs = Array.from({ length: 200 }, () => discreteLaplaceNoise(eps(1), 1));
    expect(xs.every(Number.isInteger)).toBe(true);
    expect(cryptoRandom.int(10)).toBeLessThan(10);
  });
});

describe("epsilon bookkeeping", () => {
  it("splits an epsilon evenly for overlapping tables (basic composition) without rounding", () => {
    const third = splitEpsilon(eps(1), 3);
    expect(third).toEqual({ num: 1000, den: 3000 });
    expect(epsilonValue(third) * 3).toBeCloseTo(1, 12);
  });
});
