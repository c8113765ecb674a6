/**
 * A seeded pseudo-random generator (sfc32), forked by label so that each part of the simulation
 * draws from its own stream: adding a draw in one part never shifts another part's numbers.
 * Same seed and labels, same numbers, run after run (V8 computes Math.log/exp/sin with its own
 * portable fdlibm port, so floats derived from the draws do not depend on the platform).
 */
import { createHash } from "node:crypto";

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  uniform(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An item with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** The index of a weight, with probability proportional to it. */
  weightedIndex(weights: readonly number[]): number;
  /** Normal (Box-Muller). */
  normal(mean: number, sd: number): number;
  /** Log-normal with the given median and log-sd. */
  logNormal(median: number, sigma: number): number;
  /** Poisson (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number;
  /** An independent stream for a sub-part, e.g. rng.fork("episode", 12). */
  fork(...labels: readonly (string | number)[]): Rng;
}

const LABEL_SEPARATOR = "\u001f";

/** The four 32-bit words of sha256(seed, labels…). */
function seedWords(seed: string, labels: readonly (string | number)[]): [number, number, number, number] {
  const digest = createHash("sha256")
    .update([seed, ...labels.map(String)].join(LABEL_SEPARATOR))
    .digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)];
}

export function createRng(seed: string, ...labels: readonly (string | number)[]): Rng {
  let [a, b, c, d] = seedWords(seed, labels);
  const raw = (): number => {
    // sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 32-bit state words.
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) raw();
  let spareNormal: number | undefined;

  const rng: Rng = {
    next: raw,
    int(min, max) {
      return min + Math.floor(raw() * (max - min + 1));
    },
    uniform(min, max) {
      return min + raw() * (max - min);
    },
    chance(p) {
      return raw() < p;
    },
    pick(items) {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[Math.floor(raw() * items.length)]!;
    },
    weightedIndex(weights) {
      let total = 0;
      for (const w of weights) total += Math.max(w, 0);
      if (!(total > 0)) throw new RangeError("weighted pick with no positive weight");
      let x = raw() * total;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i]!;
        if (w <= 0) continue;
        if (x < w) return i;
        x -= w;
      }
      // Rounding: the last positive weight.
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
      return 0;
    },
    weighted(items, weights) {
      return items[rng.weightedIndex(weights)]!;
    },
    normal(mean, sd) {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return mean + sd * z;
      }
      let u = 0;
      while (u === 0) u = raw();
      const v = raw();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    logNormal(median, sigma) {
      return median * Math.exp(rng.normal(0, sigma));
    },
    poisson(mean) {
      if (mean <= 0) return 0;
      if (mean > 30) return Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
      const limit = Math.exp(-mean);
      let k = 0;
      let p = raw();
      while (p > limit) {
        k++;
        p *= raw();
      }
      return k;
    },
    fork(...more) {
      return createRng(seed, ...labels, ...more);
    },
  };
  return rng;
}
