/**
 * The disease model: what brings people to an Indian hospital, by season, age, sex and region.
 * Weights are relative shares of hospital episodes; `season` multiplies them month by month
 * (January first) and is normalized to a mean of 1, so a weight is the yearly share.
 *
 * Seasons follow India's IDSP/NVBDCP surveillance: dengue, chikungunya and malaria peak in and
 * after the monsoon (July–October), influenza and pneumonia in winter, typhoid, cholera,
 * hepatitis A and diarrhoea in summer and the monsoon, heat stroke in May–June, snakebite with
 * the monsoon's paddy work, scrub typhus after it; diabetes, hypertension and TB are steady.
 */
import { SEX } from "../shared/reference/enums.ts";
import { specialtyFromKey } from "../shared/reference/specialties.ts";

export type VitalsProfile =
  | "normal"
  | "fever"
  | "dengue"
  | "hypoxia"
  | "hypertension"
  | "dehydration"
  | "labour"
  | "injury"
  | "cardiac"
  | "hyperthermia";

export interface Disease {
  /** The final ICD-10 code. */
  readonly code: string;
  readonly weight: number;
  /** Monthly multipliers, January first, mean 1. */
  readonly season: readonly number[];
  /** [from, to, multiplier] age bands in years (inclusive); ages outside every band weigh 0. */
  readonly ages: readonly (readonly [number, number, number])[];
  readonly sex?: "female" | "male";
  /** LGD state code → multiplier (malaria's forest belt, leptospirosis on the west coast). */
  readonly regions?: Readonly<Record<number, number>>;
  /** Probability of admission (otherwise a same-day outpatient visit). */
  readonly inpatient: number;
  /** Median length of stay of an admission, days. */
  readonly losDays: number;
  /** Probability that an admitted patient is put on a monitoring device. */
  readonly monitor: number;
  readonly vitals: VitalsProfile;
  /** Specialty keys of shared/reference/specialties.ts, preferred first. */
  readonly specialties: readonly string[];
  /** A working diagnosis recorded first, revised to `code` later (e.g. fever → dengue after the NS1 test). */
  readonly provisional?: { readonly code: string; readonly p: number };
  readonly lab?: boolean;
  readonly imaging?: boolean;
  /** Can cause a local outbreak. */
  readonly outbreak?: boolean;
}

function normalize(months: readonly number[]): readonly number[] {
  const mean = months.reduce((a, b) => a + b, 0) / months.length;
  return Object.freeze(months.map((m) => m / mean));
}

