/**
 * Events: every state change emits an event carrying everything the indexer needs. Each test
 * asserts every field of every event of a transaction (decoded with viem's parseEventLogs), and
 * the event signatures themselves are pinned, because the indexer and SDK decode them.
 */
import { encodeFunctionData } from "viem";
import { describe, expect, it } from "vitest";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import {
  ANALYST_ROLE,
  AUDITOR_ROLE,
  decodeNumbered,
  expectRevert,
  FileKind,
  HOSPITAL_1,
  HOSPITAL_2,
  icd10,
  Kind,
  PUBLIC_HEALTH_ROLE,
  patientData,
  personRef,
  REFS,
  Stage,
  T1,
  useDocTel,
  vitals,
} from "./fixture.ts";

const get = useDocTel();

const CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

describe("event signatures", () => {
  it("keeps every event's name, field order, types and indexed fields, because the indexer and SDK decode them; every DocTel event's first field is its number", () => {
    const signatures = docTelAbi
      .filter((item) => item.type === "event")
      .map(
        (e) =>
          `${e.name}(${e.inputs.map((i) => `${i.type}${i.indexed ? " indexed" : ""} ${i.name}`).join(", ")})`,
      )
      .sort();
    expect(signatures).toEqual([
      "AccessControlSequenced(uint64 seq, uint8 count)",
      "DefaultAdminDelayChangeCanceled()",
      "DefaultAdminDelayChangeScheduled(uint48 newDelay, uint48 effectSchedule)",
      "DefaultAdminTransferCanceled()",
      "DefaultAdminTransferScheduled(address indexed newAdmin, uint48 acceptSchedule)",
      "DeviceRegistered(uint64 seq, address indexed device, uint32 indexed hospitalId, address indexed actor, bytes32 patientRef)",
      "DiagnosisRecorded(uint64 seq, uint64 indexed treatmentId, address indexed doctor, bytes8 icd10)",
      "DoctorAssigned(uint64 seq, uint64 indexed treatmentId, address indexed doctor, address indexed actor)",
      "DoctorRegistered(uint64 seq, address indexed account, uint32 indexed hospitalId, address indexed actor, bytes32 personRef, uint16 specialty)",
      "DoctorUnassigned(uint64 seq, uint64 indexed treatmentId, address indexed doctor, address indexed actor)",
      "FileAttached(uint64 seq, uint64 indexed treatmentId, address indexed actor, uint8 kind, string cid)",
      "HospitalRegistered(uint64 seq, uint32 indexed hospitalId, address indexed actor, uint8 stateCode, uint16 districtCode, string name)",
      "MemberRevoked(uint64 seq, address indexed account, uint32 indexed hospitalId, address indexed actor, uint8 kind)",
      "PatientRegistered(uint64 seq, bytes32 indexed patientRef, uint32 indexed hospitalId, address indexed actor, uint32 weightGrams, uint16 heightCm, uint8 sex, uint8 bloodGroup, int32 birthDate, uint8 stateCode, uint16 districtCode)",
      "PatientUpdated(uint64 seq, bytes32 indexed patientRef, uint32 indexed hospitalId, address indexed actor, uint32 weightGrams, uint16 heightCm, uint8 sex, uint8 bloodGroup, int32 birthDate, uint8 stateCode, uint16 districtCode)",
      "RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)",
      "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
      "RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
      "StaffRegistered(uint64 seq, address indexed account, uint32 indexed hospitalId, address indexed actor, bytes32 personRef)",
      "StageAdvanced(uint64 seq, uint64 indexed treatmentId, address indexed actor, uint8 fromStage, uint8 toStage)",
      "TreatmentOpened(uint64 seq, uint64 indexed treatmentId, bytes32 indexed patientRef, uint32 indexed hospitalId, address actor)",
      "VitalsRecorded(uint64 seq, uint64 indexed treatmentId, address indexed recorder, uint40 measuredAt, uint16 temperatureCentiC, uint16 systolicMmHg, uint16 diastolicMmHg, uint16 heartRateBpm, uint16 spo2Permille)",
    ]);
  });
});

