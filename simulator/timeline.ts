/**
 * One episode of care as actions, hour by hour: admission (registration, opening, doctor,
 * device, triage vitals), diagnosis (sometimes provisional, revised later), treatment, files,
 * nurse rounds, consultations, discharge and closing; some patients leave early, some records
 * are never closed.
 *
 * The rule that keeps every transaction valid without waiting for receipts: an action that
 * depends on another caller's action happens in a strictly later slot (block); actions of one
 * caller in one slot keep their creation order inside that caller's multicall.
 */
import { STAGE } from "../shared/reference/enums.ts";
import type { Clock } from "./clock.ts";
import { type Disease, specialtyCodesOf } from "./diseases.ts";
import type { ActionBody, Actor, Episode, FileKindName, FileSpec, Hospital } from "./model.ts";
import type { Rng } from "./prng.ts";
import type { VitalsContext } from "./vitals.ts";

export interface MonitoredStay {
  episode: Episode;
  device: Actor;
  /** Slot of the device's registration; readings start after its timestamp. */
  fromSlot: number;
  /** Last slot in which the device may upload (before discharge or departure). */
  lastSlot: number;
  vitals: VitalsContext;
}

export interface TimelineContext {
  clock: Clock;
  hospitals: readonly Hospital[];
  filesFraction: number;
  devices: { take(hospital: number, slot: number, until: number): Actor };
  /** Appends an action (dropped when past the end of the period). */
  emit(slot: number, caller: Actor, body: ActionBody): void;
  file(episode: Episode, kind: FileKindName, slot: number): FileSpec;
  monitored: MonitoredStay[];
}

export function staffOnShift(ctx: TimelineContext, hospital: number, slot: number): Actor {
  const staff = ctx.hospitals[hospital]!.staff;
  const perShift = 24 / staff.length;
  return staff[Math.floor(ctx.clock.hour(slot) / perShift) % staff.length]!;
}

/** A doctor of the hospital for the disease: a preferred specialty, else general medicine, else anyone. */
export function pickDoctor(rng: Rng, hospital: Hospital, disease: Disease): Actor {
  for (const code of specialtyCodesOf(disease)) {
    const matching = hospital.doctors.filter((d) => d.specialty === code);
    if (matching.length > 0) return rng.pick(matching);
  }
  const general = hospital.doctors.filter((d) => d.specialty === 1);
  return rng.pick(general.length > 0 ? general : hospital.doctors);
}

function pickConsultant(rng: Rng, ctx: TimelineContext, episode: Episode, primary: Actor): Actor | undefined {
  // A third of consultations cross hospitals (tele-consults, referrals).
  const hospitals = ctx.hospitals;
  const own = hospitals[episode.hospital]!;
  const pool =
    rng.chance(0.3) && hospitals.length > 1
      ? rng.pick(hospitals.filter((h) => h.index !== episode.hospital)).doctors
      : own.doctors;
  const candidates = pool.filter((d) => d !== primary && d.specialty !== primary.specialty);
  return candidates.length > 0 ? rng.pick(candidates) : undefined;
}