export const SEASONS = {
  flat: normalize([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
  monsoonVector: normalize([0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.4, 2.4, 3.2, 3.0, 1.4, 0.6]),
  malaria: normalize([0.4, 0.3, 0.3, 0.4, 0.6, 1.0, 1.8, 2.3, 2.4, 1.9, 1.0, 0.6]),
  winter: normalize([2.3, 1.9, 1.0, 0.6, 0.4, 0.5, 0.8, 0.8, 0.7, 0.7, 1.2, 2.1]),
  waterBorne: normalize([0.5, 0.5, 0.8, 1.2, 1.6, 1.8, 1.9, 1.7, 1.2, 0.8, 0.5, 0.4]),
  heat: normalize([0.02, 0.02, 0.3, 1.5, 4, 3.5, 0.5, 0.05, 0.02, 0.02, 0.02, 0.02]),
  snakebite: normalize([0.3, 0.3, 0.4, 0.6, 0.9, 1.6, 2.3, 2.2, 1.6, 1.0, 0.5, 0.3]),
  postMonsoon: normalize([0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 1.0, 1.6, 2.2, 2.4, 1.6, 0.8]),
  lateWinterSpring: normalize([1.3, 1.7, 2.0, 1.7, 1.1, 0.6, 0.4, 0.3, 0.3, 0.5, 0.8, 1.0]),
  mildWinter: normalize([1.3, 1.2, 1.0, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 1.0, 1.1, 1.3]),
} as const;

const ALL_AGES = [[0, 120, 1]] as const;
const ADULTS = [[15, 120, 1]] as const;
/** Forest-belt states of NVBDCP's high-burden list: Odisha, Jharkhand, Chhattisgarh, MP, the north-east. */
const MALARIA_BELT = { 21: 5, 20: 3.5, 22: 4.5, 23: 2, 17: 3.5, 16: 3, 15: 4, 12: 2.5, 18: 1.5 };

export const DISEASES: readonly Disease[] = Object.freeze([
  // steady chronic conditions
  {
    code: "E11.9",
    weight: 8,
    season: SEASONS.flat,
    ages: [
      [30, 44, 0.6],
      [45, 120, 1.4],
    ],
    inpatient: 0.08,
    losDays: 3,
    monitor: 0.3,
    vitals: "normal",
    specialties: ["ENDOCRINOLOGY", "GENERAL_MEDICINE"],
    lab: true,
  },
  {
    code: "I10",
    weight: 9,
    season: SEASONS.mildWinter,
    ages: [
      [30, 44, 0.5],
      [45, 120, 1.5],
    ],
    inpatient: 0.07,
    losDays: 2,
    monitor: 0.5,
    vitals: "hypertension",
    specialties: ["GENERAL_MEDICINE", "CARDIOLOGY"],
  },
  {
    code: "A15.0",
    weight: 1.6,
    season: SEASONS.flat,
    ages: [
      [5, 14, 0.3],
      [15, 120, 1],
    ],
    inpatient: 0.3,
    losDays: 10,
    monitor: 0.3,
    vitals: "fever",
    specialties: ["PULMONOLOGY", "GENERAL_MEDICINE"],
    lab: true,
    imaging: true,
  },
  {
    code: "N18.5",
    weight: 0.6,
    season: SEASONS.flat,
    ages: [[40, 120, 1]],
    inpatient: 0.5,
    losDays: 3,
    monitor: 0.6,
    vitals: "hypertension",
    specialties: ["NEPHROLOGY", "GENERAL_MEDICINE"],
    lab: true,
  },
  {
    code: "D50.9",
    weight: 2,
    season: SEASONS.flat,
    ages: [
      [0, 14, 1.2],
      [15, 49, 1],
      [50, 120, 0.5],
    ],
    inpatient: 0.1,
    losDays: 2,
    monitor: 0.2,
    vitals: "normal",
    specialties: ["GENERAL_MEDICINE", "PAEDIATRICS"],
    lab: true,
  },
  // vector-borne, monsoon
  {
    code: "A90",
    weight: 3,
    season: SEASONS.monsoonVector,
    ages: ALL_AGES,
    inpatient: 0.55,
    losDays: 4,
    monitor: 0.7,
    vitals: "dengue",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES", "PAEDIATRICS"],
    provisional: { code: "R50.9", p: 0.5 },
    lab: true,
    outbreak: true,
  },
  {
    code: "A92.0",
    weight: 1,
    season: SEASONS.monsoonVector,
    ages: ADULTS,
    inpatient: 0.2,
    losDays: 3,
    monitor: 0.4,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "R50.9", p: 0.4 },
    lab: true,
    outbreak: true,
  },
  {
    code: "B50.9",
    weight: 0.7,
    season: SEASONS.malaria,
    ages: ALL_AGES,
    regions: MALARIA_BELT,
    inpatient: 0.55,
    losDays: 4,
    monitor: 0.6,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "R50.9", p: 0.4 },
    lab: true,
  },
  {
    code: "B51.9",
    weight: 1.1,
    season: SEASONS.malaria,
    ages: ALL_AGES,
    regions: MALARIA_BELT,
    inpatient: 0.3,
    losDays: 3,
    monitor: 0.4,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "R50.9", p: 0.4 },
    lab: true,
  },
  {
    code: "B54",
    weight: 0.3,
    season: SEASONS.malaria,
    ages: ALL_AGES,
    regions: MALARIA_BELT,
    inpatient: 0.3,
    losDays: 3,
    monitor: 0.4,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE"],
    lab: true,
  },
  {
    code: "A75.3",
    weight: 0.4,
    season: SEASONS.postMonsoon,
    ages: ALL_AGES,
    inpatient: 0.6,
    losDays: 5,
    monitor: 0.6,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "R50.9", p: 0.5 },
    lab: true,
  },
  {
    code: "A27.9",
    weight: 0.3,
    season: SEASONS.monsoonVector,
    ages: ADULTS,
    regions: { 32: 6, 27: 3, 30: 3, 29: 2, 33: 2 },
    inpatient: 0.6,
    losDays: 5,
    monitor: 0.6,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "R50.9", p: 0.5 },
    lab: true,
  },
  // water- and food-borne, summer and monsoon
  {
    code: "A01.0",
    weight: 2.5,
    season: SEASONS.waterBorne,
    ages: [
      [2, 40, 1.3],
      [41, 120, 0.6],
    ],
    inpatient: 0.4,
    losDays: 5,
    monitor: 0.5,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "PAEDIATRICS", "INFECTIOUS_DISEASES"],
    provisional: { code: "R50.9", p: 0.4 },
    lab: true,
    outbreak: true,
  },
  {
    code: "A09",
    weight: 6,
    season: SEASONS.waterBorne,
    ages: [
      [0, 5, 2.5],
      [6, 59, 0.8],
      [60, 120, 1.3],
    ],
    inpatient: 0.3,
    losDays: 2,
    monitor: 0.4,
    vitals: "dehydration",
    specialties: ["GENERAL_MEDICINE", "PAEDIATRICS"],
    outbreak: true,
  },
  {
    code: "A00.9",
    weight: 0.2,
    season: SEASONS.waterBorne,
    ages: ALL_AGES,
    inpatient: 0.7,
    losDays: 3,
    monitor: 0.7,
    vitals: "dehydration",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "A09", p: 0.6 },
    lab: true,
    outbreak: true,
  },
  {
    code: "B15.9",
    weight: 0.6,
    season: SEASONS.waterBorne,
    ages: [
      [2, 30, 1.3],
      [31, 120, 0.4],
    ],
    inpatient: 0.3,
    losDays: 4,
    monitor: 0.3,
    vitals: "fever",
    specialties: ["GASTROENTEROLOGY", "GENERAL_MEDICINE", "PAEDIATRICS"],
    lab: true,
    outbreak: true,
  },
  // respiratory, winter
  {
    code: "J11.1",
    weight: 4,
    season: SEASONS.winter,
    ages: ALL_AGES,
    inpatient: 0.1,
    losDays: 3,
    monitor: 0.5,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "PAEDIATRICS", "FAMILY_MEDICINE"],
    outbreak: true,
  },
  {
    code: "J10.1",
    weight: 1,
    season: SEASONS.winter,
    ages: ALL_AGES,
    inpatient: 0.3,
    losDays: 4,
    monitor: 0.6,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "INFECTIOUS_DISEASES"],
    provisional: { code: "J11.1", p: 0.7 },
    lab: true,
  },
  {
    code: "J18.9",
    weight: 4,
    season: SEASONS.winter,
    ages: [
      [0, 4, 2.5],
      [5, 59, 0.6],
      [60, 120, 2.5],
    ],
    inpatient: 0.8,
    losDays: 6,
    monitor: 0.8,
    vitals: "hypoxia",
    specialties: ["PULMONOLOGY", "GENERAL_MEDICINE", "PAEDIATRICS"],
    provisional: { code: "J22", p: 0.2 },
    imaging: true,
    lab: true,
  },
  {
    code: "J45.9",
    weight: 1.5,
    season: SEASONS.mildWinter,
    ages: [[3, 120, 1]],
    inpatient: 0.2,
    losDays: 2,
    monitor: 0.5,
    vitals: "hypoxia",
    specialties: ["PULMONOLOGY", "GENERAL_MEDICINE"],
  },
  {
    code: "J44.1",
    weight: 1.5,
    season: SEASONS.winter,
    ages: [[45, 120, 1]],
    inpatient: 0.6,
    losDays: 5,
    monitor: 0.7,
    vitals: "hypoxia",
    specialties: ["PULMONOLOGY", "GENERAL_MEDICINE"],
    imaging: true,
  },
  {
    code: "U07.1",
    weight: 0.4,
    season: SEASONS.winter,
    ages: ALL_AGES,
    inpatient: 0.4,
    losDays: 6,
    monitor: 0.8,
    vitals: "hypoxia",
    specialties: ["GENERAL_MEDICINE", "PULMONOLOGY"],
    provisional: { code: "J11.1", p: 0.4 },
    lab: true,
  },
  {
    code: "B05.9",
    weight: 0.3,
    season: SEASONS.lateWinterSpring,
    ages: [
      [0, 9, 1],
      [10, 19, 0.3],
    ],
    inpatient: 0.2,
    losDays: 3,
    monitor: 0.3,
    vitals: "fever",
    specialties: ["PAEDIATRICS"],
    outbreak: true,
  },
  // maternity
  {
    code: "O80",
    weight: 4,
    season: SEASONS.flat,
    ages: [
      [18, 24, 1.3],
      [25, 34, 1],
      [35, 42, 0.25],
    ],
    sex: "female",
    inpatient: 1,
    losDays: 2,
    monitor: 0.5,
    vitals: "labour",
    specialties: ["OBSTETRICS_GYNAECOLOGY"],
  },
  {
    code: "O82",
    weight: 1.8,
    season: SEASONS.flat,
    ages: [
      [20, 34, 1],
      [35, 42, 0.6],
    ],
    sex: "female",
    inpatient: 1,
    losDays: 4,
    monitor: 0.7,
    vitals: "labour",
    specialties: ["OBSTETRICS_GYNAECOLOGY"],
    provisional: { code: "O80", p: 0.15 },
  },
  // injuries and environment
  {
    code: "S72.0",
    weight: 0.8,
    season: SEASONS.flat,
    ages: [
      [50, 64, 0.4],
      [65, 120, 1.5],
    ],
    inpatient: 1,
    losDays: 7,
    monitor: 0.5,
    vitals: "injury",
    specialties: ["ORTHOPAEDICS"],
    imaging: true,
  },
  {
    code: "S06.0",
    weight: 0.8,
    season: SEASONS.flat,
    ages: [
      [5, 14, 0.6],
      [15, 60, 1.3],
      [61, 120, 0.6],
    ],
    inpatient: 0.6,
    losDays: 2,
    monitor: 0.7,
    vitals: "injury",
    specialties: ["EMERGENCY_MEDICINE", "NEUROSURGERY", "GENERAL_SURGERY"],
    imaging: true,
  },
  {
    code: "S52.5",
    weight: 1.2,
    season: SEASONS.flat,
    ages: [
      [5, 19, 1.5],
      [20, 120, 0.8],
    ],
    inpatient: 0.15,
    losDays: 2,
    monitor: 0.2,
    vitals: "injury",
    specialties: ["ORTHOPAEDICS", "EMERGENCY_MEDICINE"],
    imaging: true,
  },
  {
    code: "T63.0",
    weight: 0.5,
    season: SEASONS.snakebite,
    ages: [[5, 70, 1]],
    inpatient: 0.9,
    losDays: 3,
    monitor: 0.7,
    vitals: "injury",
    specialties: ["EMERGENCY_MEDICINE", "GENERAL_MEDICINE"],
  },
  {
    code: "T67.0",
    weight: 0.4,
    season: SEASONS.heat,
    ages: [
      [15, 59, 1],
      [60, 120, 1.8],
    ],
    inpatient: 0.6,
    losDays: 2,
    monitor: 0.8,
    vitals: "hyperthermia",
    specialties: ["EMERGENCY_MEDICINE", "GENERAL_MEDICINE"],
  },
  // other common admissions and visits
  {
    code: "I21.9",
    weight: 0.8,
    season: SEASONS.mildWinter,
    ages: [
      [35, 49, 0.5],
      [50, 120, 1.5],
    ],
    inpatient: 1,
    losDays: 5,
    monitor: 0.95,
    vitals: "cardiac",
    specialties: ["CARDIOLOGY", "GENERAL_MEDICINE"],
    provisional: { code: "I20.0", p: 0.3 },
    lab: true,
  },
  {
    code: "I63.9",
    weight: 0.7,
    season: SEASONS.mildWinter,
    ages: [
      [40, 59, 0.5],
      [60, 120, 1.5],
    ],
    inpatient: 1,
    losDays: 7,
    monitor: 0.8,
    vitals: "hypertension",
    specialties: ["NEUROLOGY", "GENERAL_MEDICINE"],
    imaging: true,
  },
  {
    code: "N39.0",
    weight: 2.5,
    season: normalize([0.8, 0.8, 1, 1.2, 1.3, 1.2, 1, 1, 1, 0.9, 0.8, 0.8]),
    ages: [[1, 120, 1]],
    inpatient: 0.1,
    losDays: 3,
    monitor: 0.3,
    vitals: "fever",
    specialties: ["GENERAL_MEDICINE", "UROLOGY"],
    lab: true,
  },
  {
    code: "K35.8",
    weight: 0.7,
    season: SEASONS.flat,
    ages: [
      [8, 40, 1],
      [41, 70, 0.3],
    ],
    inpatient: 1,
    losDays: 3,
    monitor: 0.4,
    vitals: "fever",
    specialties: ["GENERAL_SURGERY"],
    provisional: { code: "R10.3", p: 0.4 },
    imaging: true,
  },
  {
    code: "K29.7",
    weight: 2,
    season: SEASONS.flat,
    ages: ADULTS,
    inpatient: 0.05,
    losDays: 1,
    monitor: 0.1,
    vitals: "normal",
    specialties: ["GENERAL_MEDICINE", "GASTROENTEROLOGY"],
  },
  {
    code: "L03.1",
    weight: 0.8,
    season: normalize([0.8, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.2, 1.1, 1, 0.8, 0.8]),
    ages: ALL_AGES,
    inpatient: 0.25,
    losDays: 4,
    monitor: 0.3,
    vitals: "fever",
    specialties: ["GENERAL_SURGERY", "DERMATOLOGY"],
  },
  {
    code: "F32.9",
    weight: 0.8,
    season: SEASONS.flat,
    ages: ADULTS,
    inpatient: 0.05,
    losDays: 7,
    monitor: 0,
    vitals: "normal",
    specialties: ["PSYCHIATRY"],
  },
] satisfies Disease[]);

