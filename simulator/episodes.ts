/**
 * When episodes of care begin: spread over the period with a daytime peak, shared among hospitals
 * by size; plus a few local outbreaks (one district, one disease, a few weeks) on top.
 */
import type { Clock } from "./clock.ts";
import { type Disease, OUTBREAK_DISEASES } from "./diseases.ts";
import type { Hospital } from "./model.ts";
import type { Rng } from "./prng.ts";

/** Relative arrivals by hour of day (IST): quiet at night, busiest in the morning OPD hours. */
const HOURLY = [
  0.3, 0.25, 0.2, 0.2, 0.25, 0.35, 0.6, 1.0, 1.6, 2.0, 2.1, 2.0, 1.8, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9,
  0.7, 0.5, 0.4,
];

export interface Arrival {
  slot: number;
  hospital: number;
  /** Set for outbreak cases: the disease is given. */
  disease?: Disease;
}

export interface Outbreak {
  hospital: number;
  disease: Disease;
  startSlot: number;
  weeks: number;
  cases: number;
}

/** Weeks of data before an outbreak can be flagged: EARS's 7-week baseline, its 2-week lag, one more. */
export const EARS_READY_WEEKS = 10;

/** Slots where episodes may start: after the set-up blocks, leaving a day for the last ones to unfold. */
export function arrivalRange(clock: Clock): { first: number; last: number } {
  return { first: 2, last: Math.max(3, clock.slots - 1) };
}

function sampleSlot(rng: Rng, clock: Clock, first: number, last: number): number {
  // Rejection sampling on the hourly profile (max 2.1).
  for (;;) {
    const slot = rng.int(first, last);
    if (rng.next() * 2.1 < HOURLY[clock.hour(slot)]!) return slot;
  }
}

export function baselineArrivals(
  rng: Rng,
  clock: Clock,
  hospitals: readonly Hospital[],
  count: number,
): Arrival[] {
  const { first, last } = arrivalRange(clock);
  const weights = hospitals.map((h) => h.weight);
  const out: Arrival[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ slot: sampleSlot(rng, clock, first, last), hospital: rng.weightedIndex(weights) });
  }
  return out;
}

/**
 * A few outbreaks: a hospital's district sees several times its usual weekly count of one
 * disease over 2-5 weeks (rising, peaking, falling), so aberration detection has something to flag.
 */
export function planOutbreaks(
  rng: Rng,
  clock: Clock,
  hospitals: readonly Hospital[],
  baselineEpisodes: number,
): Outbreak[] {
  const week = clock.span(24 * 7);
  const weeksInPeriod = clock.slots / week;
  if (weeksInPeriod < 4 || hospitals.length === 0) return [];
  const count = Math.min(8, 2 + Math.floor(baselineEpisodes / 4000));
  // Outbreaks start once aberration detection has its baseline (EARS: 7 weeks and a 2-week lag),
  // when the period is long enough for that.
  const earliest = weeksInPeriod >= 2 * EARS_READY_WEEKS ? EARS_READY_WEEKS * week : week;
  const totalWeight = hospitals.reduce((a, h) => a + h.weight, 0);
  const out: Outbreak[] = [];
  for (let i = 0; i < count; i++) {
    const hospital = rng.weightedIndex(hospitals.map((h) => h.weight));
    const weeks = rng.int(2, Math.min(5, Math.floor(weeksInPeriod) - 2));
    const latestStart = clock.slots - (weeks + 1) * week;
    const startSlot = rng.int(earliest, Math.max(earliest, latestStart));
    // The disease: outbreak-prone, likelier in its own season.
    const month = clock.month(startSlot);
    const disease = rng.weighted(
      OUTBREAK_DISEASES,
      OUTBREAK_DISEASES.map((d) => d.season[month] ?? 1),
    );
    const weeklyAtHospital = (baselineEpisodes * (hospitals[hospital]!.weight / totalWeight)) / weeksInPeriod;
    // Enough cases that the state's weekly count of the disease's surveillance group stands well
    // above its usual level at the peak.
    const cases = Math.max(30 * weeks, Math.round(weeklyAtHospital * 0.6 * weeks));
    out.push({ hospital, disease, startSlot, weeks, cases });
  }
  return out;
}

/** The outbreak's cases, on an epidemic curve (a triangle over its weeks). */
export function outbreakArrivals(rng: Rng, clock: Clock, outbreak: Outbreak): Arrival[] {
  const span = outbreak.weeks * clock.span(24 * 7);
  const out: Arrival[] = [];
  for (let i = 0; i < outbreak.cases; i++) {
    // Triangular distribution on [0, span], peak in the middle.
    const x = (rng.next() + rng.next()) / 2;
    const slot = Math.min(clock.slots - 1, outbreak.startSlot + Math.floor(x * span));
    out.push({ slot, hospital: outbreak.hospital, disease: outbreak.disease });
  }
  return out;
}
