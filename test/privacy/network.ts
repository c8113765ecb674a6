/**
 * A simulated network for the privacy tests: seeded, small, and shaped like the real thing where
 * it matters for disclosure: a few states with districts of very different sizes, a skewed mix of
 * diagnoses (common ones, rare ones, surveillance groups, a category split by a group), both sexes
 * and every age, over whole weeks. Written as the indexer writes it (test/graphql/analytics-fixtures).
 */
import type pg from "pg";
import { prng } from "../grafana/cases.ts";
import { type CaseSpec, insertCases, insertHospitals } from "../graphql/analytics-fixtures.ts";

export interface NetworkShape {
  seed: number;
  /** Cases per week on average. */
  casesPerWeek: number;
  weeks: number;
  /** First day of the first week (a Monday for ISO weeks). */
  start: string;
}

/** [state, district] pairs with weights: Maharashtra's and Kerala's districts, one tiny district. */
const PLACES: [number, number, number][] = [
  [27, 490, 30], // Pune
  [27, 482, 20], // Mumbai
  [27, 466, 8], // Ahmednagar
  [27, 475, 2], // Gadchiroli
  [32, 555, 15], // Ernakulam
  [32, 565, 10], // Thiruvananthapuram
  [32, 556, 3], // Idukki
  [29, 525, 12], // Bengaluru Urban
];
const DIAGNOSES: [string, number][] = [
  ["A09", 20],
  ["J06.9", 18],
  ["A90", 12],
  ["B54", 6],
  ["A91", 2],
  ["E11.9", 12],
  ["I10", 10],
  ["J18.9", 6],
  ["U07.1", 3],
  ["A15.0", 3],
  ["A83.0", 1],
  ["T63.0", 1],
];

function pick<T>(
  random: () => number,
  items: readonly [T, ...unknown[]][],
  weight: (x: readonly [T, ...unknown[]]) => number,
): T {
  const total = items.reduce((a, x) => a + weight(x), 0);
  let r = random() * total;
  for (const x of items) {
    r -= weight(x);
    if (r <= 0) return x[0];
  }
  return items.at(-1)![0];
}

export function simulateNetwork(shape: NetworkShape): CaseSpec[] {
  const random = prng(shape.seed);
  const startMs = Date.parse(`${shape.start}T00:00:00+05:30`);
  const cases: CaseSpec[] = [];
  let patient = 1;
  for (let w = 0; w < shape.weeks; w++) {
    const n = Math.round(shape.casesPerWeek * (0.7 + 0.6 * random()));
    for (let i = 0; i < n; i++) {
      const placeIndex = pick(
        random,
        PLACES.map((p, k) => [k, p[2]] as [number, number]),
        (x) => x[1] as number,
      );
      const [state, district] = PLACES[placeIndex]!;
      const diagnosis = pick(random, DIAGNOSES, (x) => x[1] as number);
      const ms = startMs + (w * 7 + random() * 7) * 86_400_000;
      const age = Math.floor(random() * 90);
      cases.push({
        patient: patient++,
        sex: random() < 0.5 ? "FEMALE" : "MALE",
        birthDate: new Date(ms - (age * 365.25 + 100) * 86_400_000).toISOString().slice(0, 10),
        state,
        district,
        hospitalId: 1,
        openedAt: new Date(ms).toISOString(),
        diagnosis,
      });
    }
  }
  return cases;
}

export async function writeNetwork(pool: pg.Pool, cases: readonly CaseSpec[], firstId = 1): Promise<void> {
  await insertHospitals(pool, [{ id: 1, state: 27, district: 490 }]);
  for (let i = 0; i < cases.length; i += 2000) await insertCases(pool, cases.slice(i, i + 2000), firstId + i);
}
