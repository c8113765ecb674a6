import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/errors.ts";
import {
  BLOOD_GROUP,
  BLOOD_GROUP_SYMBOLS,
  BLOOD_GROUPS,
  bloodGroupFromLabel,
  bloodGroupLabel,
  bloodGroupSymbol,
  celsiusToCentiC,
  centiCToCelsius,
  centiCToFahrenheit,
  FILE_KIND,
  FILE_KINDS,
  fahrenheitToCentiC,
  fileKindFromLabel,
  fileKindLabel,
  isVitalInRange,
  MAX_AGE_DAYS,
  MAX_CID_LENGTH,
  MAX_HEIGHT_CM,
  MAX_NAME_LENGTH,
  MAX_VITALS_BATCH,
  MAX_WEIGHT_GRAMS,
  MEMBER_KIND,
  MEMBER_KINDS,
  MIN_WEIGHT_GRAMS,
  memberKindFromLabel,
  memberKindLabel,
  percentToPermille,
  permilleToPercent,
  SEX,
  SEXES,
  STAGE,
  STAGES,
  sexFromLabel,
  sexLabel,
  stageFromLabel,
  stageLabel,
  VITAL_BOUNDS,
  VITAL_FIELDS,
} from "../../shared/reference/enums.ts";
import { contractConstant, contractEnumComment } from "./contract-constants.ts";

const screaming = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

describe("enums match the contract's uint8 values", () => {
  it("uses the contract's value ranges, because a label table longer or shorter than the contract's breaks decoding", () => {
    expect(SEXES.length - 1).toBe(contractConstant("MAX_SEX"));
    expect(BLOOD_GROUPS.length - 1).toBe(contractConstant("MAX_BLOOD_GROUP"));
    expect(FILE_KINDS.length - 1).toBe(contractConstant("MAX_FILE_KIND"));
    expect(STAGES.length - 1).toBe(contractConstant("STAGE_CLOSED"));
  });

  it("orders labels as the contract's enum comments do", () => {
    expect(contractEnumComment("Sex").map(screaming)).toEqual([...SEXES]);
    expect(contractEnumComment("Stage").map(screaming)).toEqual([...STAGES]);
    expect(contractEnumComment("FileKind").map(screaming)).toEqual([...FILE_KINDS]);
    expect(contractEnumComment("MemberKind").map(screaming)).toEqual([...MEMBER_KINDS]);
    expect(contractEnumComment("BloodGroup")).toEqual([...BLOOD_GROUP_SYMBOLS]);
  });

  it("gives stages and member kinds the values of the contract's named constants", () => {
    for (const label of STAGES) expect(STAGE[label], label).toBe(contractConstant(`STAGE_${label}`));
    for (const label of MEMBER_KINDS)
      expect(MEMBER_KIND[label], label).toBe(contractConstant(`KIND_${label}`));
  });

  it("keeps the label arrays and value objects in step", () => {
    const entries = (labels: readonly string[]) => labels.map((label, i) => [label, i]);
    expect(Object.entries(SEX)).toEqual(entries(SEXES));
    expect(Object.entries(BLOOD_GROUP)).toEqual(entries(BLOOD_GROUPS));
    expect(Object.entries(STAGE)).toEqual(entries(STAGES));
    expect(Object.entries(FILE_KIND)).toEqual(entries(FILE_KINDS));
    expect(Object.entries(MEMBER_KIND)).toEqual(entries(MEMBER_KINDS));
  });
});

describe("label helpers", () => {
  it("round-trips every value through its label", () => {
    STAGES.forEach((label, i) => {
      expect(stageLabel(i)).toBe(label);
      expect(stageFromLabel(label)).toBe(i);
    });
    const tables = [
      [SEXES, sexLabel, sexFromLabel],
      [BLOOD_GROUPS, bloodGroupLabel, bloodGroupFromLabel],
      [FILE_KINDS, fileKindLabel, fileKindFromLabel],
      [MEMBER_KINDS, memberKindLabel, memberKindFromLabel],
    ] as const;
    for (const [labels, toLabel, fromLabel] of tables) {
      labels.forEach((label, i) => {
        expect(toLabel(i)).toBe(label);
        expect(fromLabel(label)).toBe(i);
      });
    }
  });

  it("reads labels as people write them: any case, spaces or hyphens, blood groups as symbols", () => {
    expect(stageFromLabel("in treatment")).toBe(STAGE.IN_TREATMENT);
    expect(stageFromLabel("In-Treatment")).toBe(STAGE.IN_TREATMENT);
    expect(fileKindFromLabel("lab report")).toBe(FILE_KIND.LAB_REPORT);
    expect(sexFromLabel("F")).toBe(SEX.FEMALE);
    expect(bloodGroupFromLabel("AB-")).toBe(BLOOD_GROUP.AB_NEG);
    expect(bloodGroupFromLabel("o+")).toBe(BLOOD_GROUP.O_POS);
    expect(bloodGroupSymbol(BLOOD_GROUP.B_NEG)).toBe("B-");
  });

  it("rejects values and labels the contract would reject, with a ValidationError", () => {
    expect(() => stageLabel(5)).toThrow(ValidationError);
    expect(() => stageLabel(-1)).toThrow(/out of range 0..4/);
    expect(() => sexLabel(1.5)).toThrow(ValidationError);
    expect(() => bloodGroupLabel(9)).toThrow(ValidationError);
    expect(() => stageFromLabel("CURED")).toThrow(/unknown stage "CURED"/);
    expect(() => bloodGroupFromLabel("C+")).toThrow(ValidationError);
  });
});

