import { describe, expect, it } from "vitest";
import {
  asciiOfBytes32,
  describeMember,
  fileKindName,
  formatLocalTime,
  readableEvent,
  stageName,
} from "../../dashboards/web/src/views/hospital/event-args.ts";

const icd = (code: string) => `0x${Buffer.from(code).toString("hex")}${"00".repeat(8 - code.length)}`;

describe("timeline events as a clinician reads them", () => {
  it("shows an ICD-10 code stored as bytes as its text and name", () => {
    expect(asciiOfBytes32(`0x${Buffer.from("E11.9").toString("hex")}${"00".repeat(27)}`)).toBe("E11.9");
    expect(asciiOfBytes32("0x00ff")).toBeNull();
    expect(asciiOfBytes32("0x4100ff")).toBeNull();
    const diagnosis = readableEvent({
      name: "DiagnosisRecorded",
      args: { icd10: icd("A90"), treatmentId: "4" },
    });
    expect(diagnosis.title).toBe("Diagnosis recorded");
    expect(diagnosis.detail).toMatch(/^A90 Dengue/);
  });

  it("shows vitals in °C, mmHg, bpm and %, leaving out values not measured (0), never contract units", () => {
    const { detail } = readableEvent(
      {
        name: "VitalsRecorded",
        args: {
          temperatureCentiC: 3661,
          systolicMmHg: 120,
          diastolicMmHg: 80,
          heartRateBpm: 0,
          spo2Permille: 976,
          measuredAt: 1794690000,
        },
      },
      { timeZone: "Asia/Kolkata" },
    );
    expect(detail).toContain("36.6 °C");
    expect(detail).toContain("BP 120/80 mmHg");
    expect(detail).toContain("SpO₂ 97.6 %");
    expect(detail).not.toContain("bpm");
    expect(detail).not.toMatch(/Centi|Permille|1794690000/);
    expect(detail).toMatch(/measured .*2026.*IST/);
  });

  it("names stages and file kinds, and shows times in the zone it is given", () => {
    expect(readableEvent({ name: "StageAdvanced", args: { fromStage: 0, toStage: 1 } }).detail).toBe(
      "Admitted → Diagnosed",
    );
    expect(stageName("IN_TREATMENT")).toBe("In treatment");
    expect(fileKindName(1)).toBe("Lab report");
    expect(readableEvent({ name: "FileAttached", args: { kind: 3, cid: "bafy" } }).detail).toBe(
      "Discharge summary",
    );
    expect(formatLocalTime("2026-03-01T10:00:00Z", "Asia/Kolkata")).toMatch(/15:30 IST/);
    expect(formatLocalTime("2026-03-01T10:00:00Z", "UTC")).toMatch(/10:00 UTC/);
  });

  it("names an actor by role, specialty and hospital instead of an address", () => {
    expect(
      describeMember({
        kind: "DOCTOR",
        hospital: { name: "Civil Hospital Pune" },
        specialty: { name: "Cardiology" },
      }),
    ).toBe("Doctor (Cardiology), Civil Hospital Pune");
    expect(describeMember({ kind: "STAFF", hospital: { name: "X" }, specialty: null })).toBe("Staff, X");
    expect(describeMember(null)).toBeNull();
  });
});
