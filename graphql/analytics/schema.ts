/**
 * The analytics part of the API: suppressed aggregates for PUBLIC_HEALTH, de-identified dataset
 * releases for ANALYST (datasets/schema.ts). Extends the core's Query and Mutation (graphql/schema/base.ts: Date, DateTime,
 * BigInt, PageInfo).
 */
import { datasetTypeDefs } from "./datasets/schema.ts";

export const analyticsTypeDefs = `#graphql
  "Group-by dimensions of a case-count table (at most one per family: diagnosis, region, week, age, sex, hospital)."
  enum CaseDimension {
    DIAGNOSIS_CODE
    DIAGNOSIS_CATEGORY
    DIAGNOSIS_CHAPTER
    "Named surveillance groups (diagnosis.groups, which must not overlap)."
    DIAGNOSIS_GROUP
    STATE
    DISTRICT
    "ISO 8601 / IDSP weeks, Monday to Sunday."
    ISO_WEEK
    "CDC MMWR weeks, Sunday to Saturday."
    MMWR_WEEK
    AGE_BAND_5
    AGE_BAND_10
    AGE_BAND_20
    SEX
    HOSPITAL
  }

  enum EpiWeekSystem { ISO MMWR }
  enum TrendBreakdown { NONE STATE DISTRICT }

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

  "Differentially private noise for one release."
  input NoiseInput {
    "Privacy loss of the whole release, 0.1 to 2, in steps of 0.001."
    epsilon: Float!
  }

  input CaseCountsInput {
    "First and last reporting day (IST), inclusive. Widened to whole weeks when grouping by week."
    from: Date!
    to: Date!
    groupBy: [CaseDimension!]!
    diagnosis: AnalyticsDiagnosisFilter
    region: AnalyticsRegionFilter
    "Also return the totals of every row, column and hierarchy level (default true). Suppression always accounts for them."
    includeMargins: Boolean = true
    noise: NoiseInput
  }

  input TrendRegionInput {
    state: Int
    district: Int
  }

  input CaseTrendsInput {
    system: EpiWeekSystem = ISO
    from: Date!
    to: Date!
    "One set of series per selection (e.g. [{categories: [\\"A90\\"]}, {groups: [\\"vector-borne\\"]}]); null: every diagnosis."
    diagnoses: [AnalyticsDiagnosisFilter]!
    "The scope: India (null), a state or a district."
    region: TrendRegionInput
    "Series per state or district of the scope, with their totals."
    breakdown: TrendBreakdown = NONE
    movingAverageWeeks: Int = 3
    noise: NoiseInput
  }

  "A dimension's value in a released cell. level TOTAL (code *) is the total over that dimension."
  type AnalyticsDimensionValue {
    level: String!
    "Week cells: the epidemiological week (2024-W05 or 2024-05); districts and states: the LGD code."
    code: String!
    "Week cells: the week's first day."
    label: String
  }

  type NoiseReport {
    mechanism: String!
    epsilon: Float!
    sensitivity: Int!
    unit: String!
    "Variance of each finest cell's noise."
    variance: Float!
    composition: String
  }

  type PrivacyAccount {
    "Epsilon you spent in the window, this release included."
    spentEpsilon: Float!
    windowDays: Int!
    budgetEpsilon: Float
  }

  type DisclosureReport {
    "Released counts are 0 or at least this."
    minReleasedCount: Int!
    method: String!
    zeroCells: String!
    totalCells: Int!
    suppressedCells: Int!
    "Whether the linear audit (all released totals solved together) covered the whole table."
    linearAudit: String!
    "Null when the release has no noise (suppression only)."
    noise: NoiseReport
    privacy: PrivacyAccount!
  }

  type CaseCountCell {
    diagnosis: AnalyticsDimensionValue
    region: AnalyticsDimensionValue
    week: AnalyticsDimensionValue
    age: AnalyticsDimensionValue
    sex: AnalyticsDimensionValue
    hospital: AnalyticsDimensionValue
    "True for totals (some dimension coarser than asked, or TOTAL)."
    margin: Boolean!
    "Null when suppressed."
    count: Int
    suppressed: Boolean!
  }

  type CaseCountTable {
    "Recorded in the release log."
    releaseId: ID!
    "The range counted (widened to whole weeks when grouped by week)."
    from: Date!
    to: Date!
    groupBy: [CaseDimension!]!
    cells: [CaseCountCell!]!
    disclosure: DisclosureReport!
  }

  type AberrationMethod {
    name: String!
    description: String!
    baselineWeeks: Int!
    lagWeeks: Int!
    threshold: Float!
    minSd: Float!
    minBaselineWeeks: Int!
    c3Weeks: Int!
    c3Threshold: Float!
  }

  type TrendPoint {
    weekStart: Date!
    week: String!
    "Null when suppressed."
    count: Int
    suppressed: Boolean!
    movingAverage: Float
    "EARS baseline mean; null when the week cannot be scored."
    expected: Float
    "expected + threshold x SD: counts above it raise the C2 alarm."
    upperBound: Float
    c2: Float
    c2Alarm: Boolean
    c3: Float
    c3Alarm: Boolean
  }

  type AnalyticsDiagnosisSelection {
    codes: [String!]
    categories: [String!]
    chapters: [Int!]
    groups: [String!]
  }

  type TrendSeries {
    "Position of the selection in the input's diagnoses."
    diagnosisIndex: Int!
    diagnosis: AnalyticsDiagnosisSelection
    region: AnalyticsDimensionValue!
    "The series is the weekly sum of other series of this release."
    total: Boolean!
    "case_trend_weekly, or case_count_daily for selections with sub-category codes."
    source: String!
    points: [TrendPoint!]!
  }

  type CaseTrendRelease {
    releaseId: ID!
    system: EpiWeekSystem!
    from: Date!
    to: Date!
    movingAverageWeeks: Int!
    aberration: AberrationMethod!
    series: [TrendSeries!]!
    disclosure: DisclosureReport!
  }

  extend type Query {
    "PUBLIC_HEALTH: case counts (treatments with a diagnosis, on the IST day they opened) with small-cell and complementary suppression."
    caseCounts(input: CaseCountsInput!): CaseCountTable!
    "PUBLIC_HEALTH: weekly case series with moving average and EARS aberration flags."
    caseTrends(input: CaseTrendsInput!): CaseTrendRelease!
  }
${datasetTypeDefs}`;