describe("vitals", () => {
  it("uses the contract's validation bounds", () => {
    expect(VITAL_BOUNDS.temperatureCentiC).toEqual({
      min: contractConstant("MIN_TEMPERATURE_CENTI_C"),
      max: contractConstant("MAX_TEMPERATURE_CENTI_C"),
    });
    expect(VITAL_BOUNDS.systolicMmHg).toEqual({
      min: contractConstant("MIN_SYSTOLIC_MMHG"),
      max: contractConstant("MAX_SYSTOLIC_MMHG"),
    });
    expect(VITAL_BOUNDS.diastolicMmHg).toEqual({
      min: contractConstant("MIN_DIASTOLIC_MMHG"),
      max: contractConstant("MAX_DIASTOLIC_MMHG"),
    });
    expect(VITAL_BOUNDS.heartRateBpm).toEqual({
      min: contractConstant("MIN_HEART_RATE_BPM"),
      max: contractConstant("MAX_HEART_RATE_BPM"),
    });
    expect(VITAL_BOUNDS.spo2Permille).toEqual({
      min: contractConstant("MIN_SPO2_PERMILLE"),
      max: contractConstant("MAX_SPO2_PERMILLE"),
    });
    expect(MAX_HEIGHT_CM).toBe(contractConstant("MAX_HEIGHT_CM"));
    expect(MIN_WEIGHT_GRAMS).toBe(contractConstant("MIN_WEIGHT_GRAMS"));
    expect(MAX_WEIGHT_GRAMS).toBe(contractConstant("MAX_WEIGHT_GRAMS"));
    expect(MAX_AGE_DAYS).toBe(contractConstant("MAX_AGE_DAYS"));
    expect(MAX_CID_LENGTH).toBe(contractConstant("MAX_CID_LENGTH"));
    expect(MAX_NAME_LENGTH).toBe(contractConstant("MAX_NAME_LENGTH"));
    expect(MAX_VITALS_BATCH).toBe(contractConstant("MAX_VITALS_BATCH"));
  });

  it("numbers VitalOutOfRange fields as the contract does, so reverts decode to the right vital", () => {
    expect(VITAL_FIELDS.map((field) => contractConstant(`VITAL_${field}`))).toEqual(
      VITAL_FIELDS.map((_, i) => i),
    );
  });

  it("accepts 0 as not measured and otherwise only integers inside the bounds", () => {
    expect(isVitalInRange("temperatureCentiC", 0)).toBe(true);
    expect(isVitalInRange("temperatureCentiC", 3700)).toBe(true);
    expect(isVitalInRange("temperatureCentiC", 2499)).toBe(false);
    expect(isVitalInRange("spo2Permille", 1000)).toBe(true);
    expect(isVitalInRange("spo2Permille", 1001)).toBe(false);
    expect(isVitalInRange("heartRateBpm", 72.5)).toBe(false);
  });

  it("scales clinical units to the contract's integers", () => {
    expect(celsiusToCentiC(37.2)).toBe(3720);
    expect(celsiusToCentiC(37.15)).toBe(3715);
    expect(centiCToCelsius(3855)).toBe(38.55);
    expect(fahrenheitToCentiC(98.6)).toBe(3700);
    expect(fahrenheitToCentiC(104)).toBe(4000);
    expect(centiCToFahrenheit(3700)).toBeCloseTo(98.6, 10);
    expect(percentToPermille(97.5)).toBe(975);
    expect(permilleToPercent(942)).toBe(94.2);
    expect(() => celsiusToCentiC(Number.NaN)).toThrow(ValidationError);
  });

  it("round-trips every on-chain value through the clinical unit", () => {
    const { temperatureCentiC: t, spo2Permille: s } = VITAL_BOUNDS;
    fc.assert(
      fc.property(
        fc.integer({ min: t.min, max: t.max }),
        fc.integer({ min: s.min, max: s.max }),
        (centiC, permille) => {
          expect(celsiusToCentiC(centiCToCelsius(centiC))).toBe(centiC);
          expect(fahrenheitToCentiC(centiCToFahrenheit(centiC))).toBe(centiC);
          expect(percentToPermille(permilleToPercent(permille))).toBe(permille);
        },
      ),
    );
  });
});
