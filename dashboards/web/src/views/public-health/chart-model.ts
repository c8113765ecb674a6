/**
 * The geometry of a weekly trend chart, as plain data: scales, line paths broken at gaps, the
 * bands of suppressed weeks and the aberration markers. A suppressed week is never drawn as a
 * value (certainly not as zero): the count line breaks there and the week gets a hatched band. A
 * week not published yet (the open week, or one within the publication lag) is a pending band,
 * never a zero either.
 */

export interface WeekPoint {
  week: string;
  weekStart: string;
  /** Null when suppressed (or, defensively, missing). */
  count: number | null;
  suppressed: boolean;
  /** False for a week not published yet (absent: published). */
  published?: boolean;
  movingAverage: number | null;
  upperBound: number | null;
  c2Alarm: boolean | null;
  c3Alarm: boolean | null;
}

export type PointKind = "value" | "suppressed" | "pending" | "missing";

/** How a week is drawn: its count, a suppression band, a pending band, or a plain gap. */
export function pointKind(p: WeekPoint): PointKind {
  if (p.published === false) return "pending";
  if (p.suppressed) return "suppressed";
  return p.count === null ? "missing" : "value";
}

export const isAlarm = (p: WeekPoint): boolean => p.c2Alarm === true || p.c3Alarm === true;

/** The smallest 1, 2 or 5 × 10^n at or above `max` (at least 1). */
export function niceCeiling(max: number): number {
  if (!(max > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Whole-number ticks from 0, a 1/2/5 step apart, the last at or above `max`. */
export function yTicks(max: number, count = 4): number[] {
  const step = niceCeiling(max / count);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return ticks;
}

/** Runs of consecutive indexes where `value` is a number: one line segment each. */
export function runs<T>(
  items: readonly T[],
  value: (item: T) => number | null,
): { i: number; v: number }[][] {
  const out: { i: number; v: number }[][] = [];
  let current: { i: number; v: number }[] = [];
  items.forEach((item, i) => {
    const v = value(item);
    if (v === null || !Number.isFinite(v)) {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push({ i, v });
  });
  if (current.length > 0) out.push(current);
  return out;
}

export interface ChartBox {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export interface ChartModel {
  plot: { left: number; right: number; top: number; bottom: number };
  yTicks: { value: number; y: number }[];
  xLabels: { x: number; text: string }[];
  /** SVG path data, one per segment between gaps. */
  countPaths: string[];
  averagePaths: string[];
  upperPaths: string[];
  values: { x: number; y: number; point: WeekPoint }[];
  suppressed: { x: number; width: number; point: WeekPoint }[];
  pending: { x: number; width: number; point: WeekPoint }[];
  alarms: { x: number; y: number; point: WeekPoint }[];
}

const round = (n: number) => Math.round(n * 10) / 10;

export function chartModel(points: readonly WeekPoint[], box: ChartBox): ChartModel {
  const { width, height, margin } = box;
  const plot = {
    left: margin.left,
    right: width - margin.right,
    top: margin.top,
    bottom: height - margin.bottom,
  };
  const n = points.length;
  const slot = n > 0 ? (plot.right - plot.left) / n : 0;
  const x = (i: number) => round(plot.left + slot * (i + 0.5));
  const values = points.flatMap((p) => [p.count, p.movingAverage, p.upperBound]).filter((v) => v !== null);
  const ticks = yTicks(Math.max(1, ...(values as number[])));
  const top = ticks.at(-1)!;
  const y = (v: number) => round(plot.bottom - ((plot.bottom - plot.top) * v) / top);
  const path = (segments: { i: number; v: number }[][]) =>
    segments.map((s) => s.map((p, k) => `${k === 0 ? "M" : "L"}${x(p.i)},${y(p.v)}`).join(" "));
  const labelEvery = Math.max(1, Math.ceil(n / Math.max(1, Math.floor((plot.right - plot.left) / 64))));
  return {
    plot,
    yTicks: ticks.map((value) => ({ value, y: y(value) })),
    xLabels: points.flatMap((p, i) => (i % labelEvery === 0 ? [{ x: x(i), text: p.week }] : [])),
    countPaths: path(runs(points, (p) => (pointKind(p) === "value" ? p.count : null))),
    averagePaths: path(runs(points, (p) => p.movingAverage)),
    upperPaths: path(runs(points, (p) => p.upperBound)),
    values: points.flatMap((p, i) =>
      pointKind(p) === "value" ? [{ x: x(i), y: y(p.count!), point: p }] : [],
    ),
    suppressed: points.flatMap((p, i) =>
      pointKind(p) === "suppressed" ? [{ x: round(plot.left + slot * i), width: round(slot), point: p }] : [],
    ),
    pending: points.flatMap((p, i) =>
      pointKind(p) === "pending" ? [{ x: round(plot.left + slot * i), width: round(slot), point: p }] : [],
    ),
    // An alarm on a suppressed week is marked at the top of its band: the count stays hidden.
    alarms: points.flatMap((p, i) =>
      isAlarm(p) ? [{ x: x(i), y: pointKind(p) === "value" ? y(p.count!) : plot.top, point: p }] : [],
    ),
  };
}
