/**
 * The scheduler: turns a seed and sizes into the simulated period's actions, ordered by slot
 * (hour) and creation. Pure and deterministic: same inputs, same plan.
 *
 * Phase A plans the network, the episodes and every action but the devices' vitals uploads;
 * phase B spreads the device readings over the monitored stays at the interval that brings the
 * total near the target.
 */
import { getDistrict } from "../shared/reference/regions.ts";
import { type Clock, createClock } from "./clock.ts";
import { DISEASES, type Disease, diseaseWeight } from "./diseases.ts";
import { baselineArrivals, type Outbreak, outbreakArrivals, planOutbreaks } from "./episodes.ts";
import { createIdentities } from "./identity.ts";
import {
  type Action,
  type ActionBody,
  type Actor,
  type Episode,
  eventsOf,
  type FileKindName,
  type FileSpec,
  type Hex,
  type Hospital,
  type Patient,
} from "./model.ts";
import {
  buildHospitals,
  buildRoleHolders,
  createCast,
  createDevicePools,
  type RoleHolders,
} from "./network.ts";
import { samplePatient } from "./population.ts";
import { createRng, type Rng } from "./prng.ts";
import { type MonitoredStay, planEpisode, type TimelineContext } from "./timeline.ts";
import { readingCount } from "./vitals.ts";

export interface PlanOptions {
  seed: string;
  pepper: Uint8Array;
  governance: { address: Hex; key?: Hex | undefined };
  /** Unix seconds of slot 0 (the first block). */
  startTs: number;
  /** Simulated seconds per block (default 3600). */
  slotSeconds?: number | undefined;
  days: number;
  hospitals: number;
  staffPerHospital: number;
  doctorsPerHospital: number;
  /** States the hospitals are spread over (default: one per hospital). */
  states?: number | undefined;
  patients: number;
  /** Baseline episodes of care (outbreaks come on top). */
  episodes: number;
  /**
   * Device readings to spread over the monitored stays (sets the reading interval); a function
   * gets the events of everything else planned, e.g. (clinical) => target - clinical.
   */
  deviceReadings: number | ((clinicalEvents: number) => number);
  /** Share of episodes with files (prescription, lab report, imaging, discharge summary). */
  filesFraction: number;
  /**
   * Scales each disease's admission probability (default 1): below 1, more episodes are
   * outpatient visits, as in a hospital's OPD, and each costs fewer events.
   */
  admissions?: number | undefined;
  /** hospitalCount() before the run. */
  firstHospitalId: number;
}

export interface Plan {
  readonly options: PlanOptions;
  readonly clock: Clock;
  readonly actors: readonly Actor[];
  readonly hospitals: readonly Hospital[];
  readonly roles: RoleHolders;
  readonly patients: readonly Patient[];
  readonly episodes: readonly Episode[];
  readonly outbreaks: readonly Outbreak[];
  readonly files: readonly FileSpec[];
  /** Sorted by slot, then creation. */
  readonly actions: readonly Action[];
  readonly events: number;
  readonly eventsByAction: Readonly<Record<string, number>>;
  /** Seconds between a device's readings. */
  readonly readingIntervalSeconds: number;
}

/** Readings per device upload that the upload interval aims at. */
const READINGS_PER_UPLOAD = 48;

