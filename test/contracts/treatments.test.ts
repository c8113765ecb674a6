/**
 * Treatments: opening, the care team, ICD-10 diagnoses, attached files, stages that only move
 * forward, and what Discharged and Closed block.
 */
import type { Hash } from "viem";
import { describe, expect, it } from "vitest";
import {
  expectRevert,
  FileKind,
  type Fixture,
  HOSPITAL_1,
  HOSPITAL_2,
  icd10,
  REFS,
  Stage,
  T1,
  useDocTel,
  vitals,
} from "./fixture.ts";

const get = useDocTel();

const CID = "bafybeihkoviema7g3gxyt6la7vd5ho32ictqbilu3wnlo3rs7ewhnp7lly";
const STAGE_NAMES = ["Admitted", "Diagnosed", "InTreatment", "Discharged", "Closed"] as const;

/** Records a diagnosis on T1 (by its assigned doctor1) and moves it to `stage`. */
async function moveT1To(fx: Fixture, stage: number): Promise<void> {
  await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]));
  if (stage > Stage.Admitted) await fx.mined(fx.as.staff1.write.advanceStage([T1, stage]));
}

describe("openTreatment", () => {
  it("numbers treatments 1, 2, 3… and stores patient, hospital and stage, because later checks read them", async () => {
    const fx = get();
    expect(await fx.as.outsider.read.treatmentCount()).toBe(1n);
    await fx.mined(fx.as.staff2.write.openTreatment([REFS.patientB]));
    expect(await fx.as.outsider.read.treatmentCount()).toBe(2n);
    expect(await fx.as.outsider.read.treatments([2n])).toEqual([
      REFS.patientB,
      HOSPITAL_2.id,
      Stage.Admitted,
      false,
    ]);
    expect(await fx.as.outsider.read.treatments([T1])).toEqual([
      REFS.patientA,
      HOSPITAL_1.id,
      Stage.Admitted,
      false,
    ]);
  });

  it("returns the new treatment id, because writers chain calls on it", async () => {
    const fx = get();
    const { result } = await fx.as.staff1.simulate.openTreatment([REFS.patientB], {
      account: fx.actors.staff1,
    });
    expect(result).toBe(2n);
  });

  it("refuses an unregistered patient with UnknownPatient, because a treatment is for a known patient", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.openTreatment([REFS.patientC]), "UnknownPatient", [REFS.patientC]);
  });

  it("assigns the doctor who opens a treatment, because they are its first care team", async () => {
    const fx = get();
    await fx.mined(fx.as.doctor3.write.openTreatment([REFS.patientB]));
    expect(await fx.as.outsider.read.isAssigned([2n, fx.actors.doctor3])).toBe(true);
    await fx.mined(fx.as.doctor3.write.recordDiagnosis([2n, icd10("B50.9")]));
  });

  it("does not assign the staff member who opens a treatment, because staff are not doctors", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.openTreatment([REFS.patientB]));
    expect(await fx.as.outsider.read.isAssigned([2n, fx.actors.staff1])).toBe(false);
  });

  it("lets a patient have several treatments at several hospitals, because care is nationwide", async () => {
    const fx = get();
    await fx.mined(fx.as.staff2.write.openTreatment([REFS.patientA]));
    await fx.mined(fx.as.staff1.write.openTreatment([REFS.patientA]));
    expect((await fx.as.outsider.read.treatments([2n]))[1]).toBe(HOSPITAL_2.id);
    expect((await fx.as.outsider.read.treatments([3n]))[1]).toBe(HOSPITAL_1.id);
  });
});

