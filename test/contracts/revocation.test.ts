/**
 * Revocation: a revoked staff member, doctor or device loses every power at once, and an account
 * registered again starts afresh (no power from its earlier membership comes back). Data-access
 * roles are revoked by governance or renounced by their holder.
 */
import type { Address, Hash } from "viem";
import { describe, expect, it } from "vitest";
import {
  ANALYST_ROLE,
  type DocTelErrorName,
  expectRevert,
  FileKind,
  type Fixture,
  HOSPITAL_1,
  HOSPITAL_2,
  icd10,
  Kind,
  patientData,
  REFS,
  Stage,
  T1,
  useDocTel,
  vitals,
  ZERO_HASH,
} from "./fixture.ts";

const get = useDocTel();

const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

interface LostPower {
  what: string;
  call: (fx: Fixture) => Promise<Hash>;
  error: DocTelErrorName;
  args: (fx: Fixture, revoked: Address) => readonly unknown[];
}

describe("a revoked staff member", () => {
  const lost: LostPower[] = [
    {
      what: "register staff",
      call: (fx) => fx.as.staff1.write.registerStaff([fx.actors.spare1, HOSPITAL_1.id, REFS.spare]),
      error: "NotGovernanceOrStaff",
      args: (_fx, a) => [a, HOSPITAL_1.id],
    },
    {
      what: "register a doctor",
      call: (fx) => fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 3]),
      error: "NotGovernanceOrStaff",
      args: (_fx, a) => [a, 0],
    },
    {
      what: "register a device",
      call: (fx) => fx.as.staff1.write.registerDevice([fx.actors.spare1, REFS.patientA]),
      error: "NotGovernanceOrStaff",
      args: (_fx, a) => [a, 0],
    },
    {
      what: "revoke a member",
      call: (fx) => fx.as.staff1.write.revokeMember([fx.actors.doctor2]),
      error: "NotGovernanceOrStaff",
      args: (_fx, a) => [a, HOSPITAL_1.id],
    },
    {
      what: "register a patient",
      call: (fx) => fx.as.staff1.write.registerPatient([REFS.patientC, patientData()]),
      error: "NotClinician",
      args: (_fx, a) => [a],
    },
    {
      what: "update a patient",
      call: (fx) => fx.as.staff1.write.updatePatient([REFS.patientA, patientData()]),
      error: "NotClinician",
      args: (_fx, a) => [a],
    },
    {
      what: "open a treatment",
      call: (fx) => fx.as.staff1.write.openTreatment([REFS.patientA]),
      error: "NotClinician",
      args: (_fx, a) => [a],
    },
    {
      what: "assign a doctor",
      call: (fx) => fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor2]),
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "unassign a doctor",
      call: (fx) => fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor1]),
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "attach a file",
      call: (fx) => fx.as.staff1.write.attachFile([T1, FileKind.LabReport, CID]),
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "advance the stage",
      call: async (fx) => {
        await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("J18.9")]));
        return fx.as.staff1.write.advanceStage([T1, Stage.Diagnosed]);
      },
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "record vitals",
      call: async (fx) => fx.as.staff1.write.recordVitals([T1, vitals(await fx.now())]),
      error: "NotVitalsRecorder",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "record a vitals batch",
      call: async (fx) => fx.as.staff1.write.recordVitalsBatch([T1, [vitals(await fx.now())]]),
      error: "NotVitalsRecorder",
      args: (_fx, a) => [a, T1],
    },
  ];

  for (const { what, call, error, args } of lost) {
    it(`cannot ${what} any more, because revocation removes every power of the account`, async () => {
      const fx = get();
      await fx.mined(fx.as.governance.write.revokeMember([fx.actors.staff1]));
      await expectRevert(call(fx), error, args(fx, fx.actors.staff1));
    });
  }

  it("is no longer a member, because revocation clears the membership", async () => {
    const fx = get();
    await fx.mined(fx.as.staff2.write.registerStaff([fx.actors.spare1, HOSPITAL_2.id, REFS.spare]));
    await fx.mined(fx.as.spare1.write.revokeMember([fx.actors.staff2]));
    expect(await fx.as.outsider.read.members([fx.actors.staff2])).toEqual([Kind.None, 0]);
  });

  it("may revoke themselves, and then loses every power, because staff may revoke members of their hospital", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.staff1]));
    await expectRevert(fx.as.staff1.write.openTreatment([REFS.patientA]), "NotClinician", [fx.actors.staff1]);
  });

  it("registered again at another hospital acts there only, because the new membership replaces the old one", async () => {
    const fx = get();
    await fx.mined(fx.as.governance.write.revokeMember([fx.actors.staff1]));
    await fx.mined(fx.as.staff2.write.registerStaff([fx.actors.staff1, HOSPITAL_2.id, REFS.staff1]));
    expect(await fx.as.outsider.read.members([fx.actors.staff1])).toEqual([Kind.Staff, HOSPITAL_2.id]);
    const { events } = await fx.mined(fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 3]));
    expect(events[0]?.args.hospitalId).toBe(HOSPITAL_2.id);
    await expectRevert(
      fx.as.staff1.write.registerStaff([fx.actors.spare2, HOSPITAL_1.id, REFS.spare]),
      "NotGovernanceOrStaff",
      [fx.actors.staff1, HOSPITAL_1.id],
    );
    await expectRevert(fx.as.staff1.write.attachFile([T1, FileKind.Other, CID]), "NotCareTeam", [
      fx.actors.staff1,
      T1,
    ]);
  });
});

