/** Size limits of analytics requests (each refused with TOO_LARGE or BAD_USER_INPUT, never truncated). */
export const LIMITS = {
  /** Finest cells read for one table. */
  maxDetailCells: 20_000,
  /** Cells of a table with all its margins. */
  maxCubeCells: 200_000,
  /** Possible cells of a noisy table (every one gets noise). */
  maxNoisyDomain: 100_000,
  /** Longest date range of a table or trend, in days. */
  maxRangeDays: 3_660,
  /** Series in one trend release. */
  maxTrendSeries: 1_000,
  /** Diagnosis selectors in one trend release. */
  maxTrendDiagnoses: 20,
  /** Rows of one dataset. */
  maxDatasetRows: 2_000_000,
  /** Rows per batch of the NDJSON export. */
  exportBatchRows: 2_000,
} as const;
