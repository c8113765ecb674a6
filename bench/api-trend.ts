/**
 * Stand-in trend query for `npm run bench:api` while graphql/analytics has not composed its own
 * `caseTrends`: weekly cases of one ICD-10 category in one state from the case_trend_weekly
 * rollup, PUBLIC_HEALTH only, counts of 1-10 suppressed. Served by the real API server (same
 * HTTP, auth, plugins, audit), added through createApiServer's `extensions`.
 */
import { requireRole } from "../graphql/auth/policy.ts";
import type { ApiContext } from "../graphql/context.ts";

export const benchTrendTypeDefs = `#graphql
  type BenchTrendWeek { weekStart: Date! count: Int }
  extend type Query {
    benchCaseTrend(system: String = "ISO", category: String!, stateCode: Int!, from: Date!, to: Date!): [BenchTrendWeek!]!
  }
`;

export const benchTrendResolvers = {
  Query: {
    benchCaseTrend: async (
      _: unknown,
      args: { system: string; category: string; stateCode: number; from: string; to: string },
      ctx: ApiContext,
    ) => {
      requireRole(ctx, ["PUBLIC_HEALTH"], "case trends");
      const { rows } = await ctx.pool.query<{ weekStart: string; count: number }>(
        `SELECT week_start::text AS "weekStart", sum(count)::int AS count FROM case_trend_weekly
          WHERE system = $1::week_system AND state_code = $2 AND diagnosis_category = $3
            AND week_start >= $4::date AND week_start < $5::date
          GROUP BY week_start ORDER BY week_start`,
        [args.system, args.stateCode, args.category, args.from, args.to],
      );
      await ctx.audit.record({
        operation: "benchCaseTrend",
        recordType: "AGGREGATE",
        recordIds: [`${args.category}:${args.stateCode}`],
      });
      return rows.map((r) => ({
        weekStart: r.weekStart,
        count: r.count > 0 && r.count <= 10 ? null : r.count,
      }));
    },
  },
};

export const TREND_SQL = `SELECT week_start::text AS "weekStart", sum(count)::int AS count FROM case_trend_weekly
  WHERE system = $1::week_system AND state_code = $2 AND diagnosis_category = $3
    AND week_start >= $4::date AND week_start < $5::date
  GROUP BY week_start ORDER BY week_start`;