describe("a revoked doctor", () => {
  const lost: LostPower[] = [
    {
      what: "register a patient",
      call: (fx) => fx.as.doctor1.write.registerPatient([REFS.patientC, patientData()]),
      error: "NotClinician",
      args: (_fx, a) => [a],
    },
    {
      what: "update a patient",
      call: (fx) => fx.as.doctor1.write.updatePatient([REFS.patientA, patientData()]),
      error: "NotClinician",
      args: (_fx, a) => [a],
    },
    {
      what: "open a treatment",
      call: (fx) => fx.as.doctor1.write.openTreatment([REFS.patientA]),
      error: "NotClinician",
      args: (_fx, a) => [a],
    },
    {
      what: "assign a colleague to a treatment they were assigned to",
      call: (fx) => fx.as.doctor1.write.assignDoctor([T1, fx.actors.doctor2]),
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "unassign a colleague",
      call: async (fx) => {
        await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor2]));
        return fx.as.doctor1.write.unassignDoctor([T1, fx.actors.doctor2]);
      },
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "record a diagnosis",
      call: (fx) => fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]),
      error: "NotAssignedDoctor",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "attach a file",
      call: (fx) => fx.as.doctor1.write.attachFile([T1, FileKind.Prescription, CID]),
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "advance the stage",
      call: async (fx) => {
        await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor2]));
        await fx.mined(fx.as.doctor2.write.recordDiagnosis([T1, icd10("A90")]));
        return fx.as.doctor1.write.advanceStage([T1, Stage.Diagnosed]);
      },
      error: "NotCareTeam",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "record vitals",
      call: async (fx) => fx.as.doctor1.write.recordVitals([T1, vitals(await fx.now())]),
      error: "NotVitalsRecorder",
      args: (_fx, a) => [a, T1],
    },
    {
      what: "record a vitals batch",
      call: async (fx) => fx.as.doctor1.write.recordVitalsBatch([T1, [vitals(await fx.now())]]),
      error: "NotVitalsRecorder",
      args: (_fx, a) => [a, T1],
    },
  ];

  for (const { what, call, error, args } of lost) {
    it(`cannot ${what} any more, because revocation removes every power of the account`, async () => {
      const fx = get();
      await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.doctor1]));
      await expectRevert(call(fx), error, args(fx, fx.actors.doctor1));
    });
  }

  it("is no longer assigned to any treatment, because revocation ends every assignment", async () => {
    const fx = get();
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor1])).toBe(true);
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.doctor1]));
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor1])).toBe(false);
    await expectRevert(fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor1]), "DoctorNotAssigned", [
      T1,
      fx.actors.doctor1,
    ]);
  });

  it("cannot be assigned while revoked, because only current doctors join a care team", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.doctor2]));
    await expectRevert(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor2]), "NotADoctor", [
      fx.actors.doctor2,
    ]);
  });

  it("registered again does not regain their old assignments, because revocation ended them for good", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.doctor1]));
    await fx.mined(fx.as.staff2.write.registerDoctor([fx.actors.doctor1, REFS.doctor1, 12]));
    expect(await fx.as.outsider.read.members([fx.actors.doctor1])).toEqual([Kind.Doctor, HOSPITAL_2.id]);
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
  });

  it("registered again can be assigned afresh and then diagnoses, because the new membership is a full doctor", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.doctor1]));
    await fx.mined(fx.as.staff1.write.registerDoctor([fx.actors.doctor1, REFS.doctor1, 12]));
    await fx.mined(fx.as.staff1.write.assignDoctor([T1, fx.actors.doctor1]));
    expect(await fx.as.outsider.read.isAssigned([T1, fx.actors.doctor1])).toBe(true);
    const { events } = await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]));
    expect(events).toEqual([
      {
        eventName: "DiagnosisRecorded",
        args: { treatmentId: T1, doctor: fx.actors.doctor1, icd10: icd10("A90") },
      },
    ]);
  });

  it("revoked twice refuses the second revocation, because the account is no longer a member", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.doctor1]));
    await expectRevert(fx.as.staff1.write.revokeMember([fx.actors.doctor1]), "NotMember", [
      fx.actors.doctor1,
    ]);
  });
});

