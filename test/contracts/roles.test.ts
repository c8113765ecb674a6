/**
 * Who may call what: for every state-changing DocTel function, each role that may call it does
 * so successfully (and is recorded as the actor), and each role that may not is refused with the
 * custom error naming it. Also: nobody can grant themselves a role (the prototype's open
 * addAdmin).
 */
import type { Address, Hash } from "viem";
import { describe, expect, it } from "vitest";
import {
  type ActorName,
  ANALYST_ROLE,
  AUDITOR_ROLE,
  DEFAULT_ADMIN_ROLE,
  type DocTelErrorName,
  expectRevert,
  FileKind,
  type Fixture,
  HOSPITAL_1,
  HOSPITAL_2,
  icd10,
  Kind,
  PUBLIC_HEALTH_ROLE,
  patientData,
  REFS,
  Stage,
  T1,
  useDocTel,
  vitals,
} from "./fixture.ts";

const get = useDocTel();

const CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

interface Allowed {
  who: ActorName;
  because: string;
}
interface Forbidden {
  who: ActorName;
  error: DocTelErrorName;
  /** The error's arguments, given the caller's address. */
  args: (caller: Address, fx: Fixture) => readonly unknown[];
  because: string;
}
interface Rule {
  fn: string;
  setup?: (fx: Fixture) => Promise<void>;
  call: (fx: Fixture, who: ActorName) => Promise<Hash>;
  /** The event that records the call; its actor field must be the caller. */
  event: string;
  actorField: string;
  allowed: Allowed[];
  forbidden: Forbidden[];
}

const notGovOrStaff = (hospitalId: number) => (caller: Address) => [caller, hospitalId];
const callerOnly = (caller: Address) => [caller];
const callerAndT1 = (caller: Address) => [caller, T1];
const unauthorized = (caller: Address) => [caller, DEFAULT_ADMIN_ROLE];

