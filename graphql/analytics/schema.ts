/**
 * The analytics part of the API: de-identified datasets for ANALYST, and the filters they share
 * with the aggregates (publications/schema.ts, noise/schema.ts). Extends the core's Query and
 * Mutation (graphql/schema/base.ts: Date, DateTime, BigInt, PageInfo).
 */
export const analyticsTypeDefs = `#graphql
  enum DatasetDiagnosisGranularity { CODE CATEGORY }
  enum DatasetAgeGranularity { AGE_5_YEARS AGE_10_YEARS AGE_20_YEARS }
  enum DatasetRegionGranularity { DISTRICT STATE }
  enum DatasetPeriodGranularity { WEEK MONTH QUARTER YEAR }

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

  input DatasetInput {
    "Treatments opened from .. to (IST days), inclusive."
    from: Date!
    to: Date!
    diagnosis: AnalyticsDiagnosisFilter
    region: AnalyticsRegionFilter
    diagnosisGranularity: DatasetDiagnosisGranularity = CATEGORY
    "The finest level each quasi-identifier may be released at; the generalization search may coarsen it."
    ageGranularity: DatasetAgeGranularity = AGE_5_YEARS
    regionGranularity: DatasetRegionGranularity = DISTRICT
    periodGranularity: DatasetPeriodGranularity = WEEK
    "At least 11."
    k: Int = 11
    "Largest share of rows that may be suppressed instead of generalizing further (0-20, default 5)."
    maxSuppressionPercent: Float = 5
  }

  type AnalyticsDiagnosisSelection {
    codes: [String!]
    categories: [String!]
    chapters: [Int!]
    groups: [String!]
  }

  type DatasetDefinition {
    from: Date!
    to: Date!
    diagnosis: AnalyticsDiagnosisSelection
    regionStates: [Int!]
    regionDistricts: [Int!]
    diagnosisGranularity: DatasetDiagnosisGranularity!
    ageGranularity: DatasetAgeGranularity!
    regionGranularity: DatasetRegionGranularity!
    periodGranularity: DatasetPeriodGranularity!
    k: Int!
    maxSuppressionPercent: Float!
  }

  "Generalization level used per quasi-identifier."
  type DatasetGeneralization {
    "5_YEARS, 10_YEARS, 20_YEARS or SUPPRESSED."
    age: String!
    "SEX or SUPPRESSED."
    sex: String!
    "DISTRICT, STATE or NATIONAL."
    region: String!
    "WEEK, MONTH, QUARTER, YEAR or RANGE."
    period: String!
  }

  type DatasetRegion {
    "DISTRICT, STATE or NATIONAL."
    level: String!
    stateCode: Int
    stateName: String
    districtCode: Int
    districtName: String
  }

  type DatasetVitals {
    count: Int!
    maxTemperatureC: Float
    minSpo2Percent: Float
    meanHeartRateBpm: Float
    maxSystolicMmHg: Int
    maxDiastolicMmHg: Int
  }

  "One treatment, de-identified: no identifier, no exact date."
  type DatasetRow {
    "Links a patient's rows within this dataset only."
    pseudonym: String!
    "5-year band (90+ top-coded), coarser, or *."
    ageBand: String!
    "FEMALE, MALE, OTHER, UNKNOWN or *."
    sex: String!
    region: DatasetRegion!
    "2024-W05, 2024-02, 2024-Q1, 2024, or * (the dataset's range)."
    period: String!
    "ICD-10 code or category, per the definition."
    diagnosis: String
    stage: String!
    "Discharge day minus opening day (IST); null while in care."
    lengthOfStayDays: Int
    vitals: DatasetVitals!
    verifiedAttachments: Int!
  }

  type DatasetRowConnection {
    nodes: [DatasetRow!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type DeidentifiedDataset {
    id: ID!
    createdAt: DateTime!
    definition: DatasetDefinition!
    "The indexed block the rows were read at."
    snapshotBlock: BigInt
    k: Int!
    "Smallest equivalence class, in distinct patients (>= k); null when no row was released."
    achievedK: Int
    minClassRows: Int
    minDistinctDiagnoses: Int
    generalization: DatasetGeneralization!
    candidateRows: Int!
    rowCount: Int!
    suppressedRows: Int!
    classes: Int!
    "Mean loss metric over candidate rows and quasi-identifiers (0: 5-year band, sex, district and week for everyone; 1: nothing left)."
    informationLoss: Float!
    quasiIdentifiers: [String!]!
    sensitiveAttributes: [String!]!
    method: String!
    "GET it with your session token (Authorization: Bearer) for the rows as NDJSON."
    exportPath: String!
    rows(first: Int, after: String): DatasetRowConnection!
  }

  type DeidentifiedDatasetConnection {
    nodes: [DeidentifiedDataset!]!
    pageInfo: PageInfo!
  }

  extend type Query {
    "ANALYST: one of your de-identified datasets."
    deidentifiedDataset(id: ID!): DeidentifiedDataset
    "ANALYST: your de-identified datasets, newest first."
    deidentifiedDatasets(first: Int, after: String): DeidentifiedDatasetConnection!
  }

  extend type Mutation {
    "ANALYST: builds a k-anonymous dataset (one row per treatment) and keeps it for paging and export."
    createDeidentifiedDataset(input: DatasetInput!): DeidentifiedDataset!
  }
`;