/** Emits the actions of one episode; returns the last slot the patient is busy. */
export function planEpisode(rng: Rng, ctx: TimelineContext, episode: Episode): number {
  const { clock } = ctx;
  const hospital = ctx.hospitals[episode.hospital]!;
  const { disease, patient } = episode;
  const s0 = episode.startSlot;
  const staff = (slot: number) => staffOnShift(ctx, episode.hospital, slot);
  const primary = pickDoctor(rng, hospital, disease);
  const withFiles = rng.chance(ctx.filesFraction);
  const ageYears = (clock.epochDay(s0) - patient.profile.birthDate) / 365.25;

  // ---- admission: by staff, or (a third of outpatient visits) by the doctor at the OPD desk
  const opener = !episode.inpatient && rng.chance(0.3) ? primary : staff(s0);

  // ---- timing. An outpatient visit is seen, treated and sent home in one sitting (one
  // transaction of the doctor's); an admission is diagnosed and treated from the next hours on.
  const s1 = opener === primary ? s0 : s0 + clock.after(rng.int(1, 4));
  const s2 = s1;
  const stayHours = episode.inpatient
    ? Math.max(24, Math.round(rng.logNormal(disease.losDays, 0.45) * 24) + rng.int(-6, 6))
    : 0;
  const sD = episode.inpatient ? Math.max(s2 + 2, s0 + clock.span(stayHours)) : s1;
  episode.dischargeSlot = sD;
  // Left against medical advice (inpatients): no discharge, no closing.
  const leftEarly =
    episode.inpatient && rng.chance(0.03) ? s2 + rng.int(1, Math.max(1, sD - s2 - 1)) : undefined;
  const endOfCare = leftEarly ?? sD;
  const neverClosed = !episode.inpatient && rng.chance(0.02);
  let lastSlot = endOfCare;
  const at = (slot: number) => {
    if (slot > lastSlot) lastSlot = slot;
    return slot;
  };

  if (!patient.registered) {
    ctx.emit(s0, opener, { kind: "registerPatient", patient, profile: patient.profile });
    patient.registered = true;
  } else if (rng.chance(0.25)) {
    const profile = updatedProfile(rng, patient.profile, ageYears);
    ctx.emit(s0, opener, { kind: "updatePatient", patient, profile });
    patient.profile = profile;
  }
  ctx.emit(s0, opener, { kind: "openTreatment", episode });
  if (opener !== primary) ctx.emit(s0, opener, { kind: "assignDoctor", episode, doctor: primary });
  const monitored = episode.inpatient && rng.chance(disease.monitor);
  if (monitored && opener.role === "staff") {
    const device = ctx.devices.take(episode.hospital, s0, endOfCare < clock.slots ? endOfCare : Infinity);
    ctx.emit(s0, opener, { kind: "registerDevice", device, patient });
    ctx.monitored.push({
      episode,
      device,
      fromSlot: s0,
      lastSlot: endOfCare - 1,
      vitals: { profile: disease.vitals, ageYears, admittedAt: clock.ts(s0), dischargeAt: clock.ts(sD) },
    });
    ctx.emit(endOfCare, staff(endOfCare), { kind: "revokeMember", member: device });
  }
  ctx.emit(s0, opener, { kind: "recordVitals", episode, atTs: clock.ts(s0) });

  // ---- diagnosis, possibly provisional
  const provisional =
    disease.provisional && rng.chance(disease.provisional.p) ? disease.provisional.code : undefined;
  ctx.emit(at(s1), primary, { kind: "recordDiagnosis", episode, code: provisional ?? disease.code });
  ctx.emit(s1, primary, { kind: "advanceStage", episode, stage: STAGE.DIAGNOSED });
  const consultant =
    episode.inpatient && rng.chance(0.1) ? pickConsultant(rng, ctx, episode, primary) : undefined;
  if (consultant) ctx.emit(s1, primary, { kind: "assignDoctor", episode, doctor: consultant });
  if (episode.inpatient) ctx.emit(s2, primary, { kind: "advanceStage", episode, stage: STAGE.IN_TREATMENT });
  if (withFiles)
    ctx.emit(s2, primary, { kind: "attachFile", episode, file: ctx.file(episode, "PRESCRIPTION", s2) });
  if (provisional) {
    const sRev = at(s1 + clock.after(rng.int(6, 36)));
    ctx.emit(sRev, primary, { kind: "recordDiagnosis", episode, code: disease.code });
  }

  // ---- investigations, by the staff on shift
  if (withFiles && disease.lab) {
    const sLab = at(s1 + clock.after(rng.int(2, 12)));
    ctx.emit(sLab, staff(sLab), { kind: "attachFile", episode, file: ctx.file(episode, "LAB_REPORT", sLab) });
  }
  if (withFiles && disease.imaging) {
    const sImg = at(s1 + clock.after(rng.int(1, 6)));
    ctx.emit(sImg, staff(sImg), { kind: "attachFile", episode, file: ctx.file(episode, "IMAGING", sImg) });
  }

  // ---- a consultant's visit: a reading at the bedside (before discharge), a note, then stepping down
  if (consultant) {
    const sCons = at(s1 + rng.int(2, Math.max(2, Math.min(clock.span(24), endOfCare - s1 - 1))));
    if (sCons < endOfCare)
      ctx.emit(sCons, consultant, { kind: "recordVitals", episode, atTs: clock.ts(sCons) });
    if (withFiles) {
      ctx.emit(sCons, consultant, { kind: "attachFile", episode, file: ctx.file(episode, "OTHER", sCons) });
    }
    ctx.emit(sCons, consultant, { kind: "unassignDoctor", episode, doctor: consultant });
  }

  // ---- nurse rounds for admitted patients without a device: morning and evening (08:00 and
  // 20:00 IST with hourly blocks, every 12 hours with longer ones)
  if (episode.inpatient && !monitored) {
    const every = clock.after(12);
    for (let s = s0 + 1; s < endOfCare; s++) {
      const hour = clock.hour(s);
      const round = clock.slotSeconds === 3600 ? hour === 8 || hour === 20 : (s - s0) % every === 0;
      if (round) ctx.emit(s, staff(s), { kind: "recordVitals", episode, atTs: clock.ts(s) });
    }
  }

  if (leftEarly !== undefined) return lastSlot;

  // ---- discharge, summary, closing
  ctx.emit(sD, primary, { kind: "advanceStage", episode, stage: STAGE.DISCHARGED });
  if (withFiles && episode.inpatient) {
    const sSum = at(sD + clock.after(rng.int(1, 6)));
    ctx.emit(sSum, staff(sSum), {
      kind: "attachFile",
      episode,
      file: ctx.file(episode, "DISCHARGE_SUMMARY", sSum),
    });
  }
  if (neverClosed) return lastSlot;
  const sC = lastSlot + clock.after(episode.inpatient ? rng.int(12, 72) : rng.int(1, 24));
  ctx.emit(sC, staff(sC), { kind: "advanceStage", episode, stage: STAGE.CLOSED });
  return sC;
}

/** A later visit's demographics: weight drifts; children grow. */
function updatedProfile(rng: Rng, profile: Episode["patient"]["profile"], ageYears: number) {
  const growth = ageYears < 18 ? rng.int(0, 4) : 0;
  const weightGrams = Math.max(1_500, Math.round((profile.weightGrams * rng.uniform(0.96, 1.05)) / 10) * 10);
  return { ...profile, heightCm: Math.min(210, profile.heightCm + growth), weightGrams };
}