describe("a revoked device", () => {
  it("cannot record vitals any more, because revocation removes its binding", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.device]));
    expect(await fx.as.outsider.read.deviceBinding([fx.actors.device])).toBe(ZERO_HASH);
    expect(await fx.as.outsider.read.members([fx.actors.device])).toEqual([Kind.None, 0]);
    await expectRevert(fx.as.device.write.recordVitals([T1, vitals(await fx.now())]), "NotVitalsRecorder", [
      fx.actors.device,
      T1,
    ]);
  });

  it("cannot upload a vitals batch any more, because revocation removes its binding", async () => {
    const fx = get();
    await fx.mined(fx.as.governance.write.revokeMember([fx.actors.device]));
    await expectRevert(
      fx.as.device.write.recordVitalsBatch([T1, [vitals(await fx.now())]]),
      "NotVitalsRecorder",
      [fx.actors.device, T1],
    );
  });

  it("registered again for another patient records only for that patient, because the binding is new", async () => {
    const fx = get();
    await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.device]));
    await fx.mined(fx.as.staff1.write.registerDevice([fx.actors.device, REFS.patientB]));
    await fx.mined(fx.as.staff1.write.openTreatment([REFS.patientB]));
    const t2 = 2n;
    await expectRevert(fx.as.device.write.recordVitals([T1, vitals(await fx.now())]), "NotVitalsRecorder", [
      fx.actors.device,
      T1,
    ]);
    const { events } = await fx.mined(fx.as.device.write.recordVitals([t2, vitals(await fx.now())]));
    expect(events.map((e) => [e.eventName, e.args.treatmentId, e.args.recorder])).toEqual([
      ["VitalsRecorded", t2, fx.actors.device],
    ]);
  });
});

describe("revocation errors", () => {
  it("refuses to revoke an account that was never a member, because there is nothing to revoke", async () => {
    const fx = get();
    await expectRevert(fx.as.governance.write.revokeMember([fx.actors.outsider]), "NotMember", [
      fx.actors.outsider,
    ]);
  });

  it("refuses to revoke governance through revokeMember, because governance is not a hospital member", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.revokeMember([fx.actors.governance]), "NotMember", [
      fx.actors.governance,
    ]);
  });

  it("refuses to register a member twice without revocation, because an account holds one membership", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDoctor([fx.actors.doctor1, REFS.doctor1, 12]),
      "AlreadyMember",
      [fx.actors.doctor1],
    );
  });
});

describe("data-access roles", () => {
  it("are revoked by governance, because governance administers them", async () => {
    const fx = get();
    await fx.mined(fx.as.governance.write.revokeRole([ANALYST_ROLE, fx.actors.analyst]));
    expect(await fx.as.outsider.read.hasRole([ANALYST_ROLE, fx.actors.analyst])).toBe(false);
  });

  it("are renounced by their holder, because anyone may give up their own role", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.analyst.write.renounceRole([ANALYST_ROLE, fx.actors.analyst]));
    expect(events).toEqual([
      {
        eventName: "RoleRevoked",
        args: { role: ANALYST_ROLE, account: fx.actors.analyst, sender: fx.actors.analyst },
      },
    ]);
    expect(await fx.as.outsider.read.hasRole([ANALYST_ROLE, fx.actors.analyst])).toBe(false);
  });

  it("cannot be renounced on someone else's behalf, because renouncing needs the holder's own confirmation", async () => {
    const fx = get();
    await expectRevert(
      fx.as.outsider.write.renounceRole([ANALYST_ROLE, fx.actors.analyst]),
      "AccessControlBadConfirmation",
    );
    expect(await fx.as.outsider.read.hasRole([ANALYST_ROLE, fx.actors.analyst])).toBe(true);
  });
});