describe("care team", () => {
  it("lets staff assign a doctor of another hospital, because consultations cross hospitals", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor3]));
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor3])).toBe(true);
    await fx.mined(fx.as.doctor3.write.recordDiagnosis([T1, icd10("A90")]));
    await fx.mined(fx.as.doctor3.write.attachFile([T1, FileKind.Imaging, CID]));
  });

  it("refuses to assign staff with NotADoctor, because only doctors join a care team", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.assignDoctor([T1, fx.actors.staff2]), "NotADoctor", [
      fx.actors.staff2,
    ]);
  });

  it("refuses to assign a device with NotADoctor, because only doctors join a care team", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.assignDoctor([T1, fx.actors.device]), "NotADoctor", [
      fx.actors.device,
    ]);
  });

  it("refuses to assign an outsider with NotADoctor, because only registered doctors join a care team", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.assignDoctor([T1, fx.actors.outsider]), "NotADoctor", [
      fx.actors.outsider,
    ]);
  });

  it("refuses to assign an assigned doctor with DoctorAlreadyAssigned, because an assignment is recorded once", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor1]), "DoctorAlreadyAssigned", [
      T1,
      fx.actors.doctor1,
    ]);
  });

  it("refuses to unassign a doctor who is not assigned with DoctorNotAssigned, because there is nothing to end", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor2]), "DoctorNotAssigned", [
      T1,
      fx.actors.doctor2,
    ]);
  });

  it("lets an assigned doctor unassign a colleague, because assigned doctors manage the care team", async () => {
    const fx = get();
    await fx.mined(fx.as.doctor1.write.assignDoctor([T1, fx.actors.doctor2]));
    await fx.mined(fx.as.doctor1.write.unassignDoctor([T1, fx.actors.doctor2]));
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor2])).toBe(false);
  });

  it("takes every treatment power from an unassigned doctor, because powers come from the assignment", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor1]));
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor1])).toBe(false);
    await expectRevert(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]), "NotAssignedDoctor", [
      fx.actors.doctor1,
      T1,
    ]);
    await expectRevert(fx.as.doctor1.write.attachFile([T1, FileKind.Prescription, CID]), "NotCareTeam", [
      fx.actors.doctor1,
      T1,
    ]);
    await expectRevert(fx.as.doctor1.write.recordVitals([T1, vitals(await fx.now())]), "NotVitalsRecorder", [
      fx.actors.doctor1,
      T1,
    ]);
    await expectRevert(fx.as.doctor1.write.assignDoctor([T1, fx.actors.doctor2]), "NotCareTeam", [
      fx.actors.doctor1,
      T1,
    ]);
  });

  it("lets a doctor be assigned again after being unassigned, because care teams change", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor1]));
    await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor1]));
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor1])).toBe(true);
  });
});

describe("recordDiagnosis", () => {
  const valid = [
    ["A90", "three characters (dengue)"],
    ["C4A", "a letter in third place (ICD-10-CM Merkel cell carcinoma)"],
    ["E11.9", "a subcategory"],
    ["U07.1", "an emergency-use code (COVID-19)"],
    ["S72.001A", "the longest form: four characters after the dot, eight bytes in all"],
  ] as const;
  for (const [code, why] of valid) {
    it(`accepts ${code}, because it is ${why}`, async () => {
      const fx = get();
      const { events } = await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10(code)]));
      expect(events[0]?.args.icd10).toBe(icd10(code));
    });
  }

  const invalid: [string, `0x${string}`, string][] = [
    ["the empty code", icd10(""), "a code has at least three characters"],
    ["A9", icd10("A9"), "a code has at least three characters"],
    ["a90", icd10("a90"), "the letter must be upper case"],
    ["190", icd10("190"), "a code starts with a letter"],
    ["AA0", icd10("AA0"), "the second character is a digit"],
    ["A9a", icd10("A9a"), "the third character is a digit or an upper-case letter"],
    ["A90X", icd10("A90X"), "the fourth character is the dot"],
    ["A90.", icd10("A90."), "a dot is followed by at least one character"],
    ["E11.b", icd10("E11.b"), "characters after the dot are digits or upper-case letters"],
    [
      "A90 then padding then X",
      "0x4139300000000058",
      "the code is left-aligned with only zero bytes after it",
    ],
    [
      "E11.9 then a gap then 1",
      "0x4531312e39003100",
      "the code is left-aligned with only zero bytes after it",
    ],
    [" A90 (leading space)", icd10(" A90"), "a code starts with a letter"],
  ];
  for (const [label, code, why] of invalid) {
    it(`refuses ${label} with InvalidIcd10, because ${why}`, async () => {
      const fx = get();
      await expectRevert(fx.as.doctor1.write.recordDiagnosis([T1, code]), "InvalidIcd10", [code]);
    });
  }

  it("marks the treatment diagnosed, because later stages need a diagnosis", async () => {
    const fx = get();
    await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]));
    expect((await fx.as.outsider.read.treatments([T1]))[3]).toBe(true);
  });

  it("may be revised, because a working diagnosis is often corrected", async () => {
    const fx = get();
    await moveT1To(fx, Stage.InTreatment);
    const { events } = await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A91")]));
    expect(events).toEqual([
      {
        eventName: "DiagnosisRecorded",
        args: { treatmentId: T1, doctor: fx.actors.doctor1, icd10: icd10("A91") },
      },
    ]);
    expect(await fx.as.outsider.read.treatments([T1])).toEqual([
      REFS.patientA,
      HOSPITAL_1.id,
      Stage.InTreatment,
      true,
    ]);
  });

  it("may be revised after discharge, because coding is often finished after the patient leaves", async () => {
    const fx = get();
    await moveT1To(fx, Stage.Discharged);
    await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A91")]));
  });
});

