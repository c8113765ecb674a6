/**
 * The hospital network: hospitals in districts drawn by population (different states first),
 * shift staff, doctors by specialty, a pool of monitoring devices that grows on demand, and the
 * three data-access role holders.
 */
import { DISTRICTS, type District, STATES, type State } from "../shared/reference/regions.ts";
import { specialtyFromKey } from "../shared/reference/specialties.ts";
import type { SyntheticIdentities } from "./identity.ts";
import { addressOfKey, deriveKey } from "./keys.ts";
import type { Actor, ActorRole, DeviceKind, Hex, Hospital } from "./model.ts";
import type { Rng } from "./prng.ts";

/** Specialties of a hospital's doctors, in the order they are staffed. */
export const DOCTOR_SPECIALTIES = [
  "GENERAL_MEDICINE",
  "PAEDIATRICS",
  "OBSTETRICS_GYNAECOLOGY",
  "GENERAL_SURGERY",
  "ORTHOPAEDICS",
  "PULMONOLOGY",
  "EMERGENCY_MEDICINE",
  "CARDIOLOGY",
  "INFECTIOUS_DISEASES",
  "ENDOCRINOLOGY",
  "GENERAL_MEDICINE",
  "NEUROLOGY",
  "NEPHROLOGY",
  "GASTROENTEROLOGY",
  "PSYCHIATRY",
  "PAEDIATRICS",
  "UROLOGY",
  "DERMATOLOGY",
  "NEUROSURGERY",
  "FAMILY_MEDICINE",
] as const;

const NAME_PATTERNS = [
  (d: string) => `District Hospital ${d}`,
  (d: string) => `Government Medical College ${d}`,
  (d: string) => `${d} Civil Hospital`,
  (d: string) => `${d} Multispeciality Hospital`,
  (d: string) => `Community Health Centre ${d}`,
] as const;

export interface CastBuilder {
  readonly actors: Actor[];
  add(role: ActorRole, fields: Omit<Actor, "id" | "role" | "key" | "address"> & { index: number }): Actor;
}

export function createCast(seed: string, governance: { address: Hex; key?: Hex | undefined }): CastBuilder {
  const actors: Actor[] = [
    { id: 0, role: "governance", key: governance.key, address: governance.address, label: "governance" },
  ];
  return {
    actors,
    add(role, { index, ...fields }) {
      const key = deriveKey(seed, role, index);
      const actor: Actor = { id: actors.length, role, key, address: addressOfKey(key), ...fields };
      actors.push(actor);
      return actor;
    },
  };
}

/**
 * Districts for `count` hospitals in at most `states` states: states by population without
 * repeats while any remain, then a district of the state by population (another district of it
 * while any remain). With fewer states than hospitals, hospitals take the chosen states in turn:
 * a denser network per state (state-level counts large enough to release).
 */
export function pickHospitalDistricts(rng: Rng, count: number, states = count): District[] {
  const populated = DISTRICTS.filter((d) => d.population2011 !== null);
  const picked: District[] = [];
  const withDistricts = STATES.filter((s) => populated.some((d) => d.stateCode === s.code));
  let remaining = withDistricts;
  const chosen: State[] = [];
  for (let i = 0; i < count; i++) {
    let state: State;
    if (chosen.length >= states) {
      state = chosen[i % chosen.length]!;
    } else {
      if (remaining.length === 0) remaining = withDistricts;
      state = rng.weighted(
        remaining,
        remaining.map((s) => s.population2011),
      );
      remaining = remaining.filter((s) => s.code !== state.code);
      chosen.push(state);
    }
    const candidates = populated.filter((d) => d.stateCode === state.code && !picked.includes(d));
    const pool = candidates.length > 0 ? candidates : populated.filter((d) => d.stateCode === state.code);
    picked.push(
      rng.weighted(
        pool,
        pool.map((d) => d.population2011 ?? 1),
      ),
    );
  }
  return picked;
}

export interface NetworkOptions {
  hospitals: number;
  staffPerHospital: number;
  doctorsPerHospital: number;
  /** States the hospitals are spread over (default: one per hospital while states remain). */
  states?: number | undefined;
  /** hospitalCount() before the run: the new hospitals get the ids after it. */
  firstHospitalId: number;
}

export function buildHospitals(
  rng: Rng,
  cast: CastBuilder,
  identities: SyntheticIdentities,
  options: NetworkOptions,
): Hospital[] {
  const districts = pickHospitalDistricts(rng.fork("districts"), options.hospitals, options.states);
  let staffIndex = 0;
  let doctorIndex = 0;
  return districts.map((district, index) => {
    const name = rng.pick(NAME_PATTERNS)(district.name);
    const hospital: Hospital = {
      index,
      id: options.firstHospitalId + index + 1,
      name,
      district,
      // Bigger districts, bigger hospitals (damped), with some spread.
      weight: Math.sqrt((district.population2011 ?? 1_000_000) / 1_000_000) * rng.uniform(0.7, 1.3),
      staff: [],
      doctors: [],
      devices: [],
    };
    for (let s = 0; s < options.staffPerHospital; s++) {
      const { aadhaar, ref } = identities.next();
      hospital.staff.push(
        cast.add("staff", {
          index: staffIndex++,
          label: `${name}: staff, shift ${s + 1} of ${options.staffPerHospital}`,
          hospital: index,
          aadhaar,
          personRef: ref,
        }),
      );
    }
    for (let d = 0; d < options.doctorsPerHospital; d++) {
      const key = DOCTOR_SPECIALTIES[d % DOCTOR_SPECIALTIES.length]!;
      const specialty = specialtyFromKey(key)!;
      const { aadhaar, ref } = identities.next();
      hospital.doctors.push(
        cast.add("doctor", {
          index: doctorIndex++,
          label: `${name}: ${specialty.name}`,
          hospital: index,
          specialty: specialty.code,
          aadhaar,
          personRef: ref,
        }),
      );
    }
    return hospital;
  });
}

/** A device pool per hospital: the lowest-numbered free device, or a new one. */
export function createDevicePools(cast: CastBuilder, hospitals: readonly Hospital[]) {
  const freeAt = new Map<Actor, number>();
  let deviceIndex = 0;
  return {
    /** A device free at `slot`, marked busy until `until` (inclusive; Infinity: never freed). */
    take(hospital: number, slot: number, until: number): Actor {
      const h = hospitals[hospital]!;
      let device = h.devices.find((d) => (freeAt.get(d) ?? 0) <= slot);
      if (!device) {
        const kind: DeviceKind = h.devices.length % 3 === 2 ? "oximeter" : "monitor";
        device = cast.add("device", {
          index: deviceIndex++,
          label: `${h.name}: ${kind === "monitor" ? "bedside monitor" : "pulse oximeter"} ${h.devices.length + 1}`,
          hospital,
          deviceKind: kind,
        });
        h.devices.push(device);
      }
      freeAt.set(device, until + 1);
      return device;
    },
  };
}

export interface RoleHolders {
  analyst: Actor;
  publicHealth: Actor;
  auditor: Actor;
}

export function buildRoleHolders(cast: CastBuilder): RoleHolders {
  return {
    analyst: cast.add("analyst", { index: 0, label: "analyst (ANALYST_ROLE)" }),
    publicHealth: cast.add("publicHealth", {
      index: 0,
      label: "public-health official (PUBLIC_HEALTH_ROLE)",
    }),
    auditor: cast.add("auditor", { index: 0, label: "auditor (AUDITOR_ROLE)" }),
  };
}
