import { describe, expect, it } from "vitest";
import {
  encodeAdvanceStage,
  encodeAssignDoctor,
  encodeAttachFile,
  encodeMulticall,
  encodeOpenTreatment,
  encodeRecordDiagnosis,
  encodeRecordVitals,
  encodeRecordVitalsBatch,
  encodeRegisterDevice,
  encodeRegisterPatient,
  encodeRevokeMember,
  encodeUnassignDoctor,
  encodeUpdatePatient,
} from "../../sdk/index.ts";
import { getDistrict } from "../../shared/reference/regions.ts";
import { fastCalldata } from "../../simulator/calldata.ts";
import { samplePatient } from "../../simulator/population.ts";
import { createRng } from "../../simulator/prng.ts";
import { reading } from "../../simulator/vitals.ts";

const now = new Date("2026-01-01T00:00:00Z");
const today = Math.floor(now.getTime() / 86_400_000);
const rng = createRng("calldata-test");
const ref = (i: number) => `0x${i.toString(16).padStart(2, "0").repeat(32)}` as const;
const doctor = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as const;
const cids = [
  "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
  "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
];

describe("the simulator's hand-rolled calldata", () => {
  it("equals the SDK encoders' for patients, including birth dates before 1970 (negative int32)", () => {
    const district = getDistrict(77)!;
    for (let i = 1; i <= 60; i++) {
      const profile = samplePatient(rng.fork(i), today, district);
      if (i === 1) profile.birthDate = -12_000;
      expect(fastCalldata.registerPatient(ref(i), profile)).toBe(
        encodeRegisterPatient({ patientRef: ref(i), data: profile }, { now }),
      );
      expect(fastCalldata.updatePatient(ref(i), profile)).toBe(
        encodeUpdatePatient({ patientRef: ref(i), data: profile }, { now }),
      );
    }
  });

  it("equals the SDK encoders' for every treatment call", () => {
    for (const id of [1n, 255n, 2n ** 40n + 7n]) {
      expect(fastCalldata.openTreatment(ref(3))).toBe(encodeOpenTreatment({ patientRef: ref(3) }));
      expect(fastCalldata.assignDoctor(id, doctor)).toBe(encodeAssignDoctor({ treatmentId: id, doctor }));
      expect(fastCalldata.unassignDoctor(id, doctor)).toBe(encodeUnassignDoctor({ treatmentId: id, doctor }));
      for (const icd10 of ["A90", "E11.9", "S72.0", "R50.9"]) {
        expect(fastCalldata.recordDiagnosis(id, icd10)).toBe(
          encodeRecordDiagnosis({ treatmentId: id, icd10 }),
        );
      }
      for (const stage of [1, 2, 3, 4]) {
        expect(fastCalldata.advanceStage(id, stage)).toBe(encodeAdvanceStage({ treatmentId: id, stage }));
      }
      for (const [kind, cid] of cids.entries()) {
        expect(fastCalldata.attachFile(id, kind, cid)).toBe(encodeAttachFile({ treatmentId: id, kind, cid }));
      }
    }
    expect(fastCalldata.registerDevice(doctor, ref(9))).toBe(
      encodeRegisterDevice({ device: doctor, patientRef: ref(9) }),
    );
    expect(fastCalldata.revokeMember(doctor)).toBe(encodeRevokeMember({ account: doctor }));
  });

  it("equals the SDK encoders' for vitals, single and in batches (oximeter readings leave values at 0)", () => {
    const ctx = {
      profile: "dengue" as const,
      ageYears: 34,
      admittedAt: 1_760_000_000,
      dischargeAt: 1_760_300_000,
    };
    const readings = Array.from({ length: 40 }, (_, i) =>
      reading(rng, ctx, ctx.admittedAt + i * 600, i % 3 === 0 ? "oximeter" : "monitor", i % 2 === 0),
    );
    expect(fastCalldata.recordVitals(5n, readings[0]!)).toBe(
      encodeRecordVitals({ treatmentId: 5n, vitals: readings[0]! }, { now }),
    );
    expect(fastCalldata.recordVitalsBatch(5n, readings)).toBe(
      encodeRecordVitalsBatch({ treatmentId: 5n, readings }, { now }),
    );
  });

  it("equals the SDK's multicall encoding for calls of every length", () => {
    const calls = [
      fastCalldata.openTreatment(ref(1)),
      fastCalldata.attachFile(1n, 1, cids[1]!),
      fastCalldata.advanceStage(1n, 2),
      fastCalldata.revokeMember(doctor),
    ];
    expect(fastCalldata.multicall(calls)).toBe(encodeMulticall(calls));
    expect(fastCalldata.multicall(calls.slice(1, 2))).toBe(encodeMulticall(calls.slice(1, 2)));
  });

  it("refuses values the contract would reject instead of encoding them", () => {
    expect(() => fastCalldata.advanceStage(1n, 5)).toThrow(RangeError);
    expect(() => fastCalldata.recordVitalsBatch(1n, [])).toThrow(RangeError);
    expect(() => fastCalldata.attachFile(1n, 1, "")).toThrow(RangeError);
  });
});
