import { describe, expect, it } from "vitest";
import { EARS_WEEKLY, earsScores } from "../../graphql/analytics/trends/ears.ts";
import { trailingMovingAverage } from "../../graphql/analytics/trends/moving-average.ts";

const STEADY = [20, 22, 19, 21, 20, 23, 18, 20, 21, 22, 19, 20, 21, 20, 22, 21, 19, 20];

describe("EARS C2", () => {
  it("raises no alarm on a steady series", () => {
    const scores = earsScores(STEADY);
    expect(scores.some((s) => s?.c2Alarm === true)).toBe(false);
    expect(scores.some((s) => s?.c3Alarm === true)).toBe(false);
  });

  it("flags a planted outbreak week, because it exceeds the baseline mean by more than 3 SD", () => {
    const series = [...STEADY.slice(0, 14), 60, ...STEADY.slice(15)];
    const scores = earsScores(series);
    expect(scores[14]?.c2Alarm).toBe(true);
    expect(scores[14]!.upperBound).toBeLessThan(60);
    expect(scores.filter((s) => s?.c2Alarm).length).toBe(1);
  });

  it("keeps the outbreak out of the next weeks' baselines (2-week lag), so a second outbreak week is flagged too", () => {
    const series = [...STEADY.slice(0, 14), 60, 58, ...STEADY.slice(16)];
    const scores = earsScores(series);
    expect(scores[14]?.c2Alarm).toBe(true);
    expect(scores[15]?.c2Alarm).toBe(true);
  });

  it("scores from week 10 on (7 baseline weeks ending 2 weeks before)", () => {
    const scores = earsScores(STEADY);
    const firstScored = scores.findIndex((s) => s !== null);
    expect(firstScored).toBe(EARS_WEEKLY.baselineWeeks + EARS_WEEKLY.lagWeeks);
    expect(scores[9]!.expected).toBeCloseTo(STEADY.slice(0, 7).reduce((a, b) => a + b, 0) / 7, 10);
  });

  it("floors the SD at 1 case, so a flat baseline does not flag a rise of one or two cases", () => {
    const flat = Array.from({ length: 12 }, () => 20);
    expect(earsScores([...flat, 22])[12]?.c2Alarm).toBe(false);
    expect(earsScores([...flat, 24])[12]?.c2Alarm).toBe(true);
    expect(earsScores([...flat, 22])[12]?.sd).toBe(EARS_WEEKLY.minSd);
  });

  it("scores only released weeks, with at least 5 released baseline weeks", () => {
    const series: (number | null)[] = [...STEADY];
    series[12] = null;
    for (const i of [2, 3, 4]) series[i] = null;
    const scores = earsScores(series);
    expect(scores[12]).toBeNull();
    // Week 10's baseline (weeks 1-7) lost three weeks: 4 left, fewer than 5.
    expect(scores[10]).toBeNull();
    expect(scores[13]).not.toBeNull();
  });
});

describe("EARS C3", () => {
  it("alarms on a sustained rise that no single week's C2 flags, because it sums the excess over three weeks", () => {
    const noisy = [15, 25, 18, 22, 16, 24, 20, 19, 21, 23, 17, 20];
    const scores = earsScores([...noisy, 27, 28]);
    expect(scores[12]?.c2Alarm).toBe(false);
    expect(scores[13]?.c2Alarm).toBe(false);
    expect(scores[12]?.c3Alarm).toBe(false);
    expect(scores[13]?.c3Alarm).toBe(true);
  });
});

describe("moving average", () => {
  it("averages the trailing weeks and is null where a week in the window was suppressed", () => {
    expect(trailingMovingAverage([3, 6, 9, 12], 3)).toEqual([null, null, 6, 9]);
    expect(trailingMovingAverage([12, null, 15, 18, 21], 2)).toEqual([null, null, null, 16.5, 19.5]);
  });
});
