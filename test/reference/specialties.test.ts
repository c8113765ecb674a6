import { describe, expect, it } from "vitest";
import {
  getSpecialty,
  MAX_SPECIALTY,
  SPECIALTIES,
  specialtyFromKey,
} from "../../shared/reference/specialties.ts";
import { contractConstant } from "./contract-constants.ts";

describe("specialties", () => {
  it("numbers specialties 1..N within the contract's MAX_SPECIALTY, because other codes revert", () => {
    expect(MAX_SPECIALTY).toBe(contractConstant("MAX_SPECIALTY"));
    expect(SPECIALTIES.map((s) => s.code)).toEqual(
      Array.from({ length: SPECIALTIES.length }, (_, i) => i + 1),
    );
    expect(SPECIALTIES.length).toBeLessThanOrEqual(MAX_SPECIALTY);
  });

  it("keeps the codes written on-chain so far, because renumbering would relabel every doctor", () => {
    expect(getSpecialty(1)?.key).toBe("GENERAL_MEDICINE");
    expect(getSpecialty(2)?.key).toBe("PAEDIATRICS");
    expect(getSpecialty(3)?.key).toBe("OBSTETRICS_GYNAECOLOGY");
    expect(getSpecialty(6)?.key).toBe("CARDIOLOGY");
    expect(getSpecialty(21)?.key).toBe("COMMUNITY_MEDICINE");
  });

  it("covers the departments of an Indian district hospital", () => {
    const keys = [
      ...["GENERAL_MEDICINE", "PAEDIATRICS", "OBSTETRICS_GYNAECOLOGY", "GENERAL_SURGERY", "ORTHOPAEDICS"],
      ...["CARDIOLOGY", "PULMONOLOGY", "NEPHROLOGY", "NEUROLOGY", "ENDOCRINOLOGY", "INFECTIOUS_DISEASES"],
      ...["MEDICAL_ONCOLOGY", "PSYCHIATRY", "DERMATOLOGY", "ENT", "OPHTHALMOLOGY", "ANAESTHESIOLOGY"],
      ...["EMERGENCY_MEDICINE", "RADIOLOGY", "PATHOLOGY", "COMMUNITY_MEDICINE"],
    ];
    for (const key of keys) expect(specialtyFromKey(key), key).toBeDefined();
  });

  it("has unique machine keys and names", () => {
    expect(new Set(SPECIALTIES.map((s) => s.key)).size).toBe(SPECIALTIES.length);
    expect(new Set(SPECIALTIES.map((s) => s.name)).size).toBe(SPECIALTIES.length);
    for (const s of SPECIALTIES) expect(s.key).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it("finds specialties by code and by key, and nothing for unassigned codes", () => {
    expect(getSpecialty(6)?.name).toBe("Cardiology");
    expect(specialtyFromKey(" cardiology ")?.code).toBe(6);
    expect(getSpecialty(0)).toBeUndefined();
    expect(getSpecialty(SPECIALTIES.length + 1)).toBeUndefined();
    expect(getSpecialty(65)).toBeUndefined();
    expect(specialtyFromKey("ASTROLOGY")).toBeUndefined();
  });
});
