/**
 * `noisyCaseCounts`: anything the publications do not hold (custom day ranges, unions of
 * diagnoses, codes finer than a category, district × chapter, state × age...) answered with
 * differential privacy, under a budget enforced by default:
 *
 *  - mechanism: every cell of the question's public domain (zeros included: leaving empty cells
 *    out would tell which are empty) gets independent discrete Laplace noise of scale 1/ε, sampled
 *    exactly (disclosure/discrete-laplace.ts). One case is in one cell, so the sensitivity is 1;
 *  - post-processing (free): negative cells become 0 and the total is the sum of the cells, so
 *    the figures are consistent;
 *  - accounting (budget.ts): the question spends ε on every epidemiological week its days touch,
 *    for the account and for the deployment; a question that would exceed either is refused
 *    (RATE_LIMITED) before anything is computed;
 *  - reuse: the answer is stored under the question's canonical key (question.ts), per deployment.
 *    The same question, from any account, gets the stored answer and spends nothing: repeating
 *    gains nothing, and colluding accounts gain nothing by asking each other's questions.
 *
 * The check, the noise and the two inserts run in one transaction under one advisory lock, so
 * concurrent questions cannot both slip under a budget, nor store two answers to one question.
 */
import { randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import { ValidationError } from "../../../shared/errors.ts";
import { fromEpochDay, generalizeAgeBand, toEpochDay } from "../../../shared/reference/weeks.ts";
import { requireRole } from "../../auth/policy.ts";
import type { ApiContext } from "../../context.ts";
import {
  cryptoRandom,
  discreteLaplaceNoise,
  type Epsilon,
  type RandomSource,
} from "../disclosure/discrete-laplace.ts";
import { LIMITS } from "../limits.ts";
import { nodesStartingIn, type PublicationSystem, weekNode } from "../publications/calendar.ts";
import { diagnosisPredicate } from "../selection/diagnosis-sql.ts";
import { regionPredicate } from "../selection/region.ts";
import { publicationSettingsOf, settingsOfAnalytics } from "../settings.ts";
import { DEFAULT_NOISE_BUDGET, type NoiseBudget } from "./budget.ts";
import { NoisyDomainTooLargeError, PrivacyBudgetExhaustedError } from "./errors.ts";
import { halfWidth95, MECHANISM } from "./intervals.ts";
import {
  canonicalQuestion,
  domainOf,
  domainSize,
  type NoisyDimension,
  type NoisyQuestion,
  type NoisyQuestionInput,
  questionKey,
  selectionOf,
} from "./question.ts";

export { NoisyDomainTooLargeError, PrivacyBudgetExhaustedError };

export interface NoisyCell {
  keys: { dimension: NoisyDimension; value: string }[];
  count: number;
  low: number;
  high: number;
}

export interface StoredAnswer {
  cells: NoisyCell[];
  total: { count: number; low: number; high: number };
  /** The 95 % half-width of one cell's noise. */
  cellHalfWidth: number;
}

export interface NoisyAnswer extends StoredAnswer {
  id: string;
  question: NoisyQuestion;
  epsilon: number;
  source: "NOISY";
  mechanism: string;
  answeredAt: Date;
  /** True when this call got an answer stored earlier (it spent nothing). */
  reused: boolean;
  budget: BudgetState;
}

export interface BudgetState {
  weeks: number;
  /** The most any one of the question's weeks has left, after this answer: for you, for everyone. */
  accountRemaining: number;
  deploymentRemaining: number;
  accountPerWeek: number;
  deploymentPerWeek: number;
}

const LEDGER_LOCK = "doctel:privacy-ledger";

const WEEK_SQL = {
  ISO: "to_char(date_trunc('week', day::timestamp)::date, 'YYYY-MM-DD')",
  MMWR: "to_char(day - extract(dow FROM day)::int, 'YYYY-MM-DD')",
} as const;

function selectOf(dim: NoisyDimension, system: PublicationSystem): string {
  switch (dim) {
    case "WEEK":
      return WEEK_SQL[system];
    case "STATE":
      return "state_code::text";
    case "DISTRICT":
      return "district_code::text";
    case "DIAGNOSIS_CATEGORY":
      return "diagnosis_category";
    case "DIAGNOSIS_CHAPTER":
      return "diagnosis_chapter::text";
    case "AGE_BAND_5":
    case "AGE_BAND_20":
      return "age_band";
    case "SEX":
      return "sex::text";
  }
}

async function trueCounts(
  client: PoolClient,
  q: NoisyQuestion,
  system: PublicationSystem,
): Promise<Map<string, number>> {
  const values: unknown[] = [q.from, q.to];
  const where = ["day >= $1::date", "day <= $2::date"];
  const selection = selectionOf(q);
  if (selection) {
    where.push(
      diagnosisPredicate(
        selection,
        { category: "diagnosis_category", chapter: "diagnosis_chapter", code: "diagnosis" },
        values,
      ),
    );
  }
  if (q.region) where.push(regionPredicate(q.region, "state_code", "district_code", values));
  const selects = q.groupBy.map((d, i) => `${selectOf(d, system)} AS k${i}`);
  const { rows } = await client.query<Record<string, string> & { n: number }>(
    `SELECT ${[...selects, "sum(count)::int AS n"].join(", ")} FROM case_count_daily
      WHERE ${where.join(" AND ")} ${selects.length > 0 ? `GROUP BY ${selects.map((_, i) => i + 1).join(", ")}` : ""}`,
    values,
  );
  const out = new Map<string, number>();
  for (const row of rows) {
    const key = q.groupBy
      .map((d, i) => (d === "AGE_BAND_20" ? generalizeAgeBand(row[`k${i}`]!, 2) : row[`k${i}`]!))
      .join("|");
    out.set(key, (out.get(key) ?? 0) + row.n);
  }
  return out;
}

/** The noisy table: every domain cell, noised, clamped at 0; the total is their sum. */
export function noisyTable(
  q: NoisyQuestion,
  truth: ReadonlyMap<string, number>,
  system: PublicationSystem,
  rng: RandomSource,
): StoredAnswer {
  const epsilon: Epsilon = { num: q.epsilonMilli, den: 1000 };
  const h = halfWidth95(q.epsilonMilli / 1000);
  const domains = q.groupBy.map((d) => domainOf(d, q, system));
  const cells: NoisyCell[] = [];
  const index = domains.map(() => 0);
  let total = 0;
  for (;;) {
    const values = domains.map((values, d) => values[index[d]!]!);
    const count = Math.max(0, (truth.get(values.join("|")) ?? 0) + discreteLaplaceNoise(epsilon, 1, rng));
    total += count;
    cells.push({
      keys: q.groupBy.map((dimension, d) => ({ dimension, value: values[d]! })),
      count,
      low: Math.max(0, count - h),
      high: count + h,
    });
    let d = 0;
    while (d < domains.length && index[d] === domains[d]!.length - 1) index[d++] = 0;
    if (d === domains.length) break;
    index[d]!++;
  }
  // The total's noise is a sum of cells.length independent draws: normal approximation.
  const totalHalf = halfWidth95(q.epsilonMilli / 1000, cells.length);
  return {
    cells,
    total: { count: total, low: Math.max(0, total - totalHalf), high: total + totalHalf },
    cellHalfWidth: h,
  };
}

/** The weeks of data a question reads (each spends its epsilon). */
export function chargedWeeks(q: NoisyQuestion, system: PublicationSystem): string[] {
  const first = weekNode(q.from, system).firstDay;
  return nodesStartingIn("WEEK", first, q.to, system).map((w) => w.firstDay);
}

/** What is left on the question's weeks: the least for the account and for the deployment, and where. */
async function budgetState(
  client: PoolClient,
  viewer: string,
  weeks: readonly string[],
  budget: NoiseBudget,
): Promise<{ account: number; accountWeek: string; deployment: number; deploymentWeek: string }> {
  const { rows } = await client.query<{ week: string; everyone: number; mine: number }>(
    `SELECT to_char(week_start, 'YYYY-MM-DD') AS week, sum(epsilon)::float8 AS everyone,
            coalesce(sum(epsilon) FILTER (WHERE viewer = $2), 0)::float8 AS mine
       FROM privacy_ledger WHERE week_start = ANY($1::date[]) GROUP BY week_start ORDER BY week_start`,
    [weeks, viewer],
  );
  const out = {
    account: budget.accountEpsilonPerWeek,
    accountWeek: weeks[0]!,
    deployment: budget.deploymentEpsilonPerWeek,
    deploymentWeek: weeks[0]!,
  };
  for (const r of rows) {
    if (budget.accountEpsilonPerWeek - r.mine < out.account) {
      out.account = budget.accountEpsilonPerWeek - r.mine;
      out.accountWeek = r.week;
    }
    if (budget.deploymentEpsilonPerWeek - r.everyone < out.deployment) {
      out.deployment = budget.deploymentEpsilonPerWeek - r.everyone;
      out.deploymentWeek = r.week;
    }
  }
  return out;
}

const todayIst = (now: Date) => fromEpochDay(Math.floor((now.getTime() + 330 * 60_000) / 86_400_000));

export async function resolveNoisyCaseCounts(
  ctx: ApiContext,
  input: NoisyQuestionInput,
  options: { rng?: RandomSource; now?: Date } = {},
): Promise<NoisyAnswer> {
  const viewer = requireRole(ctx, ["PUBLIC_HEALTH"], "noisy case counts");
  const system = publicationSettingsOf(ctx).system;
  const budget = settingsOfAnalytics(ctx).noiseBudget ?? DEFAULT_NOISE_BUDGET;
  const q = canonicalQuestion(input, todayIst(options.now ?? new Date()));
  const size = domainSize(q, system);
  if (size > LIMITS.maxNoisyDomain) {
    throw new NoisyDomainTooLargeError(
      `a noisy answer covers every possible cell, and this one has ${size} (at most ${LIMITS.maxNoisyDomain}): group by fewer or coarser dimensions, or narrow the filters`,
    );
  }
  const key = questionKey(q);
  const weeks = chargedWeeks(q, system);
  const epsilon = q.epsilonMilli / 1000;
  const client = await ctx.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [LEDGER_LOCK]);
    const stored = await client.query<{ id: string; answer: StoredAnswer; created_at: Date }>(
      "SELECT id, answer, created_at FROM noisy_answer WHERE key = $1",
      [key],
    );
    let id: string;
    let answer: StoredAnswer;
    let answeredAt: Date;
    const reused = stored.rows.length > 0;
    if (reused) {
      id = stored.rows[0]!.id;
      answer = stored.rows[0]!.answer;
      answeredAt = stored.rows[0]!.created_at;
    } else {
      const before = await budgetState(client, viewer.address, weeks, budget);
      const mine = before.account < epsilon - 1e-9;
      if (mine || before.deployment < epsilon - 1e-9) {
        const [whose, left, week] = mine
          ? ["your account's", before.account, before.accountWeek]
          : ["the deployment's", before.deployment, before.deploymentWeek];
        throw new PrivacyBudgetExhaustedError(
          `privacy budget exhausted: this question spends epsilon ${epsilon} on each of its ${weeks.length} weeks of data, and ${whose} budget for the week of ${week} has ${Math.max(0, left).toFixed(3)} left (budgets per week of data, for all time: ${budget.accountEpsilonPerWeek} per account, ${budget.deploymentEpsilonPerWeek} per deployment). Exact figures from caseCounts and caseTrends cost nothing`,
          { weeks: weeks.length, epsilon, week },
        );
      }
      const truth = await trueCounts(client, q, system);
      answer = noisyTable(q, truth, system, options.rng ?? cryptoRandom);
      id = randomUUID();
      const { rows } = await client.query<{ created_at: Date }>(
        `INSERT INTO noisy_answer (id, key, question, answer, epsilon, created_by) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)
         RETURNING created_at`,
        [id, key, JSON.stringify(q), JSON.stringify(answer), epsilon, viewer.address],
      );
      answeredAt = rows[0]!.created_at;
      await client.query(
        `INSERT INTO privacy_ledger (viewer, answer_id, week_start, epsilon)
         SELECT $1, $2, w, $4 FROM unnest($3::date[]) AS w`,
        [viewer.address, id, weeks, epsilon],
      );
    }
    const after = await budgetState(client, viewer.address, weeks, budget);
    await client.query("COMMIT");
    await ctx.audit.record({
      operation: "noisyCaseCounts",
      recordType: "AGGREGATE",
      recordIds: [id],
      details: { question: q, reused, weeks: weeks.length },
    });
    return {
      id,
      question: q,
      epsilon,
      source: "NOISY",
      mechanism: MECHANISM,
      answeredAt,
      reused,
      ...answer,
      budget: {
        weeks: weeks.length,
        accountRemaining: Math.max(0, after.account),
        deploymentRemaining: Math.max(0, after.deployment),
        accountPerWeek: budget.accountEpsilonPerWeek,
        deploymentPerWeek: budget.deploymentEpsilonPerWeek,
      },
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The budget left for the viewer and the deployment on each week of a range. */
export async function resolvePrivacyBudget(ctx: ApiContext, from: string, to: string) {
  const viewer = requireRole(ctx, ["PUBLIC_HEALTH"], "the privacy budget");
  const system = publicationSettingsOf(ctx).system;
  const budget = settingsOfAnalytics(ctx).noiseBudget ?? DEFAULT_NOISE_BUDGET;
  const a = toEpochDay(from);
  const b = toEpochDay(to);
  if (b < a || b - a > LIMITS.maxRangeDays) {
    throw new ValidationError(`from..to must be a range of at most ${LIMITS.maxRangeDays} days`, {
      details: { field: "from" },
    });
  }
  const weeks = nodesStartingIn("WEEK", weekNode(from, system).firstDay, to, system).map((w) => w.firstDay);
  const { rows } = await ctx.pool.query<{ week: string; everyone: number; mine: number }>(
    `SELECT to_char(week_start, 'YYYY-MM-DD') AS week, sum(epsilon)::float8 AS everyone,
            coalesce(sum(epsilon) FILTER (WHERE viewer = $2), 0)::float8 AS mine
       FROM privacy_ledger WHERE week_start = ANY($1::date[]) GROUP BY week_start`,
    [weeks, viewer.address],
  );
  const spent = new Map(rows.map((r) => [r.week, r]));
  return {
    accountPerWeek: budget.accountEpsilonPerWeek,
    deploymentPerWeek: budget.deploymentEpsilonPerWeek,
    weeks: weeks.map((w) => ({
      weekStart: w,
      accountRemaining: Math.max(0, budget.accountEpsilonPerWeek - (spent.get(w)?.mine ?? 0)),
      deploymentRemaining: Math.max(0, budget.deploymentEpsilonPerWeek - (spent.get(w)?.everyone ?? 0)),
    })),
  };
}
