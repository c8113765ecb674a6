/**
 * Property test: hundreds of random questions (exact and noisy, valid and not) on a random
 * network, from colluding accounts. After each one, what the attacker learned is checked: no
 * released figure is from 1 to 10, every exact figure is a published cell with its published
 * value (nothing outside the lattice leaks), and refusals are the clean kinds. So after every
 * question the attacker's exact knowledge is a subset of everything published, and an LP over a
 * subset of the equations has wider bounds: the LP attack over everything published, run at the
 * end, bounds what the attacker could solve after each question.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveNoisyCaseCounts } from "../../graphql/analytics/noise/answer.ts";
import { publishDue } from "../../graphql/analytics/publications/publish.ts";
import { resolveCaseCounts } from "../../graphql/analytics/publications/resolve-counts.ts";
import { resolveCaseTrends } from "../../graphql/analytics/publications/resolve-trends.ts";
import { graphqlCode } from "../../graphql/errors.ts";
import { DocTelError } from "../../shared/errors.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { prng } from "../grafana/cases.ts";
import { analyticsContext } from "../graphql/analytics-fixtures.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { attack, type PublishedNode, readEverything } from "./attacker.ts";
import { simulateNetwork, writeNetwork } from "./network.ts";

const db = useTestDatabase();
const NOW = new Date("2024-07-10T12:00:00Z");
const QUESTIONS = 300;

beforeAll(async () => {
  await writeNetwork(
    db.pool,
    simulateNetwork({ seed: 2024, casesPerWeek: 70, weeks: 5, start: "2024-05-27" }),
  );
  await publishDue({
    pool: db.pool,
    settings: { system: "ISO", lagDays: 2 },
    logger: createSilentLogger(),
    now: NOW,
    indexed: NOW,
  });
}, 180_000);

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const day = (random: () => number) =>
  new Date(Date.parse("2024-05-20T00:00:00Z") + Math.floor(random() * 50) * 86_400_000)
    .toISOString()
    .slice(0, 10);

const nodeKey = {
  region: (v: { level: string; code: string }) =>
    v.level === "NATION" ? "*" : `${v.level === "STATE" ? "S" : "D"}:${v.code}`,
  diagnosis: (v: { level: string; code: string }) =>
    v.level === "ALL" ? "*" : `${{ CHAPTER: "CH", GROUP: "G", CATEGORY: "C" }[v.level]}:${v.code}`,
  other: (v: { level: string; code: string }) => (v.level === "ALL" ? "*" : v.code),
};

describe("random question sequences", () => {
  it(`leave every suppressed count protected after each of ${QUESTIONS} questions from colluding accounts`, async () => {
    const random = prng(99);
    const published = await readEverything(db.pool);
    const truthOfPublished = new Map<string, number | null>();
    for (const n of published)
      for (const c of n.cells)
        truthOfPublished.set(
          `${n.level}@${n.firstDay}|${c.region}|${c.diagnosis}|${c.age}|${c.sex}`,
          c.count,
        );
    const known = new Map<string, PublishedNode>();
    const accounts = ["a1", "b2", "c3", "d4"].map((x) => `0x${x.repeat(20)}` as `0x${string}`);
    const outcomes = { exact: 0, trends: 0, noisy: 0, refused: 0 };
    for (let q = 0; q < QUESTIONS; q++) {
      const ctx = analyticsContext(db, ["PUBLIC_HEALTH"], { address: pick(random, accounts) });
      const [a, b] = [day(random), day(random)].sort();
      const kind = random();
      try {
        if (kind < 0.6) {
          const time = pick(random, ["WEEK", "WEEK", "PERIOD", "YEAR"] as const);
          const region = pick(random, [
            { level: "NATION" },
            { level: "STATE" },
            { level: "STATE", codes: [27, 32] },
            { level: "DISTRICT", states: [27] },
            { level: "DISTRICT" },
          ] as const);
          const diagnosis = pick(random, [
            { level: "ALL" },
            { level: "CHAPTER" },
            { level: "GROUP" },
            { level: "CATEGORY" },
            { level: "CATEGORY", codes: ["A90", "A91", "B54"] },
            { level: "GROUP", codes: ["vector-borne", "tuberculosis"] },
          ] as const);
          const byAge = random() < 0.2;
          const bySex = random() < 0.2;
          const table = await resolveCaseCounts(ctx, {
            time,
            from: a!,
            to: b!,
            region,
            diagnosis,
            byAge,
            bySex,
          });
          outcomes.exact++;
          for (const c of table.cells) {
            expect(c.count === null || c.count === 0 || c.count >= 11).toBe(true);
            const key = `${c.time.level}@${c.time.firstDay}|${nodeKey.region(c.region)}|${nodeKey.diagnosis(c.diagnosis)}|${nodeKey.other(c.age)}|${nodeKey.other(c.sex)}`;
            expect(truthOfPublished.get(key)).toBe(c.count);
            const nk = `${c.time.level}@${c.time.firstDay}`;
            if (!known.has(nk))
              known.set(nk, {
                level: c.time.level,
                firstDay: c.time.firstDay,
                lastDay: c.time.lastDay,
                cells: [],
              });
            known.get(nk)!.cells.push({
              region: nodeKey.region(c.region),
              diagnosis: nodeKey.diagnosis(c.diagnosis),
              age: nodeKey.other(c.age),
              sex: nodeKey.other(c.sex),
              count: c.count,
            });
          }
        } else if (kind < 0.8) {
          const release = await resolveCaseTrends(ctx, {
            from: a!,
            to: b!,
            diagnoses: [
              pick(random, [
                { level: "ALL" },
                { level: "CATEGORY", code: "A09" },
                { level: "GROUP", code: "vector-borne" },
              ] as const),
            ],
            region: pick(random, [null, { state: 27 }, { district: 490 }]),
          });
          outcomes.trends++;
          for (const s of release.series)
            for (const p of s.points.filter((x) => x.published)) {
              const key = `WEEK@${p.weekStart}|${nodeKey.region(s.region)}|${nodeKey.diagnosis(s.diagnosis)}|*|*`;
              const published = truthOfPublished.has(key) ? truthOfPublished.get(key) : 0;
              expect({ key, count: published }).toEqual({ key, count: p.count });
            }
        } else {
          await resolveNoisyCaseCounts(
            ctx,
            {
              from: a!,
              to: b!,
              diagnosis: pick(random, [
                null,
                { categories: ["A90"] },
                { codes: ["U07.1"] },
                { groups: ["water-borne"] },
              ]),
              groupBy: pick(random, [[], ["STATE"], ["SEX", "AGE_BAND_20"], ["DISTRICT"]]),
              epsilon: pick(random, [0.05, 0.1, 0.2]),
            },
            { now: NOW },
          );
          outcomes.noisy++;
        }
      } catch (error) {
        // Refusals are clean client errors, never internal ones (anything else fails the test).
        if (!(error instanceof DocTelError)) throw error;
        expect(["BAD_USER_INPUT", "RATE_LIMITED", "TOO_LARGE"]).toContain(graphqlCode(error.code));
        outcomes.refused++;
      }
    }
    expect(outcomes.exact).toBeGreaterThan(60);
    expect(outcomes.noisy + outcomes.refused).toBeGreaterThan(20);
    // The budget held: no week of data received more than the deployment's 0.6.
    const { rows } = await db.pool.query<{ spent: number }>(
      "SELECT coalesce(max(s), 0)::float8 AS spent FROM (SELECT sum(epsilon) AS s FROM privacy_ledger GROUP BY week_start) x",
    );
    expect(rows[0]!.spent).toBeLessThanOrEqual(0.6 + 1e-9);
    expect(known.size).toBeGreaterThan(3);
    const { recovered } = await attack(db.pool, "ISO", 10);
    expect(recovered).toEqual([]);
  }, 300_000);
});