/** Diseases that can cause a local outbreak. */
export const OUTBREAK_DISEASES: readonly Disease[] = DISEASES.filter((d) => d.outbreak === true);

export function diseaseByCode(code: string): Disease | undefined {
  return DISEASES.find((d) => d.code === code);
}

export function ageFactor(disease: Disease, ageYears: number): number {
  for (const [from, to, multiplier] of disease.ages) {
    if (ageYears >= from && ageYears <= to) return multiplier;
  }
  return 0;
}

export function sexAllows(disease: Disease, sex: number): boolean {
  if (disease.sex === "female") return sex === SEX.FEMALE;
  if (disease.sex === "male") return sex === SEX.MALE;
  return true;
}

/** How likely this disease is for this patient in this month (0-based) and state. */
export function diseaseWeight(
  disease: Disease,
  ageYears: number,
  sex: number,
  month: number,
  stateCode: number,
): number {
  if (!sexAllows(disease, sex)) return 0;
  const regional = disease.regions?.[stateCode] ?? 1;
  return disease.weight * (disease.season[month] ?? 1) * ageFactor(disease, ageYears) * regional;
}

/** Specialty codes of a disease, preferred first. */
export function specialtyCodesOf(disease: Disease): number[] {
  return disease.specialties.map((key) => {
    const specialty = specialtyFromKey(key);
    if (!specialty) throw new Error(`unknown specialty key ${key} for ${disease.code}`);
    return specialty.code;
  });
}
