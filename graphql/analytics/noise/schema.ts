/** SDL of the differentially private answers (noisyCaseCounts) and the privacy budget. */
export const noiseTypeDefs = `#graphql
  "Dimensions of a noisy table: WEEK (the deployment's weeks), STATE, DISTRICT, DIAGNOSIS_CATEGORY (needs a diagnosis filter), DIAGNOSIS_CHAPTER, AGE_BAND_5, AGE_BAND_20, SEX."
  enum NoisyDimension { WEEK STATE DISTRICT DIAGNOSIS_CATEGORY DIAGNOSIS_CHAPTER AGE_BAND_5 AGE_BAND_20 SEX }

  input NoisyCaseCountsInput {
    "Any range of complete IST days (ending yesterday at the latest)."
    from: Date!
    to: Date!
    "Any union of codes (sub-category codes too), categories, chapters and surveillance groups."
    diagnosis: AnalyticsDiagnosisFilter
    region: AnalyticsRegionFilter
    groupBy: [NoisyDimension!]
    "Privacy loss of this answer, 0.05 to 0.6. It is spent on every week of data the range touches."
    epsilon: Float!
  }

  type NoisyKey {
    dimension: NoisyDimension!
    value: String!
  }

  type NoisyCell {
    keys: [NoisyKey!]!
    "The noisy count (never negative)."
    count: Int!
    "95 % interval for the true count."
    low: Int!
    high: Int!
  }

  type NoisyTotal {
    count: Int!
    low: Int!
    high: Int!
  }

  type NoisyQuestionEcho {
    from: Date!
    to: Date!
    groupBy: [NoisyDimension!]!
  }

  type PrivacyBudgetState {
    "Weeks of data the question read; each was charged its epsilon."
    weeks: Int!
    "The least any of those weeks has left, after this answer: for your account, and for the whole deployment."
    accountRemaining: Float!
    deploymentRemaining: Float!
    accountPerWeek: Float!
    deploymentPerWeek: Float!
  }

  type NoisyCaseCountTable {
    id: ID!
    source: FigureSource!
    question: NoisyQuestionEcho!
    epsilon: Float!
    mechanism: String!
    "95 % half-width of one cell's noise."
    cellHalfWidth: Int!
    cells: [NoisyCell!]!
    total: NoisyTotal!
    answeredAt: DateTime!
    "True when this is the stored answer to the same question asked before (by anyone): it spent nothing."
    reused: Boolean!
    budget: PrivacyBudgetState!
  }

  type WeekBudget {
    weekStart: Date!
    accountRemaining: Float!
    deploymentRemaining: Float!
  }

  type PrivacyBudget {
    accountPerWeek: Float!
    deploymentPerWeek: Float!
    weeks: [WeekBudget!]!
  }

  extend type Query {
    "PUBLIC_HEALTH: counts of anything the publications do not hold, with differentially private noise, under the privacy budget."
    noisyCaseCounts(input: NoisyCaseCountsInput!): NoisyCaseCountTable!
    "PUBLIC_HEALTH: the privacy budget left per week of data (yours and the deployment's)."
    privacyBudget(from: Date!, to: Date!): PrivacyBudget!
  }
`;