export function planSimulation(options: PlanOptions): Plan {
  const rng = createRng(options.seed, "plan");
  const clock = createClock(options.startTs, options.days, options.slotSeconds);
  const cast = createCast(options.seed, options.governance);
  const identities = createIdentities(rng.fork("aadhaar"), options.pepper);
  const hospitals = buildHospitals(rng.fork("network"), cast, identities, {
    hospitals: options.hospitals,
    staffPerHospital: options.staffPerHospital,
    doctorsPerHospital: options.doctorsPerHospital,
    states: options.states,
    firstHospitalId: options.firstHospitalId,
  });
  const roles = buildRoleHolders(cast);
  const patients = buildPatients(rng.fork("patients"), clock, hospitals, options.patients, identities);

  const actions: Action[] = [];
  let seq = 0;
  const emit = (slot: number, caller: Actor, body: ActionBody) => {
    if (slot < clock.slots) actions.push({ ...body, slot, caller, seq: seq++ } as Action);
  };
  setupActions(emit, hospitals, roles, cast.actors[0]!);

  const files: FileSpec[] = [];
  const monitored: MonitoredStay[] = [];
  const ctx: TimelineContext = {
    clock,
    hospitals,
    filesFraction: options.filesFraction,
    devices: createDevicePools(cast, hospitals),
    emit,
    file(episode: Episode, kind: FileKindName, slot: number) {
      const spec: FileSpec = { index: files.length, episode, kind, slot };
      if (slot < clock.slots) files.push(spec);
      return spec;
    },
    monitored,
  };

  const arrivalRng = rng.fork("arrivals");
  const outbreaks = planOutbreaks(rng.fork("outbreaks"), clock, hospitals, options.episodes);
  const arrivals = [
    ...baselineArrivals(arrivalRng, clock, hospitals, options.episodes),
    ...outbreaks.flatMap((o, i) => outbreakArrivals(rng.fork("outbreak", i), clock, o)),
  ].sort((a, b) => a.slot - b.slot || a.hospital - b.hospital);

  const byHospital = hospitals.map((h) => patients.filter((p) => p.hospital === h.index));
  const episodes: Episode[] = [];
  for (const arrival of arrivals) {
    const erng = rng.fork("episode", episodes.length);
    const pool = byHospital[arrival.hospital]!;
    const chosen = choosePatientAndDisease(
      erng,
      clock,
      pool,
      arrival.slot,
      arrival.disease,
      hospitals[arrival.hospital]!,
    );
    if (!chosen) continue;
    const { patient, disease } = chosen;
    const episode: Episode = {
      index: episodes.length,
      patient,
      hospital: arrival.hospital,
      disease,
      startSlot: arrival.slot,
      inpatient: erng.chance(Math.min(1, disease.inpatient * (options.admissions ?? 1))),
      outbreak: arrival.disease !== undefined,
      dischargeSlot: arrival.slot,
    };
    episodes.push(episode);
    patient.episodes++;
    patient.busyUntil = planEpisode(erng, ctx, episode);
  }

  const budget =
    typeof options.deviceReadings === "number"
      ? options.deviceReadings
      : options.deviceReadings(actions.reduce((sum, a) => sum + eventsOf(a), 0));
  const readingIntervalSeconds = readingInterval(monitored, clock, budget);
  planUploads(emit, monitored, clock, readingIntervalSeconds);

  actions.sort((a, b) => a.slot - b.slot || a.seq - b.seq);
  const eventsByAction: Record<string, number> = {};
  let events = 0;
  for (const action of actions) {
    const n = eventsOf(action);
    events += n;
    eventsByAction[action.kind] = (eventsByAction[action.kind] ?? 0) + n;
  }
  return {
    options,
    clock,
    actors: cast.actors,
    hospitals,
    roles,
    patients,
    episodes,
    outbreaks,
    files,
    actions,
    events,
    eventsByAction,
    readingIntervalSeconds,
  };
}

function buildPatients(
  rng: Rng,
  clock: Clock,
  hospitals: readonly Hospital[],
  count: number,
  identities: ReturnType<typeof createIdentities>,
): Patient[] {
  const weights = hospitals.map((h) => h.weight);
  const startDay = clock.epochDay(0);
  const patients: Patient[] = [];
  for (let i = 0; i < count; i++) {
    const prng = rng.fork(i);
    const hospital = prng.weightedIndex(weights);
    const district = hospitals[hospital]!.district;
    const { aadhaar, ref } = identities.next();
    patients.push({
      index: i,
      aadhaar,
      ref,
      hospital,
      profile: samplePatient(prng, startDay, getDistrict(district.code)!),
      registered: false,
      busyUntil: -1,
      episodes: 0,
    });
  }
  return patients;
}

/**
 * A free patient of the hospital and a disease for them at that time. Outbreak cases come with
 * their disease: the patient must fit it (age, sex) and preferably live in the district.
 */
