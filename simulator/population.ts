/**
 * Synthetic patients with India's demographics: age from the Census 2011 age pyramid, sex from
 * its sex ratio, blood group from Indian blood-donor frequencies, height and weight plausible for
 * age and sex, and a district of residence near the hospital they attend.
 */
import { BLOOD_GROUP, SEX } from "../shared/reference/enums.ts";
import { type District, districtsOf } from "../shared/reference/regions.ts";
import type { Rng } from "./prng.ts";

/**
 * Census of India 2011, table C-13 (single-year age data, grouped): share of the population in
 * each 5-year band, 0-4 … 75-79, then 80+ (read as 80-99).
 */
export const AGE_PYRAMID_2011: readonly { from: number; to: number; share: number }[] = [
  { from: 0, to: 4, share: 9.7 },
  { from: 5, to: 9, share: 10.5 },
  { from: 10, to: 14, share: 10.9 },
  { from: 15, to: 19, share: 9.9 },
  { from: 20, to: 24, share: 9.3 },
  { from: 25, to: 29, share: 8.6 },
  { from: 30, to: 34, share: 7.6 },
  { from: 35, to: 39, share: 7.2 },
  { from: 40, to: 44, share: 6.1 },
  { from: 45, to: 49, share: 5.4 },
  { from: 50, to: 54, share: 4.3 },
  { from: 55, to: 59, share: 3.4 },
  { from: 60, to: 64, share: 3.0 },
  { from: 65, to: 69, share: 2.2 },
  { from: 70, to: 74, share: 1.5 },
  { from: 75, to: 79, share: 0.8 },
  { from: 80, to: 99, share: 0.9 },
];

/** Census 2011: 943 females per 1,000 males; 0.04 % recorded as "other". */
export const FEMALE_SHARE = 943 / 1943;
export const OTHER_SEX_SHARE = 0.0004;

/** ABO/Rh frequencies (%) from large Indian blood-donor studies; sums to 100. */
export const BLOOD_GROUP_SHARES: readonly [group: number, share: number][] = [
  [BLOOD_GROUP.B_POS, 32.1],
  [BLOOD_GROUP.O_POS, 32.5],
  [BLOOD_GROUP.A_POS, 22.4],
  [BLOOD_GROUP.AB_POS, 7.7],
  [BLOOD_GROUP.B_NEG, 1.8],
  [BLOOD_GROUP.O_NEG, 2.0],
  [BLOOD_GROUP.A_NEG, 1.1],
  [BLOOD_GROUP.AB_NEG, 0.4],
];

/**
 * Mean height (cm) and weight (kg) by age, after the IAP 2015 growth charts for Indian children
 * and NFHS-5 adult means; sd as a fraction of the mean. Linear between the knots.
 */
const GROWTH: readonly { age: number; hM: number; hF: number; wM: number; wF: number }[] = [
  { age: 0, hM: 50, hF: 49, wM: 3.0, wF: 2.9 },
  { age: 1, hM: 76, hF: 74, wM: 9.6, wF: 8.9 },
  { age: 2, hM: 87, hF: 86, wM: 12.2, wF: 11.5 },
  { age: 5, hM: 109, hF: 108, wM: 17.7, wF: 17.0 },
  { age: 10, hM: 137, hF: 138, wM: 30, wF: 31 },
  { age: 15, hM: 164, hF: 155, wM: 50, wF: 46 },
  { age: 18, hM: 168, hF: 155, wM: 57, wF: 49 },
  { age: 30, hM: 166, hF: 153, wM: 64, wF: 55 },
  { age: 50, hM: 165, hF: 152, wM: 66, wF: 57 },
  { age: 70, hM: 162, hF: 149, wM: 60, wF: 51 },
  { age: 100, hM: 159, hF: 146, wM: 55, wF: 46 },
];

