/** SDL of the exact, published aggregates (caseCounts, caseTrends, casePublications). */
export const publicationTypeDefs = `#graphql
  "The deployment's epidemiological weeks: ISO 8601 / IDSP (Monday to Sunday) or CDC MMWR (Sunday to Saturday). One per deployment."
  enum EpiWeekSystem { ISO MMWR }
  "Time nodes of the publications: weeks, 4-week periods (weeks 1-4 ... 49-52/53), epidemiological years."
  enum TimeLevel { WEEK PERIOD YEAR }
  enum RegionLevel { NATION STATE DISTRICT }
  enum DiagnosisLevel { ALL CHAPTER GROUP CATEGORY }
  enum TrendBreakdown { NONE STATE DISTRICT }
  "Where a figure comes from: an exact, suppressed publication, or a differentially private (noisy) answer."
  enum FigureSource { PUBLISHED NOISY }

  "Region nodes: NATION; STATE with codes (LGD), or every state; DISTRICT with codes, or every district of states, or every district."
  input RegionSelectionInput {
    level: RegionLevel!
    codes: [Int!]
    states: [Int!]
  }

  "Diagnosis nodes: ALL; CHAPTER (\\"1\\".. \\"22\\", \\"0\\" outside the chapters), GROUP (surveillance group id) or CATEGORY (\\"A90\\"), with codes, or every node of the level."
  input DiagnosisSelectionInput {
    level: DiagnosisLevel!
    codes: [String!]
  }

  input CaseCountsInput {
    "Time nodes of this level whose first day lies in from..to."
    time: TimeLevel = WEEK
    from: Date!
    to: Date!
    region: RegionSelectionInput
    diagnosis: DiagnosisSelectionInput
    "By 20-year age band (national only)."
    byAge: Boolean = false
    "By sex (national only)."
    bySex: Boolean = false
  }

  input DiagnosisNodeInput {
    level: DiagnosisLevel!
    "Chapter number, group id or category; none for ALL."
    code: String
  }

  input TrendRegionInput {
    state: Int
    district: Int
  }

  input CaseTrendsInput {
    "Weeks starting from..to."
    from: Date!
    to: Date!
    "One set of series per diagnosis node."
    diagnoses: [DiagnosisNodeInput!]!
    "The scope: India (null), a state or a district."
    region: TrendRegionInput
    "Series per state (India) or district (a state) of the scope, with the scope's total."
    breakdown: TrendBreakdown = NONE
    movingAverageWeeks: Int = 3
  }

  "A node of a hierarchy. Regions: NATION, STATE, DISTRICT (LGD code); diagnoses: ALL, CHAPTER, GROUP, CATEGORY; age: ALL or AGE_BAND; sex: ALL or SEX."
  type LatticeNode {
    level: String!
    code: String!
    label: String
  }

  type PublishedTimeNode {
    level: TimeLevel!
    "2024-W05 (ISO), 2024-05 (MMWR), 2024-P02, 2024."
    label: String!
    firstDay: Date!
    lastDay: Date!
    publishedAt: DateTime!
  }

  type PublishedCell {
    time: PublishedTimeNode!
    region: LatticeNode!
    diagnosis: LatticeNode!
    age: LatticeNode!
    sex: LatticeNode!
    "Null when suppressed."
    count: Int
    suppressed: Boolean!
    source: FigureSource!
  }

  type PublicationDisclosure {
    source: FigureSource!
    "The protection rule every publication is audited against (linear programming over everything published)."
    rule: String!
    zeroCells: String!
    totalCells: Int!
    suppressedCells: Int!
  }

  type CaseCountTable {
    system: EpiWeekSystem!
    time: TimeLevel!
    "The published nodes in the range; nodes not listed are not published (yet)."
    publications: [PublishedTimeNode!]!
    cells: [PublishedCell!]!
    disclosure: PublicationDisclosure!
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
    "False for a week not published yet (open, within the lag): no count, never drawn as 0."
    published: Boolean!
    "Null when suppressed or not published."
    count: Int
    suppressed: Boolean!
    movingAverage: Float
    "EARS baseline mean; null until a complete baseline is published."
    expected: Float
    upperBound: Float
    c2: Float
    c2Alarm: Boolean
    c3: Float
    c3Alarm: Boolean
  }

  type TrendSeries {
    diagnosisIndex: Int!
    diagnosis: LatticeNode!
    region: LatticeNode!
    "The scope's total series, when the release is broken down."
    total: Boolean!
    points: [TrendPoint!]!
  }

  type CaseTrendRelease {
    system: EpiWeekSystem!
    from: Date!
    to: Date!
    movingAverageWeeks: Int!
    aberration: AberrationMethod!
    series: [TrendSeries!]!
    disclosure: PublicationDisclosure!
  }

  type PublicationCalendar {
    system: EpiWeekSystem!
    "Days after a week closes before it is published."
    lagDays: Int!
    rule: String!
    "The published tables, as hierarchy levels."
    tables: [String!]!
    "Surveillance groups defined with sub-category codes: not published, noisy answers only."
    noiseOnlyGroups: [String!]!
    "Published nodes of the level, newest first."
    latest(level: TimeLevel = WEEK, first: Int = 10): [PublishedTimeNode!]!
  }

  extend type Query {
    "PUBLIC_HEALTH: exact counts of cases (treatments with a diagnosis, by the IST day they opened) from the published weeks, periods and years: hierarchy nodes only, suppressed and audited over everything published."
    caseCounts(input: CaseCountsInput!): CaseCountTable!
    "PUBLIC_HEALTH: weekly series from the published weeks, with moving average and EARS aberration flags."
    caseTrends(input: CaseTrendsInput!): CaseTrendRelease!
    "PUBLIC_HEALTH: the publication calendar and the latest published nodes."
    casePublications: PublicationCalendar!
  }
`;

export const PUBLISHED_TABLES = [
  "DISTRICT × CATEGORY (with state totals)",
  "STATE|NATION × CATEGORY|GROUP|CHAPTER|ALL",
  "NATION × CATEGORY|GROUP|CHAPTER|ALL × AGE_BAND (20 years)|ALL × SEX|ALL",
] as const;