const rules: Rule[] = [
  {
    fn: "registerHospital",
    call: (fx, who) => fx.as[who].write.registerHospital(["SMS Hospital Jaipur", 8, 102]),
    event: "HospitalRegistered",
    actorField: "actor",
    allowed: [{ who: "governance", because: "governance registers hospitals" }],
    forbidden: (["staff1", "doctor1", "device", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "AccessControlUnauthorizedAccount",
      args: unauthorized,
      because: "only governance registers hospitals",
    })),
  },
  {
    fn: "registerStaff",
    call: (fx, who) => fx.as[who].write.registerStaff([fx.actors.spare1, HOSPITAL_1.id, REFS.spare]),
    event: "StaffRegistered",
    actorField: "actor",
    allowed: [
      { who: "governance", because: "governance registers staff at any hospital" },
      { who: "staff1", because: "staff register colleagues at their own hospital" },
    ],
    forbidden: [
      {
        who: "staff2",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "staff register staff only at their own hospital",
      },
      ...(["doctor1", "device", "outsider", "analyst"] as const).map((who) => ({
        who,
        error: "NotGovernanceOrStaff" as const,
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "only governance and the hospital's staff register staff",
      })),
    ],
  },
  {
    fn: "registerDoctor",
    call: (fx, who) => fx.as[who].write.registerDoctor([fx.actors.spare1, REFS.spare, 5]),
    event: "DoctorRegistered",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "staff register doctors at their hospital" },
      { who: "staff2", because: "staff of any hospital register doctors at their own" },
    ],
    forbidden: [
      {
        who: "governance",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(0),
        because: "doctors are registered by a hospital's staff, not by governance",
      },
      {
        who: "doctor1",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "doctors do not register doctors",
      },
      {
        who: "device",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "devices have no registration power",
      },
      {
        who: "outsider",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(0),
        because: "outsiders have no role",
      },
      {
        who: "analyst",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(0),
        because: "data-access roles carry no write power",
      },
    ],
  },
  {
    fn: "registerDevice",
    call: (fx, who) => fx.as[who].write.registerDevice([fx.actors.spare1, REFS.patientB]),
    event: "DeviceRegistered",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "staff register their hospital's devices" },
      { who: "staff2", because: "staff of any hospital register devices at their own" },
    ],
    forbidden: [
      {
        who: "governance",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(0),
        because: "devices are registered by a hospital's staff, not by governance",
      },
      {
        who: "doctor1",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "doctors do not register devices",
      },
      {
        who: "device",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "a device cannot register devices",
      },
      {
        who: "outsider",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(0),
        because: "outsiders have no role",
      },
    ],
  },
  {
    fn: "revokeMember",
    call: (fx, who) => fx.as[who].write.revokeMember([fx.actors.doctor2]),
    event: "MemberRevoked",
    actorField: "actor",
    allowed: [
      { who: "governance", because: "governance revokes anyone" },
      { who: "staff1", because: "staff revoke members of their own hospital" },
    ],
    forbidden: [
      {
        who: "staff2",
        error: "NotGovernanceOrStaff",
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "staff cannot revoke another hospital's members",
      },
      ...(["doctor1", "device", "outsider", "analyst"] as const).map((who) => ({
        who,
        error: "NotGovernanceOrStaff" as const,
        args: notGovOrStaff(HOSPITAL_1.id),
        because: "only governance and the member's hospital staff revoke",
      })),
    ],
  },
  {
    fn: "registerPatient",
    call: (fx, who) => fx.as[who].write.registerPatient([REFS.patientC, patientData()]),
    event: "PatientRegistered",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "staff register patients" },
      { who: "staff2", because: "staff of every hospital register patients (the record is nationwide)" },
      { who: "doctor1", because: "doctors register patients" },
      { who: "doctor3", because: "doctors of every hospital register patients" },
    ],
    forbidden: (["governance", "device", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "NotClinician",
      args: callerOnly,
      because: "only staff and doctors register patients",
    })),
  },
  {
    fn: "updatePatient",
    call: (fx, who) => fx.as[who].write.updatePatient([REFS.patientA, patientData({ weightGrams: 61_000 })]),
    event: "PatientUpdated",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "staff update patients" },
      { who: "staff2", because: "staff of another hospital update the nationwide record" },
      { who: "doctor1", because: "doctors update patients" },
      { who: "doctor3", because: "doctors of another hospital update the nationwide record" },
    ],
    forbidden: (["governance", "device", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "NotClinician",
      args: callerOnly,
      because: "only staff and doctors update patients",
    })),
  },
  {
    fn: "openTreatment",
    call: (fx, who) => fx.as[who].write.openTreatment([REFS.patientB]),
    event: "TreatmentOpened",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "staff open treatments at their hospital" },
      { who: "staff2", because: "staff of any hospital open treatments there" },
      { who: "doctor1", because: "doctors open treatments" },
      { who: "doctor3", because: "doctors of any hospital open treatments there" },
    ],
    forbidden: (["governance", "device", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "NotClinician",
      args: callerOnly,
      because: "only staff and doctors open treatments",
    })),
  },
  {
    fn: "assignDoctor",
    call: (fx, who) => fx.as[who].write.assignDoctor([T1, fx.actors.doctor2]),
    event: "DoctorAssigned",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "the treatment's hospital staff build its care team" },
      { who: "doctor1", because: "an assigned doctor calls in colleagues" },
    ],
    forbidden: [
      {
        who: "doctor2",
        error: "NotCareTeam",
        args: callerAndT1,
        because: "a doctor cannot assign themselves to a treatment",
      },
      ...(["staff2", "doctor3", "governance", "device", "outsider", "analyst"] as const).map((who) => ({
        who,
        error: "NotCareTeam" as const,
        args: callerAndT1,
        because: "only the treatment's hospital staff and assigned doctors assign",
      })),
    ],
  },
  {
    fn: "unassignDoctor",
    call: (fx, who) => fx.as[who].write.unassignDoctor([T1, fx.actors.doctor1]),
    event: "DoctorUnassigned",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "the treatment's hospital staff manage its care team" },
      { who: "doctor1", because: "an assigned doctor may step down" },
    ],
    forbidden: (["staff2", "doctor2", "doctor3", "governance", "device", "outsider", "analyst"] as const).map(
      (who) => ({
        who,
        error: "NotCareTeam",
        args: callerAndT1,
        because: "only the treatment's hospital staff and assigned doctors unassign",
      }),
    ),
  },
  {
    fn: "recordDiagnosis",
    call: (fx, who) => fx.as[who].write.recordDiagnosis([T1, icd10("A90")]),
    event: "DiagnosisRecorded",
    actorField: "doctor",
    allowed: [{ who: "doctor1", because: "the assigned doctor diagnoses" }],
    forbidden: [
      {
        who: "staff1",
        error: "NotAssignedDoctor",
        args: callerAndT1,
        because: "a diagnosis is a doctor's act, even for the hospital's staff",
      },
      {
        who: "doctor2",
        error: "NotAssignedDoctor",
        args: callerAndT1,
        because: "a doctor of the same hospital who is not assigned cannot diagnose",
      },
      ...(["doctor3", "staff2", "governance", "device", "outsider", "analyst"] as const).map((who) => ({
        who,
        error: "NotAssignedDoctor" as const,
        args: callerAndT1,
        because: "only assigned doctors diagnose",
      })),
    ],
  },
  {
    fn: "attachFile",
    call: (fx, who) => fx.as[who].write.attachFile([T1, FileKind.LabReport, CID]),
    event: "FileAttached",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "the hospital's staff upload reports" },
      { who: "doctor1", because: "an assigned doctor attaches prescriptions and reports" },
    ],
    forbidden: (["staff2", "doctor2", "doctor3", "governance", "device", "outsider", "analyst"] as const).map(
      (who) => ({
        who,
        error: "NotCareTeam",
        args: callerAndT1,
        because: "only the care team attaches files",
      }),
    ),
  },
  {
    fn: "advanceStage",
    setup: async (fx) => {
      await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]));
    },
    call: (fx, who) => fx.as[who].write.advanceStage([T1, Stage.Diagnosed]),
    event: "StageAdvanced",
    actorField: "actor",
    allowed: [
      { who: "staff1", because: "the hospital's staff move treatments along" },
      { who: "doctor1", because: "an assigned doctor moves the treatment along" },
    ],
    forbidden: (["staff2", "doctor2", "doctor3", "governance", "device", "outsider", "analyst"] as const).map(
      (who) => ({
        who,
        error: "NotCareTeam",
        args: callerAndT1,
        because: "only the care team advances the stage",
      }),
    ),
  },
  {
    fn: "recordVitals",
    call: async (fx, who) => fx.as[who].write.recordVitals([T1, vitals(await fx.now())]),
    event: "VitalsRecorded",
    actorField: "recorder",
    allowed: [
      { who: "staff1", because: "the hospital's nurses record vitals" },
      { who: "doctor1", because: "an assigned doctor records vitals" },
      { who: "device", because: "a device bound to the patient streams vitals" },
    ],
    forbidden: (["staff2", "doctor2", "doctor3", "governance", "outsider", "analyst"] as const).map(
      (who) => ({
        who,
        error: "NotVitalsRecorder",
        args: callerAndT1,
        because: "only the hospital's staff, assigned doctors and the patient's devices record vitals",
      }),
    ),
  },
  {
    fn: "recordVitalsBatch",
    call: async (fx, who) => {
      const t = await fx.now();
      return fx.as[who].write.recordVitalsBatch([T1, [vitals(t - 60), vitals(t)]]);
    },
    event: "VitalsRecorded",
    actorField: "recorder",
    allowed: [
      { who: "device", because: "a device uploads its buffer" },
      { who: "staff1", because: "the hospital's staff may upload a batch" },
      { who: "doctor1", because: "an assigned doctor may upload a batch" },
    ],
    forbidden: (["staff2", "doctor2", "governance", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "NotVitalsRecorder",
      args: callerAndT1,
      because: "only the hospital's staff, assigned doctors and the patient's devices record vitals",
    })),
  },
  {
    fn: "grantRole",
    call: (fx, who) => fx.as[who].write.grantRole([ANALYST_ROLE, fx.actors.spare1]),
    event: "RoleGranted",
    actorField: "sender",
    allowed: [{ who: "governance", because: "governance grants the data-access roles" }],
    forbidden: (["staff1", "doctor1", "device", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "AccessControlUnauthorizedAccount",
      args: unauthorized,
      because: "only governance grants data-access roles",
    })),
  },
  {
    fn: "revokeRole",
    call: (fx, who) => fx.as[who].write.revokeRole([ANALYST_ROLE, fx.actors.analyst]),
    event: "RoleRevoked",
    actorField: "sender",
    allowed: [{ who: "governance", because: "governance revokes data-access roles" }],
    forbidden: (["staff1", "doctor1", "outsider", "analyst"] as const).map((who) => ({
      who,
      error: "AccessControlUnauthorizedAccount",
      args: unauthorized,
      because: "only governance revokes data-access roles (holders may renounce their own)",
    })),
  },
];

