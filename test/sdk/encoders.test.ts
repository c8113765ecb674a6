import { decodeFunctionData, encodeErrorResult, RawContractError } from "viem";
import { describe, expect, it } from "vitest";
import {
  bytes8ToIcd10,
  docTelAbi,
  encodeAdvanceStage,
  encodeAttachFile,
  encodeGrantRole,
  encodeMulticall,
  encodePatientData,
  encodeRecordVitalsBatch,
  encodeRegisterDoctor,
  encodeVitals,
  formatSize,
  icd10ToBytes8,
  REVERT_MESSAGES,
  ROLE_IDS,
  toDocTelError,
} from "../../sdk/index.ts";
import { ValidationError } from "../../shared/errors.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const REF = `0x${"ab".repeat(32)}` as const;
const ADDRESS = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

describe("encodePatientData", () => {
  it("turns labels and an ISO birth date into the contract's tuple", () => {
    expect(
      encodePatientData(
        {
          weightGrams: 3200,
          heightCm: 50,
          sex: "female",
          bloodGroup: "AB-",
          birthDate: "2026-05-30",
          stateCode: 9,
          districtCode: 118,
        },
        { now: NOW },
      ),
    ).toEqual({
      weightGrams: 3200,
      heightCm: 50,
      sex: 1,
      bloodGroup: 6,
      birthDate: 20_603,
      stateCode: 9,
      districtCode: 118,
    });
  });

  it("mirrors the contract's birth-date window: not in the future, not over 150 years ago", () => {
    const base = { weightGrams: 3200, heightCm: 50, sex: 0, bloodGroup: 0, stateCode: 9, districtCode: 118 };
    expect(() => encodePatientData({ ...base, birthDate: "2026-06-02" }, { now: NOW })).toThrow(
      "invalid patient data: birthDate must not be in the future (got 2026-06-02)",
    );
    expect(() => encodePatientData({ ...base, birthDate: "1870-01-01" }, { now: NOW })).toThrow(
      "birthDate must be within the last 150 years (got 1870-01-01)",
    );
    expect(() => encodePatientData({ ...base, birthDate: "1990-02-30" }, { now: NOW })).toThrow(
      'birthDate must be a date as YYYY-MM-DD (got "1990-02-30")',
    );
  });

  it("reports a missing field as missing", () => {
    const error = (() => {
      try {
        encodePatientData({ weightGrams: 3200 } as never, { now: NOW });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.message).toContain("heightCm must be a whole number from 1 cm to 300 cm (got nothing)");
    expect(error?.details.fields).toHaveLength(6);
  });
});

describe("encodeVitals", () => {
  const at = Math.floor(NOW.getTime() / 1000) - 60;

  it("fills unmeasured vitals with 0", () => {
    expect(encodeVitals({ measuredAt: at, spo2Permille: 975 }, { now: NOW })).toEqual({
      measuredAt: at,
      temperatureCentiC: 0,
      systolicMmHg: 0,
      diastolicMmHg: 0,
      heartRateBpm: 0,
      spo2Permille: 975,
    });
  });

  it("refuses what the contract refuses: empty readings, half a blood pressure, out-of-range values", () => {
    expect(() => encodeVitals({ measuredAt: at }, { now: NOW })).toThrow(
      "invalid vitals: must contain at least one measurement",
    );
    expect(() => encodeVitals({ measuredAt: at, systolicMmHg: 120 }, { now: NOW })).toThrow(
      "diastolicMmHg and systolicMmHg form a blood pressure: give both or neither",
    );
    expect(() => encodeVitals({ measuredAt: at, systolicMmHg: 80, diastolicMmHg: 90 }, { now: NOW })).toThrow(
      "diastolicMmHg must be below systolicMmHg (got 90/80)",
    );
    expect(() => encodeVitals({ measuredAt: at, temperatureCentiC: 4600 }, { now: NOW })).toThrow(
      "temperatureCentiC must be 0 (not measured) or a whole number from 2500 (centi-°C) to 4500 (centi-°C) (got 4600)",
    );
    expect(() => encodeVitals({ measuredAt: at + 3600, heartRateBpm: 70 }, { now: NOW })).toThrow(
      "measuredAt must not be in the future",
    );
  });

  it("names bad readings in a batch by index and caps the list in the message", () => {
    const readings = Array.from({ length: 9 }, () => ({ measuredAt: at, heartRateBpm: 999 }));
    expect(() => encodeRecordVitalsBatch({ treatmentId: 1, readings }, { now: NOW })).toThrow(
      /^invalid vitals: readings\[0\]\.heartRateBpm .*readings\[4\]\.heartRateBpm [^;]*; and 4 more$/,
    );
    const tooMany = Array.from({ length: 513 }, () => ({ measuredAt: at, heartRateBpm: 70 }));
    expect(() => encodeRecordVitalsBatch({ treatmentId: 1, readings: tooMany }, { now: NOW })).toThrow(
      "a batch holds at most 512 readings (got 513)",
    );
  });
});

describe("calldata encoders", () => {
  it("encode ICD-10 codes as left-aligned bytes8", () => {
    expect(icd10ToBytes8("e11.9")).toBe("0x4531312e39000000");
    expect(icd10ToBytes8("A90")).toBe("0x4139300000000000");
    expect(bytes8ToIcd10("0x4531312e39000000")).toBe("E11.9");
  });

  it("encode stages, file kinds, roles and specialties by label", () => {
    const stage = decodeFunctionData({
      abi: docTelAbi,
      data: encodeAdvanceStage({ treatmentId: "7", stage: "discharged" }),
    });
    expect(stage.args).toEqual([7n, 3]);
    const cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    const attach = decodeFunctionData({
      abi: docTelAbi,
      data: encodeAttachFile({ treatmentId: 1, kind: "lab report", cid }),
    });
    expect(attach.args).toEqual([1n, 1, cid]);
    const grant = decodeFunctionData({
      abi: docTelAbi,
      data: encodeGrantRole({ role: "public-health", account: ADDRESS }),
    });
    expect(grant.args?.[0]).toBe(ROLE_IDS.PUBLIC_HEALTH);
    const doctor = decodeFunctionData({
      abi: docTelAbi,
      data: encodeRegisterDoctor({ account: ADDRESS, personRef: REF, specialty: "cardiology" }),
    });
    expect(doctor.args?.[2]).toBe(6);
  });

  it("refuse a malformed CID, address or id with the field's name", () => {
    expect(() => encodeAttachFile({ treatmentId: 0, kind: "X" as "OTHER", cid: "not-a-cid" })).toThrow(
      'invalid file attachment: treatmentId must be a whole number from 1 (got 0); kind must be one of PRESCRIPTION, LAB_REPORT, IMAGING, DISCHARGE_SUMMARY, OTHER (got "X"); cid must be a CID such as bafy… (got "not-a-cid")',
    );
    expect(() => encodeGrantRole({ role: "ADMIN", account: "0x12" as `0x${string}` })).toThrow(
      'invalid role grant: role must be one of ANALYST, PUBLIC_HEALTH, AUDITOR (got "ADMIN"); account must be a 0x-prefixed 20-byte address (got "0x12")',
    );
  });

  it("wraps calls into one multicall", () => {
    const inner = encodeAdvanceStage({ treatmentId: 1, stage: 1 });
    const outer = decodeFunctionData({ abi: docTelAbi, data: encodeMulticall([inner, inner]) });
    expect(outer.functionName).toBe("multicall");
    expect(outer.args?.[0]).toEqual([inner, inner]);
    expect(() => encodeMulticall([])).toThrow("invalid multicall: give at least one call");
  });
});

describe("revert decoding", () => {
  it("has a message for every custom error in the ABI", () => {
    const names = docTelAbi.filter((item) => item.type === "error").map((item) => item.name);
    expect(names.filter((name) => !(name in REVERT_MESSAGES))).toEqual([]);
  });

  it("decodes VitalOutOfRange with the field's name and its range", () => {
    const data = encodeErrorResult({ abi: docTelAbi, errorName: "VitalOutOfRange", args: [1, 350n] });
    const error = toDocTelError(new RawContractError({ data }), { action: "recordVitals" });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      "systolicMmHg 350 is out of range (allowed 40-300 mmHg; a blood pressure needs both values, diastolic below systolic)",
    );
  });
});

describe("formatSize", () => {
  it("prints sizes the way the limit message does", () => {
    expect(formatSize(Math.ceil(61.2 * 1024 * 1024))).toBe("61.2 MiB");
    expect(formatSize(50 * 1024 * 1024)).toBe("50 MiB");
    expect(formatSize(1536)).toBe("1.5 KiB");
    expect(formatSize(12)).toBe("12 bytes");
  });
});
