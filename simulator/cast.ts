/**
 * The cast file: who the demo's actors are, with their keys, so that the embedded stack and the
 * browser tests can sign in as each role. Keys are derived from the seed and synthetic Aadhaar
 * numbers are listed for demo lookups: demo data only, never for a real chain or real people.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { maskAadhaar } from "../shared/identity/aadhaar.ts";
import { BLOOD_GROUP_SYMBOLS, SEXES } from "../shared/reference/enums.ts";
import { getState } from "../shared/reference/regions.ts";
import { getSpecialty } from "../shared/reference/specialties.ts";
import { fromEpochDay } from "../shared/reference/weeks.ts";
import type { Actor, Hex } from "./model.ts";
import type { Plan } from "./schedule.ts";

export { DEFAULT_CAST_FILE } from "../shared/deployment.ts";

export const CAST_WARNING =
  "SYNTHETIC DEMO DATA, for development chains only. Every private key here is derived from the public simulation seed: anyone can recompute it, never fund it on a real chain. The Aadhaar numbers are synthetic (valid checksum, belonging to nobody) and listed only for demo lookups; real Aadhaar numbers must never be written to a file like this.";

interface CastActor {
  address: Hex;
  privateKey: Hex | null;
  label: string;
}

const actor = (a: Actor): CastActor => ({ address: a.address, privateKey: a.key ?? null, label: a.label });

export interface CastFile {
  warning: string;
  seed: string;
  chainId: number;
  contract: Hex;
  simulatedFrom: string;
  simulatedTo: string;
  governance: CastActor;
  analyst: CastActor & { role: "ANALYST_ROLE" };
  publicHealth: CastActor & { role: "PUBLIC_HEALTH_ROLE" };
  auditor: CastActor & { role: "AUDITOR_ROLE" };
  hospitals: {
    id: number;
    name: string;
    stateCode: number;
    state: string;
    districtCode: number;
    district: string;
    staff: CastActor[];
    doctors: (CastActor & { specialty: number; specialtyName: string })[];
    devices: (CastActor & { kind: string })[];
  }[];
  /** The planned local outbreaks: where to look for aberration flags. */
  outbreaks: {
    icd10: string;
    stateCode: number;
    districtCode: number;
    district: string;
    /** First day (UTC date) and length of the outbreak. */
    from: string;
    weeks: number;
    cases: number;
  }[];
  samplePatients: {
    aadhaar: string;
    masked: string;
    reference: Hex;
    hospitalId: number;
    sex: string;
    bloodGroup: string;
    birthDate: string;
    stateCode: number;
    districtCode: number;
    treatments: number;
  }[];
}

export function buildCast(plan: Plan, meta: { chainId: number; contract: Hex }, samples = 10): CastFile {
  const { roles, hospitals, clock } = plan;
  const governance = plan.actors[0]!;
  const patients = plan.patients
    .filter((p) => p.registered)
    .sort((a, b) => b.episodes - a.episodes || a.index - b.index)
    .slice(0, samples);
  return {
    warning: CAST_WARNING,
    seed: plan.options.seed,
    chainId: meta.chainId,
    contract: meta.contract,
    simulatedFrom: new Date(clock.ts(0) * 1000).toISOString(),
    simulatedTo: new Date(clock.ts(clock.slots) * 1000).toISOString(),
    governance: actor(governance),
    analyst: { ...actor(roles.analyst), role: "ANALYST_ROLE" },
    publicHealth: { ...actor(roles.publicHealth), role: "PUBLIC_HEALTH_ROLE" },
    auditor: { ...actor(roles.auditor), role: "AUDITOR_ROLE" },
    hospitals: hospitals.map((h) => ({
      id: h.id,
      name: h.name,
      stateCode: h.district.stateCode,
      state: getState(h.district.stateCode)?.name ?? "",
      districtCode: h.district.code,
      district: h.district.name,
      staff: h.staff.map(actor),
      doctors: h.doctors.map((d) => ({
        ...actor(d),
        specialty: d.specialty!,
        specialtyName: getSpecialty(d.specialty!)?.name ?? "",
      })),
      devices: h.devices.map((d) => ({ ...actor(d), kind: d.deviceKind ?? "monitor" })),
    })),
    outbreaks: plan.outbreaks.map((o) => {
      const h = hospitals[o.hospital]!;
      return {
        icd10: o.disease.code,
        stateCode: h.district.stateCode,
        districtCode: h.district.code,
        district: h.district.name,
        from: fromEpochDay(clock.epochDay(o.startSlot)),
        weeks: o.weeks,
        cases: o.cases,
      };
    }),
    samplePatients: patients.map((p) => ({
      aadhaar: p.aadhaar,
      masked: maskAadhaar(p.aadhaar),
      reference: p.ref,
      hospitalId: hospitals[p.hospital]!.id,
      sex: SEXES[p.profile.sex] ?? "UNKNOWN",
      bloodGroup: BLOOD_GROUP_SYMBOLS[p.profile.bloodGroup] ?? "Unknown",
      birthDate: fromEpochDay(p.profile.birthDate),
      stateCode: p.profile.stateCode,
      districtCode: p.profile.districtCode,
      treatments: p.episodes,
    })),
  };
}

export async function writeCast(file: string, cast: CastFile): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(cast, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
