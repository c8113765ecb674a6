/**
 * Aberration detection after CDC's Early Aberration Reporting System, on weekly counts.
 *
 * C2: the baseline is the 7 weeks ending 2 weeks before the current one (weeks t-9 .. t-3, so
 * the start of an outbreak does not inflate its own baseline); with its mean m and sample
 * standard deviation s floored at minSd (a flat baseline would otherwise flag any rise of one
 * case), C2 = (x - m) / max(s, minSd), and the week is flagged when C2 > 3.
 * C3 (the CUSUM-like member of the family): C3 = sum over weeks t-2 .. t of max(0, C2 - 1),
 * alarming when C3 > 2: it catches a rise sustained over three weeks that no single week shows.
 *
 * Input values are the released ones (null = suppressed): the statistics are post-processing of
 * the release and disclose nothing more. A week is scored only when its own count and at least
 * minBaselineWeeks of its baseline weeks were released.
 */

export interface EarsParameters {
  readonly baselineWeeks: number;
  readonly lagWeeks: number;
  readonly threshold: number;
  readonly minSd: number;
  readonly minBaselineWeeks: number;
  readonly c3Weeks: number;
  readonly c3Threshold: number;
}

export const EARS_WEEKLY: EarsParameters = Object.freeze({
  baselineWeeks: 7,
  lagWeeks: 2,
  threshold: 3,
  minSd: 1,
  minBaselineWeeks: 5,
  c3Weeks: 3,
  c3Threshold: 2,
});

export interface EarsScore {
  /** Baseline mean: the expected count. */
  readonly expected: number;
  /** Baseline standard deviation after the floor. */
  readonly sd: number;
  /** expected + threshold * sd: counts above it are flagged. */
  readonly upperBound: number;
  readonly c2: number;
  readonly c2Alarm: boolean;
  /** Null until three consecutive weeks were scored. */
  readonly c3: number | null;
  readonly c3Alarm: boolean | null;
}

function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, sd: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

/** One score per week (null where the week cannot be scored). */
export function earsScores(
  series: readonly (number | null)[],
  params: EarsParameters = EARS_WEEKLY,
): (EarsScore | null)[] {
  const c2: (number | null)[] = [];
  const scores: (EarsScore | null)[] = [];
  for (let t = 0; t < series.length; t++) {
    const x = series[t];
    const from = t - params.lagWeeks - params.baselineWeeks;
    const baseline: number[] = [];
    for (let i = Math.max(0, from); i < t - params.lagWeeks; i++) {
      const v = series[i];
      if (v !== null && v !== undefined) baseline.push(v);
    }
    if (x === null || x === undefined || from < 0 || baseline.length < params.minBaselineWeeks) {
      c2.push(null);
      scores.push(null);
      continue;
    }
    const { mean, sd: rawSd } = meanAndSd(baseline);
    const sd = Math.max(rawSd, params.minSd);
    const stat = (x - mean) / sd;
    c2.push(stat);
    const window = c2.slice(Math.max(0, c2.length - params.c3Weeks));
    const c3 =
      window.length === params.c3Weeks && window.every((v) => v !== null)
        ? window.reduce<number>((a, v) => a + Math.max(0, (v as number) - 1), 0)
        : null;
    scores.push({
      expected: mean,
      sd,
      upperBound: mean + params.threshold * sd,
      c2: stat,
      c2Alarm: stat > params.threshold,
      c3,
      c3Alarm: c3 === null ? null : c3 > params.c3Threshold,
    });
  }
  return scores;
}