describe("attachFile", () => {
  it("accepts the last file kind (Other = 4), because kinds are 0 to 4", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.staff1.write.attachFile([T1, FileKind.Other, CID]));
    expect(events[0]?.args.kind).toBe(4);
  });

  it("refuses file kind 5 with InvalidFileKind, because kinds are 0 to 4", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.attachFile([T1, 5, CID]), "InvalidFileKind", [5]);
  });

  it("accepts a one-character CID, because the contract only bounds the length", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.attachFile([T1, FileKind.Prescription, "b"]));
  });

  it("refuses an empty CID with InvalidCid, because a file needs an address", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.attachFile([T1, FileKind.Prescription, ""]), "InvalidCid");
  });

  it("accepts a 128-byte CID, because that is the longest allowed", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.attachFile([T1, FileKind.Prescription, "b".repeat(128)]));
  });

  it("refuses a 129-byte CID with InvalidCid, because CIDs are at most 128 bytes", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.attachFile([T1, FileKind.Prescription, "b".repeat(129)]),
      "InvalidCid",
    );
  });

  it("accepts a discharge summary after discharge, because it is written at discharge", async () => {
    const fx = get();
    await moveT1To(fx, Stage.Discharged);
    await fx.mined(fx.as.staff1.write.attachFile([T1, FileKind.DischargeSummary, CID]));
  });
});

describe("stages", () => {
  for (let from = Stage.Admitted; from <= Stage.Discharged; from++) {
    for (let to = Stage.Admitted; to <= Stage.Closed; to++) {
      const fromName = STAGE_NAMES[from];
      const toName = STAGE_NAMES[to];
      if (to > from) {
        it(`moves from ${fromName} to ${toName}, because stages move forward (skipping is allowed)`, async () => {
          const fx = get();
          await moveT1To(fx, from);
          const { events } = await fx.mined(fx.as.doctor1.write.advanceStage([T1, to]));
          expect(events).toEqual([
            {
              eventName: "StageAdvanced",
              args: { treatmentId: T1, actor: fx.actors.doctor1, fromStage: from, toStage: to },
            },
          ]);
          expect((await fx.as.outsider.read.treatments([T1]))[2]).toBe(to);
        });
      } else {
        it(`refuses ${fromName} to ${toName} with StageNotForward, because stages never move back or stay`, async () => {
          const fx = get();
          await moveT1To(fx, from);
          await expectRevert(fx.as.staff1.write.advanceStage([T1, to]), "StageNotForward", [T1, from, to]);
        });
      }
    }
  }

  for (let to = Stage.Admitted; to <= Stage.Closed; to++) {
    it(`refuses any move from Closed (to ${STAGE_NAMES[to]}) with TreatmentClosed, because a closed treatment is final`, async () => {
      const fx = get();
      await moveT1To(fx, Stage.Closed);
      await expectRevert(fx.as.staff1.write.advanceStage([T1, to]), "TreatmentClosed", [T1]);
    });
  }

  it("refuses stage 5 with InvalidStage, because Closed (4) is the last stage", async () => {
    const fx = get();
    await moveT1To(fx, Stage.Admitted);
    await expectRevert(fx.as.staff1.write.advanceStage([T1, 5]), "InvalidStage", [5]);
  });

  it("refuses stage 255 with InvalidStage, because Closed (4) is the last stage", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.advanceStage([T1, 255]), "InvalidStage", [255]);
  });

  for (let to = Stage.Diagnosed; to <= Stage.Closed; to++) {
    it(`refuses ${STAGE_NAMES[to]} without a diagnosis with DiagnosisRequired, because Diagnosed and later need one`, async () => {
      const fx = get();
      await expectRevert(fx.as.staff1.write.advanceStage([T1, to]), "DiagnosisRequired", [T1]);
    });
  }

  it("walks the whole path Admitted → Closed one step at a time, because that is the normal course of care", async () => {
    const fx = get();
    await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("J18.9")]));
    for (let to = Stage.Diagnosed; to <= Stage.Closed; to++) {
      await fx.mined(fx.as.staff1.write.advanceStage([T1, to]));
    }
    expect((await fx.as.outsider.read.treatments([T1]))[2]).toBe(Stage.Closed);
  });
});

