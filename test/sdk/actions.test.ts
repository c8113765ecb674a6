import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeAssignDoctor, encodeRecordDiagnosis, eventsNamed, icd10ToBytes8 } from "../../sdk/index.ts";
import { readDeployment } from "../../shared/deployment.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { useTestChain } from "../helpers/chain.ts";
import {
  AADHAAR,
  addressOf,
  aMinuteAgo,
  careNetwork,
  clientFor,
  deploy,
  KEYS,
  PATIENT,
  PEPPER,
  REGION,
} from "./fixture.ts";

const chain = useTestChain();
let net: Awaited<ReturnType<typeof careNetwork>>;

beforeAll(async () => {
  net = await careNetwork(chain.rpcUrl);
});

describe("deployDocTel", () => {
  it("deploys with the pepper's fingerprint and writes a deployment record that reads back", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "doctel-deploy-"));
    const file = path.join(dir, "nested", "deployment.json");
    const { record } = await deploy(chain.rpcUrl, { deploymentFile: file });
    expect(record.chainId).toBe(chain.chain.id);
    expect(record.referenceKeyId).toBe(referenceKeyId(PEPPER));
    expect(record.governance).toBe(addressOf(KEYS.governance));
    expect(await readDeployment(file)).toEqual(record);
    expect(JSON.parse(await readFile(file, "utf8")).deployBlock).toBe(record.deployBlock);
    const status = await clientFor(chain.rpcUrl, record.address).status();
    expect(status.referenceKeyId).toBe(record.referenceKeyId);
    expect(status.governance).toBe(record.governance);
  });
});

describe("members", () => {
  it("registers a hospital and returns its id from the event", async () => {
    const { hospitalId, events } = await net.governance.registerHospital({
      name: "KEM Mumbai",
      stateCode: 27,
      districtCode: 466,
    });
    expect(hospitalId).toBe(2);
    expect(events[0]?.eventName).toBe("HospitalRegistered");
  });

  it("registers staff, doctors and a device as members of the hospital", async () => {
    expect(await net.governance.member(addressOf(KEYS.staff))).toMatchObject({
      kind: "STAFF",
      hospitalId: net.hospitalId,
    });
    expect(await net.governance.member(addressOf(KEYS.doctor))).toMatchObject({
      kind: "DOCTOR",
      hospitalId: net.hospitalId,
    });
    const result = await net.staff.registerDevice({
      device: addressOf(KEYS.device),
      patientAadhaar: AADHAAR.patient,
    });
    const [event] = eventsNamed(result, "DeviceRegistered");
    expect(event?.args.patientRef).toBe(await net.staff.reference(AADHAAR.patient));
    expect(await net.staff.member(addressOf(KEYS.device))).toMatchObject({ kind: "DEVICE" });
  });

  it("revokes a member, who then is no member at all", async () => {
    const account = addressOf(KEYS.staff2);
    await net.governance.registerStaff({ account, hospitalId: net.hospitalId, aadhaar: AADHAAR.patient2 });
    const result = await net.staff.revokeMember({ account });
    expect(eventsNamed(result, "MemberRevoked")[0]?.args.kind).toBe(1);
    expect(await net.staff.member(account)).toMatchObject({ kind: "NONE", hospitalId: 0 });
  });
});

