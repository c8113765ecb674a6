import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConflictError, RpcUnavailableError } from "../../sdk/index.ts";
import { readDeployment } from "../../shared/deployment.ts";
import { ConfigError, ForbiddenError, NotFoundError, ValidationError } from "../../shared/errors.ts";
import { useTestChain } from "../helpers/chain.ts";
import {
  AADHAAR,
  addressOf,
  careNetwork,
  clientFor,
  clients,
  closedPort,
  KEYS,
  OTHER_PEPPER,
  PATIENT,
} from "./fixture.ts";

const chain = useTestChain();
let net: Awaited<ReturnType<typeof careNetwork>>;

beforeAll(async () => {
  net = await careNetwork(chain.rpcUrl);
});

const nonceOf = (key: `0x${string}`) =>
  clients(chain.rpcUrl).publicClient.getTransactionCount({
    address: addressOf(key),
    blockTag: "pending",
  });

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("expected a failure");
  return error;
}

describe("bad input is refused before anything is sent", () => {
  it("rejects malformed Aadhaar numbers without contacting the node and without echoing them", async () => {
    const offline = clientFor(`http://127.0.0.1:${await closedPort()}`, net.record.address, KEYS.staff);
    const cases = [
      ["23456789012", "Aadhaar number must be 12 digits"],
      ["123456789012", "Aadhaar number cannot start with 0 or 1"],
      ["234567890125", "Aadhaar number fails its Verhoeff checksum (mistyped digit?)"],
    ] as const;
    for (const [aadhaar, message] of cases) {
      const error = await failure(offline.registerPatient({ aadhaar, ...PATIENT }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain(aadhaar);
    }
  });

  it("names every bad patient field with the allowed range", async () => {
    const error = await failure(
      net.staff.registerPatient({
        aadhaar: AADHAAR.patient2,
        ...PATIENT,
        weightGrams: 100,
        heightCm: 400,
        sex: "X" as "MALE",
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'invalid patient data: weightGrams must be a whole number from 200 g to 500000 g (got 100); heightCm must be a whole number from 1 cm to 300 cm (got 400); sex must be one of UNKNOWN, FEMALE, MALE, OTHER (got "X")',
    );
    expect((error as ValidationError).details.fields).toHaveLength(3);
  });

  it("refuses a district outside the given state, by name", async () => {
    const error = await failure(
      net.governance.registerHospital({ name: "X", stateCode: 7, districtCode: 466 }),
    );
    expect(error.message).toBe(
      "invalid hospital: districtCode is invalid: district 466 (Ahmednagar) lies in Maharashtra, not in Delhi (state 7)",
    );
  });

  it("refuses an ICD-10 code the contract would reject", async () => {
    const error = await failure(net.doctor.recordDiagnosis({ treatmentId: 1, icd10: "11E.9" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^invalid diagnosis: icd10 must be an ICD-10 code: .* \(got "11E\.9"\)$/);
  });
});

describe("reverts are decoded into DocTel errors (simulated first: no gas spent)", () => {
  it("reports an unknown patient without the Aadhaar number", async () => {
    const before = await nonceOf(KEYS.staff);
    const error = await failure(net.staff.openTreatment({ patientAadhaar: AADHAAR.unregistered }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe("no patient is registered with that Aadhaar number");
    expect(JSON.stringify((error as NotFoundError).details)).not.toContain(AADHAAR.unregistered);
    expect(await nonceOf(KEYS.staff)).toBe(before);
  });

  it("reports an unknown treatment", async () => {
    const before = await nonceOf(KEYS.staff);
    const error = await failure(net.staff.assignDoctor({ treatmentId: 999, doctor: addressOf(KEYS.doctor) }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe("treatment 999 does not exist");
    expect(await nonceOf(KEYS.staff)).toBe(before);
  });

  it("reports a missing governance role as ForbiddenError with the decoded role", async () => {
    const outsider = addressOf(KEYS.outsider);
    const error = await failure(
      net.outsider.registerHospital({ name: "Rogue", stateCode: 7, districtCode: 77 }),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toBe(`${outsider} does not hold governance (DEFAULT_ADMIN_ROLE)`);
    const grant = await failure(net.staff.grantRole({ role: "AUDITOR", account: outsider }));
    expect(grant.message).toBe(`${addressOf(KEYS.staff)} does not hold governance (DEFAULT_ADMIN_ROLE)`);
  });

  it("reports who is not on a treatment's care team", async () => {
    const { treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    const doctor2 = net.as(KEYS.doctor2);
    const error = await failure(doctor2.assignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor2) }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toBe(
      `${addressOf(KEYS.doctor2)} is neither staff of treatment ${treatmentId}'s hospital nor a doctor assigned to it`,
    );
    const notClinician = await failure(
      net.outsider.registerPatient({ aadhaar: AADHAAR.patient2, ...PATIENT }),
    );
    expect(notClinician.message).toBe(
      `${addressOf(KEYS.outsider)} is neither staff nor a doctor of any hospital`,
    );
  });

  it("reports state conflicts: a diagnosis is required, and stages only move forward", async () => {
    const { treatmentId } = await net.staff.openTreatment({ patientAadhaar: AADHAAR.patient });
    const early = await failure(net.staff.advanceStage({ treatmentId, stage: "DISCHARGED" }));
    expect(early).toBeInstanceOf(ConflictError);
    expect(early.message).toBe(
      `treatment ${treatmentId} has no diagnosis yet: record one before moving it to DIAGNOSED or later`,
    );
    await net.staff.assignDoctor({ treatmentId, doctor: addressOf(KEYS.doctor) });
    await net.doctor.recordDiagnosis({ treatmentId, icd10: "J18.9" });
    await net.doctor.advanceStage({ treatmentId, stage: "IN_TREATMENT" });
    const back = await failure(net.doctor.advanceStage({ treatmentId, stage: "DIAGNOSED" }));
    expect(back.message).toBe(
      `treatment ${treatmentId} is already IN_TREATMENT; stages only move forward (asked for DIAGNOSED)`,
    );
    const again = await failure(net.staff.registerPatient({ aadhaar: AADHAAR.patient, ...PATIENT }));
    expect(again.message).toBe(
      "a patient is already registered with that Aadhaar number (update the patient instead)",
    );
  });
});

describe("configuration and connectivity", () => {
  it("refuses a wrong pepper before computing any reference, and sends nothing", async () => {
    const wrong = clientFor(chain.rpcUrl, net.record.address, KEYS.staff, { pepper: OTHER_PEPPER });
    const before = await nonceOf(KEYS.staff);
    const error = await failure(wrong.registerPatient({ aadhaar: AADHAAR.patient2, ...PATIENT }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /^the reference pepper does not match the contract at 0x[0-9a-fA-F]{40}: its referenceKeyId is 0x[0-9a-f]{64}, the pepper gives 0x[0-9a-f]{64} \(wrong DOCTEL_PEPPER\?\)$/,
    );
    expect(await nonceOf(KEYS.staff)).toBe(before);
  });

  it("reports an unreachable JSON-RPC node (closed port) as retryable, with the URL redacted", async () => {
    const port = await closedPort();
    const client = clientFor(
      `http://user:secret@127.0.0.1:${port}/?apikey=abc`,
      net.record.address,
      KEYS.staff,
    );
    const error = await failure(client.assignDoctor({ treatmentId: 1, doctor: addressOf(KEYS.doctor) }));
    expect(error).toBeInstanceOf(RpcUnavailableError);
    expect((error as RpcUnavailableError).retryable).toBe(true);
    expect(error.message).toBe(
      `cannot reach the JSON-RPC node at http://***:***@127.0.0.1:${port}/?apikey=***: connection refused`,
    );
  });

  it("says so when no contract answers at the address", async () => {
    const client = clientFor(chain.rpcUrl, addressOf(KEYS.outsider), KEYS.staff);
    const error = await failure(client.openTreatment({ patientAadhaar: AADHAAR.patient }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(
      /^no DocTel contract answers at 0x[0-9a-fA-F]{40} .*wrong address or chain\?$/,
    );
  });

  it("needs a signing key to write", async () => {
    const readOnly = clientFor(chain.rpcUrl, net.record.address);
    const error = await failure(readOnly.assignDoctor({ treatmentId: 1, doctor: addressOf(KEYS.doctor) }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe("assignDoctor needs a signing key, and none was given");
  });

  it("validates a deployment record when reading it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "doctel-record-"));
    const file = path.join(dir, "deployment.json");
    await writeFile(file, JSON.stringify({ ...net.record, address: "0x123" }));
    await expect(readDeployment(file)).rejects.toThrow(
      `deployment record ${file} is invalid: address: expected a 0x-prefixed 20-byte address`,
    );
    await expect(readDeployment(path.join(dir, "missing.json"))).rejects.toBeInstanceOf(ConfigError);
  });
});