describe("a closed treatment", () => {
  const writes: [string, (fx: Fixture) => Promise<Hash>][] = [
    ["assignDoctor", (fx) => fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor2])],
    ["unassignDoctor", (fx) => fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor1])],
    ["recordDiagnosis", (fx) => fx.as.doctor1.write.recordDiagnosis([T1, icd10("A91")])],
    ["attachFile", (fx) => fx.as.staff1.write.attachFile([T1, FileKind.DischargeSummary, CID])],
    ["advanceStage", (fx) => fx.as.staff1.write.advanceStage([T1, Stage.Closed])],
    ["recordVitals", async (fx) => fx.as.device.write.recordVitals([T1, vitals(await fx.now())])],
    ["recordVitalsBatch", async (fx) => fx.as.device.write.recordVitalsBatch([T1, [vitals(await fx.now())]])],
  ];
  for (const [fn, call] of writes) {
    it(`refuses ${fn} with TreatmentClosed, because Closed blocks every write`, async () => {
      const fx = get();
      await moveT1To(fx, Stage.Closed);
      await expectRevert(call(fx), "TreatmentClosed", [T1]);
    });
  }
});

describe("a discharged treatment", () => {
  it("refuses recordVitals with TreatmentDischarged, because a discharged patient is no longer monitored", async () => {
    const fx = get();
    await moveT1To(fx, Stage.Discharged);
    await expectRevert(fx.as.device.write.recordVitals([T1, vitals(await fx.now())]), "TreatmentDischarged", [
      T1,
    ]);
  });

  it("refuses recordVitalsBatch with TreatmentDischarged, because a discharged patient is no longer monitored", async () => {
    const fx = get();
    await moveT1To(fx, Stage.Discharged);
    await expectRevert(
      fx.as.staff1.write.recordVitalsBatch([T1, [vitals(await fx.now())]]),
      "TreatmentDischarged",
      [T1],
    );
  });

  it("still accepts vitals in treatment, the last stage before discharge, because the patient is still monitored", async () => {
    const fx = get();
    await moveT1To(fx, Stage.InTreatment);
    await fx.mined(fx.as.device.write.recordVitals([T1, vitals(await fx.now())]));
  });

  it("still accepts care-team changes, because follow-up continues until the treatment is closed", async () => {
    const fx = get();
    await moveT1To(fx, Stage.Discharged);
    await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor2]));
    await fx.mined(fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor2]));
  });
});

describe("an unknown treatment", () => {
  const writes: [string, (fx: Fixture, id: bigint) => Promise<Hash>][] = [
    ["assignDoctor", (fx, id) => fx.as.staff1.write.assignDoctor([id, fx.actors.doctor2])],
    ["unassignDoctor", (fx, id) => fx.as.staff1.write.unassignDoctor([id, fx.actors.doctor1])],
    ["recordDiagnosis", (fx, id) => fx.as.doctor1.write.recordDiagnosis([id, icd10("A90")])],
    ["attachFile", (fx, id) => fx.as.staff1.write.attachFile([id, FileKind.LabReport, CID])],
    ["advanceStage", (fx, id) => fx.as.staff1.write.advanceStage([id, Stage.Diagnosed])],
    ["recordVitals", async (fx, id) => fx.as.staff1.write.recordVitals([id, vitals(await fx.now())])],
    [
      "recordVitalsBatch",
      async (fx, id) => fx.as.staff1.write.recordVitalsBatch([id, [vitals(await fx.now())]]),
    ],
  ];
  for (const [fn, call] of writes) {
    it(`refuses ${fn} on treatment 0 with UnknownTreatment, because treatment ids start at 1`, async () => {
      await expectRevert(call(get(), 0n), "UnknownTreatment", [0n]);
    });
    it(`refuses ${fn} on the next unused id with UnknownTreatment, because that treatment is not open yet`, async () => {
      await expectRevert(call(get(), 2n), "UnknownTreatment", [2n]);
    });
  }
});