describe("hospitals and members", () => {
  it("HospitalRegistered carries the id, governance, region and name", async () => {
    const fx = get();
    const { events } = await fx.mined(
      fx.as.governance.write.registerHospital(["SMS Hospital Jaipur", 8, 102]),
    );
    expect(events).toEqual([
      {
        eventName: "HospitalRegistered",
        args: {
          hospitalId: 3,
          actor: fx.actors.governance,
          stateCode: 8,
          districtCode: 102,
          name: "SMS Hospital Jaipur",
        },
      },
    ]);
  });

  it("StaffRegistered carries the account, hospital, registering actor and person reference", async () => {
    const fx = get();
    const { events } = await fx.mined(
      fx.as.staff2.write.registerStaff([fx.actors.spare1, HOSPITAL_2.id, REFS.spare]),
    );
    expect(events).toEqual([
      {
        eventName: "StaffRegistered",
        args: {
          account: fx.actors.spare1,
          hospitalId: HOSPITAL_2.id,
          actor: fx.actors.staff2,
          personRef: REFS.spare,
        },
      },
    ]);
  });

  it("DoctorRegistered carries the account, the staff member's hospital, the actor, reference and specialty", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 64]));
    expect(events).toEqual([
      {
        eventName: "DoctorRegistered",
        args: {
          account: fx.actors.spare1,
          hospitalId: HOSPITAL_1.id,
          actor: fx.actors.staff1,
          personRef: REFS.spare,
          specialty: 64,
        },
      },
    ]);
  });

  it("DeviceRegistered carries the device, the staff member's hospital, the actor and the bound patient", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.staff2.write.registerDevice([fx.actors.spare1, REFS.patientB]));
    expect(events).toEqual([
      {
        eventName: "DeviceRegistered",
        args: {
          device: fx.actors.spare1,
          hospitalId: HOSPITAL_2.id,
          actor: fx.actors.staff2,
          patientRef: REFS.patientB,
        },
      },
    ]);
  });

  for (const [who, kind, name] of [
    ["staff2", Kind.Staff, "staff member"],
    ["doctor3", Kind.Doctor, "doctor"],
  ] as const) {
    it(`MemberRevoked carries the ${name}, its hospital, the actor and kind ${kind}`, async () => {
      const fx = get();
      const { events } = await fx.mined(fx.as.governance.write.revokeMember([fx.actors[who]]));
      expect(events).toEqual([
        {
          eventName: "MemberRevoked",
          args: { account: fx.actors[who], hospitalId: HOSPITAL_2.id, actor: fx.actors.governance, kind },
        },
      ]);
    });
  }

  it("MemberRevoked carries a device's kind 3, so the indexer drops its binding", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.staff1.write.revokeMember([fx.actors.device]));
    expect(events).toEqual([
      {
        eventName: "MemberRevoked",
        args: {
          account: fx.actors.device,
          hospitalId: HOSPITAL_1.id,
          actor: fx.actors.staff1,
          kind: Kind.Device,
        },
      },
    ]);
  });
});

describe("data-access roles", () => {
  for (const [name, role] of [
    ["ANALYST", ANALYST_ROLE],
    ["PUBLIC_HEALTH", PUBLIC_HEALTH_ROLE],
    ["AUDITOR", AUDITOR_ROLE],
  ] as const) {
    it(`RoleGranted carries ${name}, the account and governance as sender`, async () => {
      const fx = get();
      const { events } = await fx.mined(fx.as.governance.write.grantRole([role, fx.actors.spare1]));
      expect(events).toEqual([
        { eventName: "RoleGranted", args: { role, account: fx.actors.spare1, sender: fx.actors.governance } },
      ]);
    });
  }

  it("RoleRevoked carries the role, the account and governance as sender", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.governance.write.revokeRole([ANALYST_ROLE, fx.actors.analyst]));
    expect(events).toEqual([
      {
        eventName: "RoleRevoked",
        args: { role: ANALYST_ROLE, account: fx.actors.analyst, sender: fx.actors.governance },
      },
    ]);
  });

  it("emits nothing for a grant that changes nothing, because the role is already held", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.governance.write.grantRole([ANALYST_ROLE, fx.actors.analyst]));
    expect(events).toEqual([]);
  });
});

