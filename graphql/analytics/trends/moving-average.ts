/**
 * Trailing moving average of released weekly counts: week t averages weeks t-w+1 .. t. Null when
 * any of those weeks was suppressed or lies before the series (an average over a suppressed week
 * would let anyone solve for it).
 */
export function trailingMovingAverage(series: readonly (number | null)[], window: number): (number | null)[] {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`window must be a positive integer, got ${window}`);
  return series.map((_, t) => {
    if (t + 1 < window) return null;
    let sum = 0;
    for (let i = t - window + 1; i <= t; i++) {
      const v = series[i];
      if (v === null || v === undefined) return null;
      sum += v;
    }
    return sum / window;
  });
}
