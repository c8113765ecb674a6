/**
 * Noisy answers: discrete Laplace on every possible cell, consistent post-processing, stored per
 * deployment under a canonical key, and a budget per week of data (per account and per
 * deployment) that is enforced by default and append-only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveNoisyCaseCounts, resolvePrivacyBudget } from "../../graphql/analytics/noise/answer.ts";
import { halfWidth95 } from "../../graphql/analytics/noise/intervals.ts";
import { canonicalQuestion, questionKey } from "../../graphql/analytics/noise/question.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { simulateNetwork, writeNetwork } from "../privacy/network.ts";
import { analyticsContext } from "./analytics-fixtures.ts";

const A = "0x00000000000000000000000000000000000000a1" as const;
const B = "0x00000000000000000000000000000000000000b2" as const;
const C = "0x00000000000000000000000000000000000000c3" as const;

describe("noisy questions", () => {
  it("give one key to questions that ask the same thing however they are spelled", () => {
    const today = "2024-06-01";
    const a = canonicalQuestion(
      {
        from: "2024-01-01",
        to: "2024-01-31",
        diagnosis: { categories: ["A91", "a90", "A90"] },
        region: { states: [27], districts: [490] },
        groupBy: ["SEX", "STATE"],
        epsilon: 0.1,
      },
      today,
    );
    const b = canonicalQuestion(
      {
        from: "2024-01-01",
        to: "2024-01-31",
        diagnosis: { categories: ["A90", "A91"] },
        region: { states: [27] },
        groupBy: ["STATE", "SEX"],
        epsilon: 0.1,
      },
      today,
    );
    expect(questionKey(a)).toBe(questionKey(b));
    expect(questionKey({ ...a, epsilonMilli: 200 })).not.toBe(questionKey(a));
  });

  it("state a 95 % half-width of at least 5 for the whole default budget, so no interval fits in 1..10", () => {
    expect(halfWidth95(0.6)).toBeGreaterThanOrEqual(5);
    expect(halfWidth95(0.1)).toBeGreaterThan(halfWidth95(0.6));
  });

  it("refuses days that are not complete yet", () => {
    expect(() =>
      canonicalQuestion({ from: "2024-01-01", to: "2024-06-01", epsilon: 0.1 }, "2024-06-01"),
    ).toThrow(/complete days/);
  });
});

describe("noisy answers under the budget", () => {
  const db = useTestDatabase();
  const now = new Date("2024-03-01T12:00:00Z");
  beforeAll(async () => {
    await writeNetwork(
      db.pool,
      simulateNetwork({ seed: 11, casesPerWeek: 80, weeks: 6, start: "2024-01-01" }),
    );
  }, 120_000);
  const ctx = (address: `0x${string}`) => analyticsContext(db, ["PUBLIC_HEALTH"], { address });

  it("answers a custom range with every cell noised, none negative, the total their sum, labelled NOISY", async () => {
    const answer = await resolveNoisyCaseCounts(
      ctx(A),
      {
        from: "2024-01-03",
        to: "2024-01-19",
        diagnosis: { groups: ["covid-19"] },
        groupBy: ["STATE", "SEX"],
        epsilon: 0.2,
      },
      { now },
    );
    expect(answer.source).toBe("NOISY");
    expect(answer.cells).toHaveLength(36 * 4);
    expect(answer.cells.every((c) => c.count >= 0 && c.low <= c.count && c.high >= c.count)).toBe(true);
    expect(answer.total.count).toBe(answer.cells.reduce((a, c) => a + c.count, 0));
    expect(answer.budget.weeks).toBe(3);
    expect(answer.budget.accountRemaining).toBeCloseTo(0.1);
    expect(answer.reused).toBe(false);
  });

  it("returns the stored answer to the same question from another account, spending nothing", async () => {
    const q = {
      from: "2024-01-03",
      to: "2024-01-19",
      diagnosis: { groups: ["covid-19"] },
      groupBy: ["SEX", "STATE"],
      epsilon: 0.2,
    };
    const first = await resolveNoisyCaseCounts(ctx(A), q, { now });
    const again = await resolveNoisyCaseCounts(ctx(B), q, { now });
    expect(again.reused).toBe(true);
    expect(again.id).toBe(first.id);
    expect(again.cells).toEqual(first.cells);
    const budgetB = await resolvePrivacyBudget(ctx(B), "2024-01-01", "2024-01-21");
    expect(budgetB.weeks.map((w) => w.accountRemaining)).toEqual([0.3, 0.3, 0.3]);
  });

  it("refuses a question beyond the account's budget for a week, with a clear error", async () => {
    await expect(
      resolveNoisyCaseCounts(
        ctx(A),
        {
          from: "2024-01-15",
          to: "2024-01-16",
          groupBy: ["DISTRICT"],
          region: { states: [27] },
          epsilon: 0.2,
        },
        { now },
      ),
    ).rejects.toMatchObject({
      code: "PRIVACY_BUDGET_SPENT",
      message: expect.stringMatching(/privacy budget exhausted.*your account/),
    });
  });

  it("caps the deployment however many accounts collude", async () => {
    // A spent 0.2 on weeks 1-3; B and C each spend 0.2 on week 3: the deployment's 0.6 is gone.
    await resolveNoisyCaseCounts(ctx(B), { from: "2024-01-15", to: "2024-01-21", epsilon: 0.2 }, { now });
    await expect(
      resolveNoisyCaseCounts(ctx(C), { from: "2024-01-16", to: "2024-01-21", epsilon: 0.25 }, { now }),
    ).rejects.toMatchObject({ code: "PRIVACY_BUDGET_SPENT", message: expect.stringMatching(/deployment/) });
    await resolveNoisyCaseCounts(ctx(C), { from: "2024-01-16", to: "2024-01-21", epsilon: 0.2 }, { now });
    await expect(
      resolveNoisyCaseCounts(
        ctx(`0x${"d4".repeat(20)}` as `0x${string}`),
        { from: "2024-01-20", to: "2024-01-20", epsilon: 0.05 },
        { now },
      ),
    ).rejects.toMatchObject({ code: "PRIVACY_BUDGET_SPENT" });
    const weeks = (await resolvePrivacyBudget(ctx(C), "2024-01-15", "2024-01-21")).weeks;
    expect(weeks[0]!.deploymentRemaining).toBeCloseTo(0);
  });

  it("keeps the ledger and the stored answers append-only", async () => {
    await expect(db.pool.query("DELETE FROM privacy_ledger")).rejects.toThrow(/append-only/);
    await expect(db.pool.query("UPDATE noisy_answer SET epsilon = 0")).rejects.toThrow(/append-only/);
  });

  it("refuses a domain too large before reading anything, from the question's shape alone", async () => {
    await expect(
      resolveNoisyCaseCounts(
        ctx(A),
        {
          from: "2024-02-01",
          to: "2024-02-05",
          groupBy: ["DISTRICT", "AGE_BAND_5", "SEX", "WEEK"],
          epsilon: 0.1,
        },
        { now },
      ),
    ).rejects.toMatchObject({ code: "TABLE_TOO_LARGE" });
  });
});