describe("patients", () => {
  it("PatientRegistered carries the reference, the clinician's hospital, the actor and every demographic field", async () => {
    const fx = get();
    const d = patientData({
      weightGrams: 3_400,
      heightCm: 51,
      sex: 2,
      bloodGroup: 6,
      birthDate: 20_000,
      stateCode: 27,
      districtCode: 482,
    });
    const { events } = await fx.mined(fx.as.doctor3.write.registerPatient([REFS.patientC, d]));
    expect(events).toEqual([
      {
        eventName: "PatientRegistered",
        args: {
          patientRef: REFS.patientC,
          hospitalId: HOSPITAL_2.id,
          actor: fx.actors.doctor3,
          weightGrams: 3_400,
          heightCm: 51,
          sex: 2,
          bloodGroup: 6,
          birthDate: 20_000,
          stateCode: 27,
          districtCode: 482,
        },
      },
    ]);
  });

  it("PatientUpdated carries the reference, the clinician's hospital, the actor and every demographic field", async () => {
    const fx = get();
    const d = patientData({
      weightGrams: 71_250,
      heightCm: 166,
      sex: 3,
      bloodGroup: 0,
      birthDate: -1,
      stateCode: 6,
      districtCode: 62,
    });
    const { events } = await fx.mined(fx.as.staff2.write.updatePatient([REFS.patientA, d]));
    expect(events).toEqual([
      {
        eventName: "PatientUpdated",
        args: {
          patientRef: REFS.patientA,
          hospitalId: HOSPITAL_2.id,
          actor: fx.actors.staff2,
          weightGrams: 71_250,
          heightCm: 166,
          sex: 3,
          bloodGroup: 0,
          birthDate: -1,
          stateCode: 6,
          districtCode: 62,
        },
      },
    ]);
  });

  it("multicall of 50 registrations emits 50 PatientRegistered in call order with the caller as actor, because multicall keeps msg.sender", async () => {
    const fx = get();
    const batch = Array.from({ length: 50 }, (_, i) => ({
      ref: personRef(`6${String(i).padStart(10, "0")}`),
      d: patientData({ weightGrams: 50_000 + i, birthDate: 10_000 + i }),
    }));
    const calls = batch.map(({ ref, d }) =>
      encodeFunctionData({ abi: docTelAbi, functionName: "registerPatient", args: [ref, d] }),
    );
    const { events } = await fx.mined(fx.as.staff1.write.multicall([calls]));
    expect(events).toEqual(
      batch.map(({ ref, d }) => ({
        eventName: "PatientRegistered",
        args: { patientRef: ref, hospitalId: HOSPITAL_1.id, actor: fx.actors.staff1, ...d },
      })),
    );
  });

  it("multicall reverts every call when one fails, with the failing call's error, because it is one transaction", async () => {
    const fx = get();
    const calls = [
      encodeFunctionData({
        abi: docTelAbi,
        functionName: "registerPatient",
        args: [REFS.patientC, patientData()],
      }),
      encodeFunctionData({
        abi: docTelAbi,
        functionName: "registerPatient",
        args: [REFS.spare, patientData({ heightCm: 301 })],
      }),
    ];
    await expectRevert(fx.as.staff1.write.multicall([calls]), "InvalidHeight", [301]);
    expect(await fx.as.outsider.read.patientExists([REFS.patientC])).toBe(false);
  });

  it("multicall refuses an entry DocTel has no function for with FailedCall, because the entry reverts without data", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.multicall([["0xdeadbeef"]]), "FailedCall");
  });

  it("multicall gives no power the caller lacks, because every call is checked as the caller", async () => {
    const fx = get();
    const calls = [
      encodeFunctionData({
        abi: docTelAbi,
        functionName: "registerPatient",
        args: [REFS.patientC, patientData()],
      }),
    ];
    await expectRevert(fx.as.outsider.write.multicall([calls]), "NotClinician", [fx.actors.outsider]);
  });
});

