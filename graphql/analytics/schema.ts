/**
 * The analytics part of the API: the filters shared by noisy questions (noise/schema.ts) and
 * de-identified dataset releases for ANALYST (datasets/schema.ts); published aggregates for
 * PUBLIC_HEALTH are in publications/schema.ts. Extends the core's Query and Mutation
 * (graphql/schema/base.ts: Date, DateTime, BigInt, PageInfo).
 */
import { datasetTypeDefs } from "./datasets/schema.ts";

export const analyticsTypeDefs = `#graphql
  "Diagnoses covered (united): ICD-10 codes (a code covers its extensions), 3-character categories, WHO chapters (0: outside every chapter), surveillance groups."
  input AnalyticsDiagnosisFilter {
    codes: [String!]
    categories: [String!]
    chapters: [Int!]
    groups: [String!]
  }

  "Patient regions covered (united), LGD codes."
  input AnalyticsRegionFilter {
    states: [Int!]
    districts: [Int!]
  }
${datasetTypeDefs}`;
