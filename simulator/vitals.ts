/**
 * Plausible vital signs: a baseline for the patient's age, shifted by the illness (fever for
 * infections, low SpO2 for pneumonia, high blood pressure for hypertension, tachycardia and low
 * pressure for dehydration…), easing as the stay goes on, with a diurnal temperature swing and
 * noise. Values are the contract's scaled integers, always inside its bounds.
 */
import type { Vitals } from "../sdk/encoders/vitals.ts";
import type { VitalsProfile } from "./diseases.ts";
import type { DeviceKind } from "./model.ts";
import type { Rng } from "./prng.ts";

/** One reading: the contract's Vitals tuple, as the SDK encodes it. */
export type Reading = Vitals;

export interface VitalsContext {
  profile: VitalsProfile;
  ageYears: number;
  /** Unix seconds. */
  admittedAt: number;
  /** Expected discharge, unix seconds: the illness eases towards it. */
  dischargeAt: number;
}

interface Shift {
  temp: number;
  hr: number;
  sys: number;
  dia: number;
  spo2: number;
}

/** The shift at full severity, per profile. */
const SHIFTS: Record<VitalsProfile, Shift> = {
  normal: { temp: 0, hr: 0, sys: 0, dia: 0, spo2: 0 },
  fever: { temp: 2.0, hr: 18, sys: -4, dia: -3, spo2: -1 },
  dengue: { temp: 2.2, hr: 20, sys: -16, dia: -8, spo2: -1 },
  hypoxia: { temp: 1.2, hr: 20, sys: 0, dia: 0, spo2: -8 },
  hypertension: { temp: 0, hr: 6, sys: 42, dia: 22, spo2: 0 },
  dehydration: { temp: 0.7, hr: 26, sys: -20, dia: -10, spo2: 0 },
  labour: { temp: 0.3, hr: 16, sys: 8, dia: 5, spo2: 0 },
  injury: { temp: 0.3, hr: 16, sys: 6, dia: 4, spo2: -1 },
  cardiac: { temp: 0, hr: 22, sys: -8, dia: -4, spo2: -3 },
  hyperthermia: { temp: 3.4, hr: 34, sys: -12, dia: -8, spo2: -2 },
};

function baseline(ageYears: number): { hr: number; sys: number; dia: number } {
  if (ageYears < 1) return { hr: 132, sys: 80, dia: 48 };
  if (ageYears < 3) return { hr: 115, sys: 90, dia: 55 };
  if (ageYears < 6) return { hr: 102, sys: 96, dia: 60 };
  if (ageYears < 13) return { hr: 90, sys: 104, dia: 65 };
  if (ageYears < 18) return { hr: 80, sys: 112, dia: 70 };
  return { hr: 76, sys: 112 + 0.45 * (ageYears - 18), dia: 72 + 0.12 * (ageYears - 18) };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/** 1 at admission, easing to 0 at 70 % of the expected stay (chronic conditions never fully). */
export function severityAt(ctx: VitalsContext, at: number): number {
  const span = Math.max(3600, ctx.dischargeAt - ctx.admittedAt);
  const progress = (at - ctx.admittedAt) / (0.7 * span);
  const floor = ctx.profile === "hypertension" ? 0.35 : 0;
  return Math.max(floor, 1 - Math.max(0, progress));
}

/** One reading at `at` (unix seconds); an oximeter measures only heart rate and SpO2. */
export function reading(
  rng: Rng,
  ctx: VitalsContext,
  at: number,
  kind: DeviceKind | "full",
  withPressure = true,
): Reading {
  const s = severityAt(ctx, at);
  const shift = SHIFTS[ctx.profile];
  const base = baseline(ctx.ageYears);
  // Temperature peaks in the evening: +0.3 °C swing around 18:00 IST.
  const hourIst = Math.floor(((at + 19_800) % 86_400) / 3600);
  const diurnal = 0.3 * Math.cos(((hourIst - 18) / 24) * 2 * Math.PI);
  const temp = 36.8 + diurnal * (0.5 + s) + shift.temp * s + rng.normal(0, 0.15);
  const hr = base.hr + shift.hr * s + Math.max(0, temp - 37.2) * 8 + rng.normal(0, 5);
  const sys = base.sys + shift.sys * s + rng.normal(0, 6);
  const dia = base.dia + shift.dia * s + rng.normal(0, 4);
  const spo2 = 97.8 + shift.spo2 * s + rng.normal(0, 0.7);
  const systolic = clamp(sys, 60, 240);
  const diastolic = Math.min(systolic - 15, clamp(dia, 35, 150));
  const oximeter = kind === "oximeter";
  return {
    measuredAt: at,
    temperatureCentiC: oximeter ? 0 : clamp(temp * 100, 3300, 4350),
    systolicMmHg: oximeter || !withPressure ? 0 : systolic,
    diastolicMmHg: oximeter || !withPressure ? 0 : diastolic,
    heartRateBpm: clamp(hr, 35, 220),
    spo2Permille: clamp(spo2 * 10, 700, 1000),
  };
}

/** The readings of one device upload: every `intervalSeconds` after `fromTs` up to `toTs`, jittered. */
export function readingsBetween(
  rng: Rng,
  ctx: VitalsContext,
  kind: DeviceKind,
  fromTs: number,
  toTs: number,
  intervalSeconds: number,
): Reading[] {
  const out: Reading[] = [];
  let index = 0;
  for (let t = fromTs + intervalSeconds; t <= toTs; t += intervalSeconds) {
    const jitter = Math.min(toTs - t, rng.int(0, Math.min(59, Math.floor(intervalSeconds / 4))));
    // A monitor cycles its cuff every fourth reading.
    out.push(reading(rng, ctx, t + jitter, kind, index % 4 === 0));
    index++;
  }
  return out;
}

/** How many readings readingsBetween gives for a window. */
export function readingCount(fromTs: number, toTs: number, intervalSeconds: number): number {
  return toTs - fromTs < intervalSeconds ? 0 : Math.floor((toTs - fromTs) / intervalSeconds);
}