function choosePatientAndDisease(
  rng: Rng,
  clock: Clock,
  pool: readonly Patient[],
  slot: number,
  given: Disease | undefined,
  hospital: Hospital,
): { patient: Patient; disease: Disease } | undefined {
  if (pool.length === 0) return undefined;
  const month = clock.month(slot);
  const today = clock.epochDay(slot);
  for (let attempt = 0; attempt < 40; attempt++) {
    const patient = rng.pick(pool);
    if (patient.busyUntil >= slot) continue;
    const age = (today - patient.profile.birthDate) / 365.25;
    const weights = DISEASES.map((d) =>
      diseaseWeight(d, age, patient.profile.sex, month, patient.profile.stateCode),
    );
    if (given) {
      const fits = weights[DISEASES.indexOf(given)]! > 0;
      const local = patient.profile.districtCode === hospital.district.code || attempt >= 20;
      if (fits && local) return { patient, disease: given };
      continue;
    }
    if (weights.some((w) => w > 0)) return { patient, disease: rng.weighted(DISEASES, weights) };
  }
  return undefined;
}

function setupActions(
  emit: (slot: number, caller: Actor, body: ActionBody) => void,
  hospitals: readonly Hospital[],
  roles: RoleHolders,
  governance: Actor,
): void {
  for (const hospital of hospitals) emit(0, governance, { kind: "registerHospital", hospital });
  for (const hospital of hospitals) {
    for (const member of hospital.staff) {
      emit(0, governance, { kind: "registerStaff", member, hospitalId: hospital.id });
    }
  }
  emit(0, governance, { kind: "grantRole", role: "ANALYST", member: roles.analyst });
  emit(0, governance, { kind: "grantRole", role: "PUBLIC_HEALTH", member: roles.publicHealth });
  emit(0, governance, { kind: "grantRole", role: "AUDITOR", member: roles.auditor });
  // Doctors are registered by their hospital's first staff member, once that account exists.
  for (const hospital of hospitals) {
    for (const member of hospital.doctors) emit(1, hospital.staff[0]!, { kind: "registerDoctor", member });
  }
}

/** Seconds between readings so that the monitored stays hold about `budget` readings (5 min to 4 h). */
function readingInterval(monitored: readonly MonitoredStay[], clock: Clock, budget: number): number {
  let seconds = 0;
  for (const stay of monitored) {
    const last = Math.min(stay.lastSlot, clock.slots - 1);
    if (last > stay.fromSlot) seconds += (last - stay.fromSlot) * clock.slotSeconds;
  }
  if (budget <= 0 || seconds === 0) return 4 * 3600;
  // Rounded down to the minute: the target is reached or passed, not missed.
  const interval = Math.floor(seconds / budget / 60) * 60;
  return Math.min(4 * 3600, Math.max(300, interval));
}

/** Device uploads: every few hours while the stay lasts, and a last one before discharge. */
function planUploads(
  emit: (slot: number, caller: Actor, body: ActionBody) => void,
  monitored: readonly MonitoredStay[],
  clock: Clock,
  intervalSeconds: number,
): void {
  // At most a day between uploads.
  const everySlots = Math.min(
    clock.span(24),
    Math.max(1, Math.round((READINGS_PER_UPLOAD * intervalSeconds) / clock.slotSeconds)),
  );
  for (const stay of monitored) {
    const last = Math.min(stay.lastSlot, clock.slots - 1);
    let fromTs = clock.ts(stay.fromSlot);
    let upload = 0;
    for (let slot = stay.fromSlot + 1; slot <= last; slot++) {
      if ((slot - stay.fromSlot) % everySlots !== 0 && slot !== last) continue;
      const toTs = clock.ts(slot);
      const count = readingCount(fromTs, toTs, intervalSeconds);
      if (count === 0) continue;
      // A batch holds at most 512 readings.
      const chunk = Math.min(count, 512);
      const chunkTo = fromTs + chunk * intervalSeconds;
      emit(slot, stay.device, {
        kind: "recordVitalsBatch",
        episode: stay.episode,
        window: { fromTs, toTs: chunkTo, intervalSeconds, upload: upload++ },
        count: chunk,
      });
      fromTs = chunkTo;
    }
  }
}