describe("treatments", () => {
  it("TreatmentOpened by staff carries the id, patient, hospital and actor, and assigns nobody", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.staff2.write.openTreatment([REFS.patientB]));
    expect(events).toEqual([
      {
        eventName: "TreatmentOpened",
        args: {
          treatmentId: 2n,
          patientRef: REFS.patientB,
          hospitalId: HOSPITAL_2.id,
          actor: fx.actors.staff2,
        },
      },
    ]);
  });

  it("TreatmentOpened by a doctor is followed by DoctorAssigned to that doctor, by that doctor", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.doctor1.write.openTreatment([REFS.patientB]));
    expect(events).toEqual([
      {
        eventName: "TreatmentOpened",
        args: {
          treatmentId: 2n,
          patientRef: REFS.patientB,
          hospitalId: HOSPITAL_1.id,
          actor: fx.actors.doctor1,
        },
      },
      {
        eventName: "DoctorAssigned",
        args: { treatmentId: 2n, doctor: fx.actors.doctor1, actor: fx.actors.doctor1 },
      },
    ]);
  });

  it("DoctorAssigned carries the treatment, the doctor and who assigned them", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.doctor1.write.assignDoctor([T1, fx.actors.doctor3]));
    expect(events).toEqual([
      {
        eventName: "DoctorAssigned",
        args: { treatmentId: T1, doctor: fx.actors.doctor3, actor: fx.actors.doctor1 },
      },
    ]);
  });

  it("DoctorUnassigned carries the treatment, the doctor and who unassigned them", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.staff1.write.unassignDoctor([T1, fx.actors.doctor1]));
    expect(events).toEqual([
      {
        eventName: "DoctorUnassigned",
        args: { treatmentId: T1, doctor: fx.actors.doctor1, actor: fx.actors.staff1 },
      },
    ]);
  });

  it("DiagnosisRecorded carries the treatment, the doctor and the code", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("E11.9")]));
    expect(events).toEqual([
      {
        eventName: "DiagnosisRecorded",
        args: { treatmentId: T1, doctor: fx.actors.doctor1, icd10: "0x4531312e39000000" },
      },
    ]);
  });

  it("FileAttached carries the treatment, the actor, the kind and the CID", async () => {
    const fx = get();
    const { events } = await fx.mined(fx.as.doctor1.write.attachFile([T1, FileKind.Imaging, CID]));
    expect(events).toEqual([
      {
        eventName: "FileAttached",
        args: { treatmentId: T1, actor: fx.actors.doctor1, kind: FileKind.Imaging, cid: CID },
      },
    ]);
  });

  it("StageAdvanced carries the treatment, the actor and both stages, so skipped stages are visible", async () => {
    const fx = get();
    await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]));
    const { events } = await fx.mined(fx.as.staff1.write.advanceStage([T1, Stage.Discharged]));
    expect(events).toEqual([
      {
        eventName: "StageAdvanced",
        args: {
          treatmentId: T1,
          actor: fx.actors.staff1,
          fromStage: Stage.Admitted,
          toStage: Stage.Discharged,
        },
      },
    ]);
  });

  it("VitalsRecorded carries the treatment, the recorder and every measured value", async () => {
    const fx = get();
    const measuredAt = (await fx.now()) - 30;
    const { events } = await fx.mined(
      fx.as.device.write.recordVitals([
        T1,
        {
          measuredAt,
          temperatureCentiC: 3_812,
          systolicMmHg: 134,
          diastolicMmHg: 88,
          heartRateBpm: 101,
          spo2Permille: 934,
        },
      ]),
    );
    expect(events).toEqual([
      {
        eventName: "VitalsRecorded",
        args: {
          treatmentId: T1,
          recorder: fx.actors.device,
          measuredAt,
          temperatureCentiC: 3_812,
          systolicMmHg: 134,
          diastolicMmHg: 88,
          heartRateBpm: 101,
          spo2Permille: 934,
        },
      },
    ]);
  });

  it("VitalsRecorded keeps 0 for fields not measured, because 0 means not measured", async () => {
    const fx = get();
    const v = vitals(await fx.now(), { temperatureCentiC: 0, spo2Permille: 0 });
    const { events } = await fx.mined(fx.as.staff1.write.recordVitals([T1, v]));
    expect(events).toEqual([
      {
        eventName: "VitalsRecorded",
        args: { ...v, treatmentId: T1, recorder: fx.actors.staff1, temperatureCentiC: 0, spo2Permille: 0 },
      },
    ]);
  });

  it("every log comes from the contract and can be filtered by its indexed treatment id", async () => {
    const fx = get();
    await fx.mined(fx.as.staff2.write.openTreatment([REFS.patientB]));
    await fx.mined(fx.as.staff1.write.recordVitals([T1, vitals(await fx.now())]));
    await fx.mined(fx.as.staff2.write.recordVitals([2n, vitals(await fx.now())]));
    const logs = await fx.publicClient.getContractEvents({
      address: fx.address,
      abi: docTelAbi,
      eventName: "VitalsRecorded",
      args: { treatmentId: 2n },
      fromBlock: 0n,
    });
    expect(logs.map((l) => [l.address.toLowerCase(), l.args.treatmentId, l.args.recorder])).toEqual([
      [fx.address.toLowerCase(), 2n, fx.actors.staff2],
    ]);
  });
});

