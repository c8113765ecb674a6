/** Resolver map of the analytics schema. Role checks happen in each resolver. */

import { requireRole } from "../auth/policy.ts";
import type { ApiContext } from "../context.ts";
import { datasetResolvers } from "./datasets/resolvers.ts";
import { resolveNoisyCaseCounts, resolvePrivacyBudget } from "./noise/answer.ts";
import type { NoisyQuestionInput } from "./noise/question.ts";
import type { TimeLevel } from "./publications/calendar.ts";
import { NOISE_ONLY_GROUPS } from "./publications/lattice.ts";
import { PROTECTION_RULE } from "./publications/protection.ts";
import { latestPublications } from "./publications/read.ts";
import { type CaseCountsInput, resolveCaseCounts } from "./publications/resolve-counts.ts";
import { type CaseTrendsInput, resolveCaseTrends } from "./publications/resolve-trends.ts";
import { PUBLISHED_TABLES } from "./publications/schema.ts";
import { publicationSettingsOf } from "./settings.ts";

export const analyticsResolvers = {
  Query: {
    caseCounts: (_: unknown, args: { input: CaseCountsInput }, ctx: ApiContext) =>
      resolveCaseCounts(ctx, args.input),
    caseTrends: (_: unknown, args: { input: CaseTrendsInput }, ctx: ApiContext) =>
      resolveCaseTrends(ctx, args.input),
    casePublications: (_: unknown, _args: unknown, ctx: ApiContext) => {
      requireRole(ctx, ["PUBLIC_HEALTH"], "the publication calendar");
      const settings = publicationSettingsOf(ctx);
      return {
        system: settings.system,
        lagDays: settings.lagDays,
        rule: PROTECTION_RULE,
        tables: PUBLISHED_TABLES,
        noiseOnlyGroups: NOISE_ONLY_GROUPS,
      };
    },
    noisyCaseCounts: (_: unknown, args: { input: NoisyQuestionInput }, ctx: ApiContext) =>
      resolveNoisyCaseCounts(ctx, args.input),
    privacyBudget: (_: unknown, args: { from: string; to: string }, ctx: ApiContext) =>
      resolvePrivacyBudget(ctx, args.from, args.to),
    ...datasetResolvers.Query,
  },
  Mutation: datasetResolvers.Mutation,
  PublicationCalendar: {
    latest: (_: unknown, args: { level?: TimeLevel | null; first?: number | null }, ctx: ApiContext) =>
      latestPublications(ctx.pool, args.level ?? "WEEK", Math.max(1, Math.min(200, args.first ?? 10))),
  },
  DatasetRelease: datasetResolvers.DatasetRelease,
  DeidentifiedDataset: datasetResolvers.DeidentifiedDataset,
};