for (const rule of rules) {
  describe(rule.fn, () => {
    for (const { who, because } of rule.allowed) {
      it(`lets ${who} call ${rule.fn}, because ${because}`, async () => {
        const fx = get();
        await rule.setup?.(fx);
        const { events } = await fx.mined(rule.call(fx, who));
        const recorded = events.filter((e) => e.eventName === rule.event);
        expect(recorded.length).toBeGreaterThan(0);
        for (const e of recorded) expect(e.args[rule.actorField]).toBe(fx.actors[who]);
      });
    }
    for (const { who, error, args, because } of rule.forbidden) {
      it(`refuses ${rule.fn} from ${who} with ${error}, because ${because}`, async () => {
        const fx = get();
        await rule.setup?.(fx);
        await expectRevert(rule.call(fx, who), error, args(fx.actors[who], fx));
      });
    }
  });
}

describe("nobody grants themselves a role", () => {
  it("refuses an outsider who grants itself the governance role, because it changes hands only by the two-step transfer", async () => {
    const fx = get();
    await expectRevert(
      fx.as.outsider.write.grantRole([DEFAULT_ADMIN_ROLE, fx.actors.outsider]),
      "AccessControlEnforcedDefaultAdminRules",
    );
    expect(await fx.as.outsider.read.hasRole([DEFAULT_ADMIN_ROLE, fx.actors.outsider])).toBe(false);
  });

  it("refuses even governance a direct grant of the governance role, because it changes hands only by the two-step transfer", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.grantRole([DEFAULT_ADMIN_ROLE, fx.actors.multisig]),
      "AccessControlEnforcedDefaultAdminRules",
    );
  });

  for (const [name, role] of [
    ["ANALYST", ANALYST_ROLE],
    ["PUBLIC_HEALTH", PUBLIC_HEALTH_ROLE],
    ["AUDITOR", AUDITOR_ROLE],
  ] as const) {
    it(`refuses an outsider who grants itself ${name}, because only governance grants data-access roles`, async () => {
      const fx = get();
      await expectRevert(
        fx.as.outsider.write.grantRole([role, fx.actors.outsider]),
        "AccessControlUnauthorizedAccount",
        [fx.actors.outsider, DEFAULT_ADMIN_ROLE],
      );
      expect(await fx.as.outsider.read.hasRole([role, fx.actors.outsider])).toBe(false);
    });
  }

  it("refuses an analyst who grants ANALYST to another account, because holding a role does not administer it", async () => {
    const fx = get();
    await expectRevert(
      fx.as.analyst.write.grantRole([ANALYST_ROLE, fx.actors.spare1]),
      "AccessControlUnauthorizedAccount",
      [fx.actors.analyst, DEFAULT_ADMIN_ROLE],
    );
  });

  it("refuses an outsider who registers itself as staff, because only governance and the hospital's staff register staff", async () => {
    const fx = get();
    await expectRevert(
      fx.as.outsider.write.registerStaff([fx.actors.outsider, HOSPITAL_1.id, REFS.spare]),
      "NotGovernanceOrStaff",
      [fx.actors.outsider, HOSPITAL_1.id],
    );
    expect(await fx.as.outsider.read.members([fx.actors.outsider])).toEqual([Kind.None, 0]);
  });

  it("refuses a doctor who registers itself as staff, because doctors cannot register staff", async () => {
    const fx = get();
    await expectRevert(
      fx.as.doctor1.write.registerStaff([fx.actors.doctor1, HOSPITAL_1.id, REFS.doctor1]),
      "NotGovernanceOrStaff",
      [fx.actors.doctor1, HOSPITAL_1.id],
    );
  });

  it("refuses a device that registers itself as staff, because devices cannot register anyone", async () => {
    const fx = get();
    await expectRevert(
      fx.as.device.write.registerStaff([fx.actors.device, HOSPITAL_1.id, REFS.spare]),
      "NotGovernanceOrStaff",
      [fx.actors.device, HOSPITAL_1.id],
    );
  });

  it("refuses staff who register themselves at another hospital, because staff act only at their own", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerStaff([fx.actors.staff1, HOSPITAL_2.id, REFS.staff1]),
      "NotGovernanceOrStaff",
      [fx.actors.staff1, HOSPITAL_2.id],
    );
  });

  it("refuses staff who register themselves as a doctor, because an account holds one membership", async () => {
    const fx = get();
    await expectRevert(
      fx.as.staff1.write.registerDoctor([fx.actors.staff1, REFS.staff1, 1]),
      "AlreadyMember",
      [fx.actors.staff1],
    );
    expect(await fx.as.staff1.read.members([fx.actors.staff1])).toEqual([Kind.Staff, HOSPITAL_1.id]);
  });

  it("refuses an outsider who starts a governance transfer to itself, because only governance starts one", async () => {
    const fx = get();
    await expectRevert(
      fx.as.outsider.write.beginDefaultAdminTransfer([fx.actors.outsider]),
      "AccessControlUnauthorizedAccount",
      [fx.actors.outsider, DEFAULT_ADMIN_ROLE],
    );
  });

  it("refuses an outsider who accepts a governance transfer, because only the pending admin accepts", async () => {
    const fx = get();
    await expectRevert(
      fx.as.outsider.write.acceptDefaultAdminTransfer(),
      "AccessControlInvalidDefaultAdmin",
      [fx.actors.outsider],
    );
  });
});
