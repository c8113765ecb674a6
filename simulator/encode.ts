/**
 * Actions → calldata, in execution order: openTreatment takes the next treatment id (the
 * contract's counter), and every later action of the episode uses it. Set-up calls go through
 * the SDK's encoders; the high-volume ones through calldata.ts.
 */
import {
  encodeGrantRole,
  encodeRegisterDoctor,
  encodeRegisterHospital,
  encodeRegisterStaff,
} from "../sdk/index.ts";
import { FILE_KIND } from "../shared/reference/enums.ts";
import { fastCalldata } from "./calldata.ts";
import type { Clock } from "./clock.ts";
import type { Action, Episode, Hex } from "./model.ts";
import { createRng } from "./prng.ts";
import { type Reading, reading, readingsBetween, type VitalsContext } from "./vitals.ts";

export interface Encoder {
  encode(action: Action): Hex;
  /** The treatment id the next openTreatment gets. */
  readonly nextTreatmentId: bigint;
}

export function createEncoder(seed: string, clock: Clock, firstTreatmentId: bigint): Encoder {
  let next = firstTreatmentId;
  const treatmentOf = (episode: Episode): bigint => {
    if (episode.treatmentId === undefined) {
      throw new Error(`episode ${episode.index} is used before its treatment is opened (scheduler bug)`);
    }
    return episode.treatmentId;
  };
  const vitalsContext = (episode: Episode): VitalsContext => ({
    profile: episode.disease.vitals,
    ageYears: (clock.epochDay(episode.startSlot) - episode.patient.profile.birthDate) / 365.25,
    admittedAt: clock.ts(episode.startSlot),
    dischargeAt: clock.ts(episode.dischargeSlot),
  });

  return {
    get nextTreatmentId() {
      return next;
    },
    encode(action: Action): Hex {
      switch (action.kind) {
        case "registerHospital": {
          const h = action.hospital;
          return encodeRegisterHospital({
            name: h.name,
            stateCode: h.district.stateCode,
            districtCode: h.district.code,
          });
        }
        case "registerStaff":
          return encodeRegisterStaff({
            account: action.member.address,
            hospitalId: action.hospitalId,
            personRef: action.member.personRef!,
          });
        case "registerDoctor":
          return encodeRegisterDoctor({
            account: action.member.address,
            personRef: action.member.personRef!,
            specialty: action.member.specialty!,
          });
        case "grantRole":
          return encodeGrantRole({ role: action.role, account: action.member.address });
        case "registerPatient":
          return fastCalldata.registerPatient(action.patient.ref, action.profile);
        case "updatePatient":
          return fastCalldata.updatePatient(action.patient.ref, action.profile);
        case "openTreatment":
          action.episode.treatmentId = next++;
          return fastCalldata.openTreatment(action.episode.patient.ref);
        case "assignDoctor":
          return fastCalldata.assignDoctor(treatmentOf(action.episode), action.doctor.address);
        case "unassignDoctor":
          return fastCalldata.unassignDoctor(treatmentOf(action.episode), action.doctor.address);
        case "recordDiagnosis":
          return fastCalldata.recordDiagnosis(treatmentOf(action.episode), action.code);
        case "advanceStage":
          return fastCalldata.advanceStage(treatmentOf(action.episode), action.stage);
        case "attachFile": {
          const cid = action.file.cid;
          if (!cid) throw new Error(`file ${action.file.index} was not uploaded before its block`);
          return fastCalldata.attachFile(treatmentOf(action.episode), FILE_KIND[action.file.kind], cid);
        }
        case "registerDevice":
          return fastCalldata.registerDevice(action.device.address, action.patient.ref);
        case "revokeMember":
          return fastCalldata.revokeMember(action.member.address);
        case "recordVitals": {
          const rng = createRng(seed, "reading", action.seq);
          const r: Reading = reading(rng, vitalsContext(action.episode), action.atTs, "full");
          return fastCalldata.recordVitals(treatmentOf(action.episode), r);
        }
        case "recordVitalsBatch": {
          const { window, episode } = action;
          const rng = createRng(seed, "upload", episode.index, window.upload);
          const readings = readingsBetween(
            rng,
            vitalsContext(episode),
            action.caller.deviceKind ?? "monitor",
            window.fromTs,
            window.toTs,
            window.intervalSeconds,
          );
          if (readings.length !== action.count) {
            throw new Error(
              `upload ${window.upload} of episode ${episode.index}: ${readings.length} readings, planned ${action.count}`,
            );
          }
          return fastCalldata.recordVitalsBatch(treatmentOf(episode), readings);
        }
      }
    },
  };
}