describe("event numbers: nothing missing goes unseen", () => {
  const numbers = (receipt: Parameters<typeof decodeNumbered>[0]) =>
    decodeNumbered(receipt).map((e) => [e.eventName, e.args.seq, e.args.count]);
  const sequence = () => get().as.staff1.read.eventSequence();

  it("numbers a batch of vitals as one range, in reading order, with one counter for every kind of event", async () => {
    const fx = get();
    const before = await sequence();
    const now = await fx.now();
    const readings = [0, 1, 2, 3, 4].map((k) => vitals(now - k));
    const { receipt } = await fx.mined(fx.as.staff1.write.recordVitalsBatch([T1, readings]));
    expect(numbers(receipt)).toEqual(
      readings.map((_, k) => ["VitalsRecorded", before + 1n + BigInt(k), undefined]),
    );
    // Another kind of event takes the next number.
    const next = await fx.mined(fx.as.doctor1.write.recordDiagnosis([T1, icd10("A90")]));
    expect(numbers(next.receipt)).toEqual([["DiagnosisRecorded", before + 6n, undefined]]);
    expect(await sequence()).toBe(before + 6n);
  });

  it("numbers OpenZeppelin's access-control events with AccessControlSequenced right after them, counting implicit cancellations", async () => {
    const fx = get();
    const base = await sequence();
    // A first transfer: DefaultAdminTransferScheduled, numbered with a count of 1.
    const first = await fx.mined(fx.as.governance.write.beginDefaultAdminTransfer([fx.actors.multisig]));
    expect(numbers(first.receipt)).toEqual([
      ["DefaultAdminTransferScheduled", undefined, undefined],
      ["AccessControlSequenced", base + 1n, 1],
    ]);
    // A second one cancels the first on its way: two events, one number covering both.
    const second = await fx.mined(fx.as.governance.write.beginDefaultAdminTransfer([fx.actors.spare1]));
    expect(numbers(second.receipt)).toEqual([
      ["DefaultAdminTransferCanceled", undefined, undefined],
      ["DefaultAdminTransferScheduled", undefined, undefined],
      ["AccessControlSequenced", base + 2n, 2],
    ]);
    const cancelled = await fx.mined(fx.as.governance.write.cancelDefaultAdminTransfer());
    expect(numbers(cancelled.receipt)).toEqual([
      ["DefaultAdminTransferCanceled", undefined, undefined],
      ["AccessControlSequenced", base + 3n, 1],
    ]);
    // Nothing pending: nothing emitted, nothing numbered.
    const again = await fx.mined(fx.as.governance.write.cancelDefaultAdminTransfer());
    expect(numbers(again.receipt)).toEqual([]);
    const delay = await fx.mined(fx.as.governance.write.changeDefaultAdminDelay([1]));
    const delay2 = await fx.mined(fx.as.governance.write.changeDefaultAdminDelay([2]));
    expect(numbers(delay.receipt).map((n) => n[0])).toEqual([
      "DefaultAdminDelayChangeScheduled",
      "AccessControlSequenced",
    ]);
    expect(numbers(delay2.receipt)).toEqual([
      ["DefaultAdminDelayChangeCanceled", undefined, undefined],
      ["DefaultAdminDelayChangeScheduled", undefined, undefined],
      ["AccessControlSequenced", base + 5n, 2],
    ]);
    // A role granted twice emits once.
    const granted = await fx.mined(fx.as.governance.write.grantRole([AUDITOR_ROLE, fx.actors.spare2]));
    const twice = await fx.mined(fx.as.governance.write.grantRole([AUDITOR_ROLE, fx.actors.spare2]));
    expect(numbers(granted.receipt)).toEqual([
      ["RoleGranted", undefined, undefined],
      ["AccessControlSequenced", base + 6n, 1],
    ]);
    expect(numbers(twice.receipt)).toEqual([]);
    expect(await sequence()).toBe(base + 6n);
  });

  it("says which version of the event format it writes, for indexers to check at start", async () => {
    expect(await get().as.staff1.read.EVENTS_VERSION()).toBe(2);
  });
});
