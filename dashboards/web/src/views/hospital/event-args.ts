/**
 * A timeline event as a clinician reads it (pure): its name in words, its fields in °C, mmHg,
 * bpm and %, stage and file-kind names, times in the viewer's zone, and who acted (role,
 * hospital, specialty) instead of an address.
 */
import { FILE_KINDS, STAGES } from "../../../../../shared/reference/enums.ts";
import { icd10Name } from "../../../../../shared/reference/icd10-names.ts";
import { formatLocalTime } from "../../ui/format.ts";

export { formatLocalTime };

/** bytes32 text fields (an ICD-10 code) arrive as hex: ASCII padded with zero bytes. */
export function asciiOfBytes32(value: string): string | null {
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(value)) return null;
  const bytes = value
    .slice(2)
    .match(/../g)!
    .map((h) => Number.parseInt(h, 16));
  const end = bytes.indexOf(0) === -1 ? bytes.length : bytes.indexOf(0);
  const text = bytes.slice(0, end);
  if (text.length === 0 || bytes.slice(end).some((b) => b !== 0)) return null;
  return text.every((b) => b >= 0x20 && b < 0x7f) ? String.fromCharCode(...text) : null;
}

export interface MemberLike {
  kind: "STAFF" | "DOCTOR" | "DEVICE";
  hospital: { name: string };
  specialty: { name: string } | null;
}

/** "Doctor (Cardiology), District Hospital Pune"; "Staff, …"; "Device, …". */
export function describeMember(member: MemberLike | null | undefined): string | null {
  if (!member) return null;
  const role =
    member.kind === "DOCTOR"
      ? `Doctor${member.specialty ? ` (${member.specialty.name})` : ""}`
      : member.kind === "STAFF"
        ? "Staff"
        : "Monitoring device";
  return `${role}, ${member.hospital.name}`;
}

/** "Admitted", "In treatment": a stage's number or label in words. */
export function stageName(value: unknown): string {
  const label = typeof value === "number" ? STAGES[value] : typeof value === "string" ? value : undefined;
  if (!label) return `stage ${String(value)}`;
  return label.charAt(0) + label.slice(1).toLowerCase().replace(/_/g, " ");
}

/** "Lab report", "Discharge summary". */
export function fileKindName(value: unknown): string {
  const label = typeof value === "number" ? FILE_KINDS[value] : typeof value === "string" ? value : undefined;
  if (!label) return `file kind ${String(value)}`;
  return label.charAt(0) + label.slice(1).toLowerCase().replace(/_/g, " ");
}

const num = (value: unknown): number | null => {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/** A vitals reading's values in clinical units; 0 means not measured and is left out. */
export function vitalsText(args: Record<string, unknown>): string {
  const parts: string[] = [];
  const t = num(args.temperatureCentiC);
  if (t) parts.push(`${(t / 100).toFixed(1)} °C`);
  const sys = num(args.systolicMmHg);
  const dia = num(args.diastolicMmHg);
  if (sys && dia) parts.push(`BP ${sys}/${dia} mmHg`);
  else if (sys) parts.push(`systolic ${sys} mmHg`);
  const hr = num(args.heartRateBpm);
  if (hr) parts.push(`pulse ${hr} bpm`);
  const spo2 = num(args.spo2Permille);
  if (spo2) parts.push(`SpO₂ ${(spo2 / 10).toFixed(1)} %`);
  return parts.length > 0 ? parts.join(", ") : "no values";
}

export interface ReadableEvent {
  /** "Diagnosis recorded". */
  title: string;
  /** "A90 Dengue fever"; "Admitted → Diagnosed"; "37.2 °C, BP 120/80 mmHg, …". */
  detail: string;
}

const TITLES: Record<string, string> = {
  TreatmentOpened: "Treatment opened",
  DoctorAssigned: "Doctor assigned",
  DoctorUnassigned: "Doctor stepped down",
  DiagnosisRecorded: "Diagnosis recorded",
  FileAttached: "File attached",
  StageAdvanced: "Stage changed",
  VitalsRecorded: "Vitals recorded",
  PatientRegistered: "Patient registered",
  PatientUpdated: "Patient details updated",
  DeviceRegistered: "Monitoring device bound",
  MemberRevoked: "Member revoked",
};

/** An event's title and details in words; `account` describes the account it is about. */
export function readableEvent(
  event: { name: string; args: Record<string, unknown> | null | undefined },
  options: { account?: string | null; timeZone?: string } = {},
): ReadableEvent {
  const args = event.args ?? {};
  const title = TITLES[event.name] ?? event.name.replace(/([a-z])([A-Z])/g, "$1 $2");
  switch (event.name) {
    case "DiagnosisRecorded": {
      const code = typeof args.icd10 === "string" ? (asciiOfBytes32(args.icd10) ?? args.icd10) : "";
      const name = code ? icd10Name(code) : undefined;
      return { title, detail: `${code}${name ? ` ${name}` : ""}` };
    }
    case "StageAdvanced":
      return { title, detail: `${stageName(args.fromStage)} → ${stageName(args.toStage)}` };
    case "FileAttached":
      return { title, detail: fileKindName(args.kind) };
    case "VitalsRecorded":
      return {
        title,
        detail: `${vitalsText(args)}; measured ${formatLocalTime(num(args.measuredAt) ?? undefined, options.timeZone)}`,
      };
    case "DoctorAssigned":
    case "DoctorUnassigned":
      return { title, detail: options.account ?? "" };
    default:
      return { title, detail: "" };
  }
}