function growthAt(ageYears: number, female: boolean): { height: number; weight: number } {
  let lower = GROWTH[0]!;
  let upper = GROWTH[GROWTH.length - 1]!;
  for (let i = 1; i < GROWTH.length; i++) {
    if (GROWTH[i]!.age >= ageYears) {
      lower = GROWTH[i - 1]!;
      upper = GROWTH[i]!;
      break;
    }
  }
  const span = upper.age - lower.age;
  const f = span === 0 ? 0 : Math.min(1, Math.max(0, (ageYears - lower.age) / span));
  const lerp = (a: number, b: number) => a + (b - a) * f;
  return female
    ? { height: lerp(lower.hF, upper.hF), weight: lerp(lower.wF, upper.wF) }
    : { height: lerp(lower.hM, upper.hM), weight: lerp(lower.wM, upper.wM) };
}

export function sampleAgeDays(rng: Rng): number {
  const band = rng.weighted(
    AGE_PYRAMID_2011,
    AGE_PYRAMID_2011.map((b) => b.share),
  );
  const years = rng.int(band.from, band.to);
  return years * 365 + rng.int(0, 364);
}

export function sampleSex(rng: Rng): number {
  const x = rng.next();
  if (x < OTHER_SEX_SHARE) return SEX.OTHER;
  return x < OTHER_SEX_SHARE + FEMALE_SHARE ? SEX.FEMALE : SEX.MALE;
}

export function sampleBloodGroup(rng: Rng): number {
  return rng.weighted(
    BLOOD_GROUP_SHARES.map(([g]) => g),
    BLOOD_GROUP_SHARES.map(([, s]) => s),
  );
}

/** Height (cm) and weight (g) for an age and sex, with individual variation. */
export function sampleBody(
  rng: Rng,
  ageDays: number,
  sex: number,
): { heightCm: number; weightGrams: number } {
  const ageYears = ageDays / 365;
  const female = sex === SEX.FEMALE || (sex === SEX.OTHER && rng.chance(0.5));
  const mean = growthAt(ageYears, female);
  const heightCm = Math.round(Math.min(210, Math.max(40, rng.normal(mean.height, mean.height * 0.04))));
  // Weight follows height (a taller person of the same age is heavier), then varies log-normally.
  const heightFactor = (heightCm / mean.height) ** 2;
  const kg = mean.weight * heightFactor * Math.exp(rng.normal(0, ageYears < 2 ? 0.1 : 0.16));
  const weightGrams = Math.round(Math.min(180_000, Math.max(1_500, kg * 1000)) / 10) * 10;
  return { heightCm, weightGrams };
}

/**
 * Where a patient of this hospital lives: mostly its own district, otherwise another district of
 * the same state (weighted by population).
 */
export function sampleResidence(rng: Rng, hospitalDistrict: District, sameDistrictShare = 0.75): District {
  if (rng.chance(sameDistrictShare)) return hospitalDistrict;
  const others = districtsOf(hospitalDistrict.stateCode).filter((d) => d.code !== hospitalDistrict.code);
  if (others.length === 0) return hospitalDistrict;
  return rng.weighted(
    others,
    others.map((d) => d.population2011 ?? 500_000),
  );
}

export interface PatientProfile {
  sex: number;
  bloodGroup: number;
  /** Days since 1970-01-01. */
  birthDate: number;
  heightCm: number;
  weightGrams: number;
  stateCode: number;
  districtCode: number;
}

/** A patient as of `onDay` (epoch day): demographics drawn from the tables above. */
export function samplePatient(rng: Rng, onDay: number, hospitalDistrict: District): PatientProfile {
  const ageDays = sampleAgeDays(rng);
  const sex = sampleSex(rng);
  const body = sampleBody(rng, ageDays, sex);
  const home = sampleResidence(rng, hospitalDistrict);
  return {
    sex,
    bloodGroup: sampleBloodGroup(rng),
    birthDate: onDay - ageDays,
    ...body,
    stateCode: home.stateCode,
    districtCode: home.code,
  };
}
