/** The trend chart's geometry: scales, gaps, and how suppressed weeks and alarms are drawn. */
import { describe, expect, it } from "vitest";
import {
  chartModel,
  niceCeiling,
  pointKind,
  runs,
  type WeekPoint,
  yTicks,
} from "../../dashboards/web/src/views/public-health/chart-model.ts";

const BOX = { width: 500, height: 200, margin: { top: 10, right: 10, bottom: 30, left: 40 } };

function week(i: number, count: number | null, extra: Partial<WeekPoint> = {}): WeekPoint {
  return {
    week: `2026-W${String(i + 1).padStart(2, "0")}`,
    weekStart: `2026-01-${String(i + 1).padStart(2, "0")}`,
    count,
    suppressed: false,
    movingAverage: null,
    upperBound: null,
    c2Alarm: false,
    c3Alarm: false,
    ...extra,
  };
}

describe("scales", () => {
  it("rounds the top of the axis up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 11, 15, 20, 21, 99, 101, 480].map(niceCeiling)).toEqual([
      1, 1, 5, 20, 20, 20, 50, 100, 200, 500,
    ]);
  });

  it("puts whole-number ticks from zero to at least the largest value", () => {
    expect(yTicks(15)).toEqual([0, 5, 10, 15]);
    expect(yTicks(1)).toEqual([0, 1]);
    expect(yTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(yTicks(37.5)).toEqual([0, 10, 20, 30, 40]);
    for (const max of [2, 13, 57, 333, 1999]) {
      const ticks = yTicks(max);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
      expect(ticks.every((t) => Number.isInteger(t))).toBe(true);
    }
  });

  it("splits a series into runs at every null, so lines break at gaps", () => {
    expect(runs([1, null, 2, 3, null, null, 4], (v) => v)).toEqual([
      [{ i: 0, v: 1 }],
      [
        { i: 2, v: 2 },
        { i: 3, v: 3 },
      ],
      [{ i: 6, v: 4 }],
    ]);
    expect(runs([null, null], (v) => v)).toEqual([]);
  });
});

describe("suppression", () => {
  it("draws a suppressed week as a band, never as a value, even if a count came with it", () => {
    const points = [
      week(0, 12),
      week(1, null, { suppressed: true }),
      week(2, 0, { suppressed: true }),
      week(3, 14),
    ];
    expect(points.map(pointKind)).toEqual(["value", "suppressed", "suppressed", "value"]);
    const m = chartModel(points, BOX);
    expect(m.values.map((v) => v.point.week)).toEqual(["2026-W01", "2026-W04"]);
    expect(m.suppressed.map((s) => s.point.week)).toEqual(["2026-W02", "2026-W03"]);
    // Two separate segments: the count line does not cross the suppressed weeks.
    expect(m.countPaths).toHaveLength(2);
    expect(m.countPaths.every((d) => !d.includes("L"))).toBe(true);
    // Bands sit in their week's slot and span the plot's height.
    const slot = (500 - 40 - 10) / 4;
    expect(m.suppressed[0]!.x).toBeCloseTo(40 + slot, 1);
    expect(m.suppressed[0]!.width).toBeCloseTo(slot, 1);
  });

  it("draws a week not published yet as a pending band, never as zero, so the line does not dive", () => {
    const points = [week(0, 30), week(1, 28), week(2, null, { published: false })];
    expect(points.map(pointKind)).toEqual(["value", "value", "pending"]);
    const m = chartModel(points, BOX);
    expect(m.values).toHaveLength(2);
    expect(m.pending.map((p) => p.point.week)).toEqual(["2026-W03"]);
    expect(m.countPaths).toHaveLength(1);
  });

  it("draws a released zero as a value at the baseline, unlike a suppressed week", () => {
    const m = chartModel([week(0, 0), week(1, 11)], BOX);
    expect(m.values).toHaveLength(2);
    expect(m.values[0]!.y).toBe(m.plot.bottom);
    expect(m.suppressed).toHaveLength(0);
  });

  it("marks an alarm on its count, or at the top of the band when the week is suppressed", () => {
    const points = [
      week(0, 20, { c2Alarm: true }),
      week(1, null, { suppressed: true, c3Alarm: true }),
      week(2, 5),
    ];
    const m = chartModel(points, BOX);
    expect(m.alarms.map((a) => a.point.week)).toEqual(["2026-W01", "2026-W02"]);
    expect(m.alarms[0]!.y).toBe(m.values[0]!.y);
    expect(m.alarms[1]!.y).toBe(m.plot.top);
  });

  it("scales to the largest of counts, moving averages and upper bounds, so every line fits", () => {
    const m = chartModel([week(0, 12, { upperBound: 37.5, movingAverage: 10 }), week(1, 13)], BOX);
    expect(m.yTicks.at(-1)!.value).toBe(40);
    expect(m.upperPaths).toHaveLength(1);
    expect(m.averagePaths).toHaveLength(1);
  });
});
