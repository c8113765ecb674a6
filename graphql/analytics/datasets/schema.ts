/**
 * The dataset part of the analytics schema (composed into graphql/analytics/schema.ts): periodic
 * de-identified releases, and datasets that select whole classes of one release.
 */
export const datasetTypeDefs = `#graphql
  enum DatasetReleasePeriod { MONTH QUARTER HALF_YEAR YEAR }

  "A count the API does not give exactly, because it was taken before suppression: rounded (half up) to a multiple of roundedTo."
  type RoundedCount {
    approximately: Int!
    roundedTo: Int!
  }

  "Generalization levels of a release (the same for every class): * marks a quasi-identifier generalized away."
  type DatasetGeneralization {
    "5_YEARS, 10_YEARS, 20_YEARS, or SUPPRESSED (age shown as *)."
    age: String!
    "SEX, or SUPPRESSED (*)."
    sex: String!
    "DISTRICT (districts under 20,000 people as their state), STATE, or NATIONAL (*)."
    region: String!
    "WEEK (2026-W05), MONTH (2026-02, the weeks whose Thursday falls in it), or RELEASE (*: somewhere in the release)."
    period: String!
    "CATEGORY_OR_CHAPTER: the ICD-10 category where at least k patients of the class share it, else its chapter (A00-B99)."
    diagnosis: String!
  }

  type DatasetRegion {
    "DISTRICT, STATE or NATIONAL (*)."
    level: String!
    stateCode: Int
    stateName: String
    districtCode: Int
    districtName: String
  }

  "An equivalence class of a release: rows sharing every quasi-identifier value. Datasets select whole classes."
  type DatasetReleaseClass {
    number: Int!
    ageBand: String!
    sex: String!
    region: DatasetRegion!
    period: String!
    "Released rows (treatments): at least k distinct patients."
    rows: Int!
    "Distinct diagnosis values: at least l."
    diagnoses: Int!
    "Loss metric of the class's values, 0 (5-year band, sex, district, week) to 1 (every quasi-identifier *)."
    informationLoss: Float!
  }

  type DatasetReleaseClassConnection {
    nodes: [DatasetReleaseClass!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "The values a dataset of the release can be selected by."
  type DatasetReleaseValues {
    ageBands: [String!]!
    sexes: [String!]!
    regions: [DatasetRegion!]!
    periods: [String!]!
  }

  "The treatments opened in one closed period, anonymized once when the period's end was final, then frozen."
  type DatasetRelease {
    id: ID!
    "2026-Q1, 2026-03, 2026-H1 or 2026."
    period: String!
    periodKind: DatasetReleasePeriod!
    "First day (a Monday) and last day (a Sunday), IST, of the release's ISO weeks: those whose Thursday falls in the period."
    from: Date!
    to: Date!
    cutAt: DateTime!
    "The indexed block the release was read at."
    snapshotBlock: BigInt!
    "The finalized block then: every treatment in the release was opened at or below it."
    finalizedBlock: BigInt!
    "Every class, and every diagnosis value within a class, has at least k distinct patients."
    k: Int!
    "Every class has at least l distinct diagnosis values."
    l: Int!
    generalization: DatasetGeneralization!
    "Released rows: exact (you can count them)."
    rowCount: Int!
    classCount: Int!
    "Rows whose diagnosis is given as its ICD-10 chapter, because its category was too rare in its class."
    chapterRows: Int!
    "Treatments of the period left out (too rare in their class), rounded: counted before suppression, so never given exactly."
    suppressedRows: RoundedCount!
    "Mean loss metric over the released rows and quasi-identifiers: 0 = every row at 5-year band, sex, district and week; 1 = every quasi-identifier *."
    informationLoss: Float!
    quasiIdentifiers: [String!]!
    sensitiveAttributes: [String!]!
    "The release rule, in words."
    method: String!
    values: DatasetReleaseValues!
    classes(first: Int, after: String): DatasetReleaseClassConnection!
  }

  type DatasetReleaseConnection {
    nodes: [DatasetRelease!]!
    pageInfo: PageInfo!
  }

  "Whole classes of one release, by generalized values (as DatasetRelease.values lists them). Within a field values are alternatives; fields combine; states and districts are alternatives of one region."
  input DatasetInput {
    "The release (datasetReleases); default: the latest with released rows."
    releaseId: ID
    ageBands: [String!]
    sexes: [String!]
    states: [Int!]
    districts: [Int!]
    periods: [String!]
  }

  type DatasetSelection {
    ageBands: [String!]
    sexes: [String!]
    states: [Int!]
    districts: [Int!]
    periods: [String!]
  }

  type DatasetVitals {
    count: Int!
    maxTemperatureC: Float
    minSpo2Percent: Float
    meanHeartRateBpm: Float
    maxSystolicMmHg: Int
    maxDiastolicMmHg: Int
  }

  "One treatment, de-identified: no identifier, no date finer than a week."
  type DatasetRow {
    "Links one patient's rows within the release (every dataset of the release shows the same); a patient whose rows would stand out when linked has one pseudonym per row."
    pseudonym: String!
    "5-year band (90+ top-coded), coarser, or *."
    ageBand: String!
    "FEMALE, MALE, OTHER, UNKNOWN or *."
    sex: String!
    region: DatasetRegion!
    "2026-W05, 2026-02, or * (somewhere in the release)."
    period: String!
    "ICD-10 category (E11), chapter (E00-E90), or null: no diagnosis."
    diagnosis: String
    "CATEGORY, CHAPTER or NONE."
    diagnosisLevel: String!
    "The stage when the release was cut."
    stage: String!
    "Discharge day minus opening day (IST); null while in care when the release was cut."
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
    release: DatasetRelease!
    selection: DatasetSelection!
    "Rows: exact (you can count them)."
    rowCount: Int!
    classCount: Int!
    "Mean loss metric over the dataset's rows (see DatasetRelease.informationLoss)."
    informationLoss: Float!
    "GET it with your session token (Authorization: Bearer) for the rows as NDJSON; counts against your export limit."
    exportPath: String!
    rows(first: Int, after: String): DatasetRowConnection!
  }

  type DeidentifiedDatasetConnection {
    nodes: [DeidentifiedDataset!]!
    pageInfo: PageInfo!
  }

  "Your use of the per-account limits (ANALYTICS_DATASETS_PER_DAY, ANALYTICS_EXPORTS_PER_DAY) over the last windowHours."
  type DatasetUsage {
    windowHours: Int!
    datasetsCreated: Int!
    datasetLimit: Int!
    exports: Int!
    exportLimit: Int!
  }

  extend type Query {
    "ANALYST: de-identified releases, newest period first."
    datasetReleases(first: Int, after: String): DatasetReleaseConnection!
    "ANALYST: one release."
    datasetRelease(id: ID!): DatasetRelease
    "ANALYST: one of your datasets."
    deidentifiedDataset(id: ID!): DeidentifiedDataset
    "ANALYST: your datasets, newest first."
    deidentifiedDatasets(first: Int, after: String): DeidentifiedDatasetConnection!
    "ANALYST: what you have used of your dataset and export limits."
    datasetUsage: DatasetUsage!
  }

  extend type Mutation {
    "ANALYST: a dataset of whole classes of one release (counts against your dataset limit)."
    createDeidentifiedDataset(input: DatasetInput!): DeidentifiedDataset!
  }
`;