describe("patients", () => {
  it("registers by Aadhaar number without the number reaching the chain", async () => {
    const result = await net.staff.registerPatient({ aadhaar: AADHAAR.patient2, ...PATIENT, sex: "male" });
    const [event] = eventsNamed(result, "PatientRegistered");
    expect(event?.args).toMatchObject({ sex: 2, bloodGroup: 7, weightGrams: 68_000, ...REGION });
    expect(JSON.stringify(result, (_, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(
      AADHAAR.patient2,
    );
    expect(await net.staff.patientExists(AADHAAR.patient2)).toBe(true);
    expect(await net.staff.patientExists(AADHAAR.unregistered)).toBe(false);
  });

  it("updates demographics (a doctor may, too)", async () => {
    const result = await net.doctor.updatePatient({
      aadhaar: AADHAAR.patient,
      ...PATIENT,
      weightGrams: 70_500,
    });
    expect(eventsNamed(result, "PatientUpdated")[0]?.args.weightGrams).toBe(70_500);
  });
});

describe("treatments", () => {
  it("opens a treatment and returns its id from TreatmentOpened", async () => {
    const first = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    const second = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    expect(second.treatmentId).toBe(first.treatmentId + 1n);
    expect(await net.staff.treatment(first.treatmentId)).toMatchObject({
      hospitalId: net.hospitalId,
      stage: "ADMITTED",
      diagnosed: false,
    });
    expect(await net.staff.treatment(999)).toBeNull();
  });

  it("assigns and unassigns doctors, diagnoses with a lower-case code, and advances by label", async () => {
    const { treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    await net.staff.assignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor) });
    await net.doctor.assignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor2) });
    const un = await net.staff.unassignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor2) });
    expect(eventsNamed(un, "DoctorUnassigned")).toHaveLength(1);
    const diagnosis = await net.doctor.recordDiagnosis({ treatmentId, icd10: "e11.9" });
    expect(eventsNamed(diagnosis, "DiagnosisRecorded")[0]?.args.icd10).toBe(icd10ToBytes8("E11.9"));
    await net.staff.advanceStage({ treatmentId, stage: "in-treatment" });
    const advanced = await net.doctor.advanceStage({ treatmentId, stage: "DISCHARGED" });
    expect(eventsNamed(advanced, "StageAdvanced")[0]?.args).toMatchObject({ fromStage: 2, toStage: 3 });
    expect(await net.staff.treatment(treatmentId)).toMatchObject({ stage: "DISCHARGED", diagnosed: true });
  });

  it("records one reading of vitals", async () => {
    const { treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    const result = await net.staff.recordVitals({
      treatmentId,
      vitals: { measuredAt: aMinuteAgo(), temperatureCentiC: 3720, systolicMmHg: 120, diastolicMmHg: 80 },
    });
    expect(eventsNamed(result, "VitalsRecorded")[0]?.args).toMatchObject({
      temperatureCentiC: 3720,
      heartRateBpm: 0,
    });
  });

  it("splits a batch of 600 readings into transactions of 512 and 88, and a bound device may send them", async () => {
    const device = net.as(KEYS.device);
    const { treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    const start = aMinuteAgo() - 600;
    const readings = Array.from({ length: 600 }, (_, i) => ({
      measuredAt: start + i,
      heartRateBpm: 60 + (i % 40),
    }));
    const result = await device.recordVitalsBatch({ treatmentId, readings });
    expect(result.transactions.map((t) => eventsNamed(t, "VitalsRecorded").length)).toEqual([512, 88]);
  });

  it("sends several encoded calls as one multicall transaction", async () => {
    const { treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    const result = await net.staff.multicall([
      encodeAssignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor) }),
      encodeAssignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor2) }),
    ]);
    expect(eventsNamed(result, "DoctorAssigned").map((e) => e.args.doctor)).toEqual([
      addressOf(KEYS.doctor),
      addressOf(KEYS.doctor2),
    ]);
    await net.doctor.multicall([encodeRecordDiagnosis({ treatmentId, icd10: "A90" })]);
    expect(await net.staff.treatment(treatmentId)).toMatchObject({ diagnosed: true });
  });
});

describe("roles and governance", () => {
  it("grants and revokes the read roles", async () => {
    const account = addressOf(KEYS.outsider);
    await net.governance.grantRole({ role: "analyst", account });
    await net.governance.grantRole({ role: "PUBLIC_HEALTH", account });
    expect(await net.governance.hasRole("ANALYST", account)).toBe(true);
    expect((await net.outsider.status()).account?.roles).toEqual(["ANALYST", "PUBLIC_HEALTH"]);
    await net.governance.revokeRole({ role: "ANALYST", account });
    expect(await net.governance.hasRole("ANALYST", account)).toBe(false);
  });

  it("hands governance over in two steps: begin, then accept by the successor", async () => {
    const { record } = await deploy(chain.rpcUrl);
    const old = clientFor(chain.rpcUrl, record.address, KEYS.governance);
    const successor = clientFor(chain.rpcUrl, record.address, KEYS.successor);
    await old.beginGovernanceTransfer({ newGovernance: addressOf(KEYS.successor) });
    expect((await old.status()).pendingGovernance?.account).toBe(addressOf(KEYS.successor));
    await successor.acceptGovernance();
    const status = await successor.status();
    expect(status.governance).toBe(addressOf(KEYS.successor));
    expect(status.account?.roles).toContain("GOVERNANCE");
  });
});
