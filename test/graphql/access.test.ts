import { beforeAll, describe, expect, it } from "vitest";
import { AADHAAR, buildScenario, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
let s: Scenario;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  s = await buildScenario(world);
  for (const [name, i] of Object.entries(W)) {
    if (name !== "spare") tokens[name] = await world.signIn(i);
  }
});

const PATIENT_QUERY = `query Patient($aadhaar: String, $ref: Bytes32) {
  patient(aadhaar: $aadhaar, ref: $ref) {
    ref sex bloodGroup birthDate weightGrams version
    history { weightGrams registration }
    treatments { nodes { id hospital { id } } }
    latestVitals { heartRateBpm }
  }
}`;

describe("without a session", () => {
  it("serves public metadata (deployment, ABI, indexing status), because they identify no one", async () => {
    const res = await world.gql(
      `{ deployment { chainId contractAddress deployBlock abi } indexingStatus { indexedBlock headBlock lagBlocks started } }`,
    );
    expect(res.errors).toBeUndefined();
    const data = res.data as {
      deployment: { chainId: number; contractAddress: string; abi: unknown[] };
      indexingStatus: { started: boolean };
    };
    expect(data.deployment.chainId).toBe(world.deployment.chainId);
    expect(data.deployment.contractAddress).toBe(world.deployment.address.toLowerCase());
    expect(Array.isArray(data.deployment.abi)).toBe(true);
    expect(data.indexingStatus.started).toBe(true);
  });

  it("refuses clinical, directory and audit queries with UNAUTHENTICATED, because they need a signed-in role", async () => {
    for (const query of [
      `{ patient(aadhaar: "${AADHAAR.patient1}") { ref } }`,
      "{ treatments { nodes { id } } }",
      "{ members { nodes { account } } }",
      "{ auditEvents { nodes { id } } }",
      "{ hospitals { nodes { id } } }",
    ]) {
      const res = await world.gql(query);
      expect(res.codes).toEqual(["UNAUTHENTICATED"]);
      expect(res.data === null || Object.values(res.data ?? {}).every((v) => v === null)).toBe(true);
    }
  });
});

describe("STAFF", () => {
  it("reads any patient by Aadhaar number, with history, their hospital's treatments only and latest vitals", async () => {
    const res = await world.gql(PATIENT_QUERY, { aadhaar: AADHAAR.patient1 }, tokens.staff1);
    expect(res.errors).toBeUndefined();
    const p = (res.data as { patient: Record<string, unknown> }).patient as {
      ref: string;
      version: number;
      history: { weightGrams: number }[];
      treatments: { nodes: { id: string; hospital: { id: number } }[] };
      latestVitals: { heartRateBpm: number } | null;
    };
    expect(p.ref).toBe(s.ref1);
    expect(p.version).toBe(2);
    expect(p.history.map((h) => h.weightGrams)).toEqual([68_000, 66_500]);
    expect(p.treatments.nodes.map((t) => t.id)).toEqual([s.t1]);
    expect(p.latestVitals?.heartRateBpm).toBe(64);
  });

  it("reads a patient registered and treated at another hospital, because the patient record is nationwide", async () => {
    const res = await world.gql(PATIENT_QUERY, { ref: s.ref1 }, tokens.staff2);
    expect(res.errors).toBeUndefined();
    const p = (res.data as { patient: { treatments: { nodes: { id: string }[] }; latestVitals: unknown } })
      .patient;
    expect(p.treatments.nodes.map((t) => t.id)).toEqual([s.t3]);
    expect(p.latestVitals).toBeNull();
  });

  it("lists only their own hospital's treatments, because treatments belong to the hospital that opened them", async () => {
    const res = await world.gql<{ treatments: { nodes: { id: string }[] } }>(
      "{ treatments { nodes { id } } }",
      {},
      tokens.staff1,
    );
    expect(res.data?.treatments.nodes.map((t) => t.id).sort()).toEqual([s.t1, s.t2].sort());
    const other = await world.gql(`{ treatment(id: "${s.t3}") { id } }`, {}, tokens.staff1);
    expect(other.codes).toEqual(["FORBIDDEN"]);
  });

  it("reads the member list and the doctor directory (the prototype's all-members page)", async () => {
    const res = await world.gql<{
      members: { nodes: { kind: string }[] };
      doctors: { nodes: { specialty: { key: string } }[] };
    }>(
      `{ members(filter: { hospitalId: ${s.hospital1} }) { nodes { account kind } }
         doctors(specialty: 10) { nodes { account specialty { key } } } }`,
      {},
      tokens.staff1,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.members.nodes.map((m) => m.kind).sort()).toEqual(["DOCTOR", "DOCTOR", "STAFF"]);
    expect(res.data?.doctors.nodes.map((d) => d.specialty.key)).toEqual(["ENDOCRINOLOGY"]);
  });

  it("may not read role grants or the audit log, because those are for governance and auditors", async () => {
    const res = await world.gql("{ roleGrants { nodes { account } } }", {}, tokens.staff1);
    expect(res.codes).toEqual(["FORBIDDEN"]);
    const audit = await world.gql("{ auditEvents { nodes { id } } }", {}, tokens.staff1);
    expect(audit.codes).toEqual(["FORBIDDEN"]);
  });
});

describe("DOCTOR", () => {
  it("reads a patient they are assigned to treat, with all of that patient's treatments", async () => {
    const res = await world.gql(PATIENT_QUERY, { aadhaar: AADHAAR.patient1 }, tokens.doctor);
    expect(res.errors).toBeUndefined();
    const p = (res.data as { patient: { treatments: { nodes: { id: string }[] } } }).patient;
    expect(p.treatments.nodes.map((t) => t.id).sort()).toEqual([s.t1, s.t3].sort());
  });

  it("may not read a patient they do not treat, because doctors see only their own patients", async () => {
    const res = await world.gql(PATIENT_QUERY, { aadhaar: AADHAAR.patient2 }, tokens.doctor);
    expect(res.codes).toEqual(["FORBIDDEN"]);
    const t2 = await world.gql(`{ treatment(id: "${s.t2}") { id } }`, {}, tokens.doctor);
    expect(t2.codes).toEqual(["FORBIDDEN"]);
    const unassigned = await world.gql(PATIENT_QUERY, { aadhaar: AADHAAR.patient1 }, tokens.doctor2);
    expect(unassigned.codes).toEqual(["FORBIDDEN"]);
  });

  it("lists only treatments of patients they treat", async () => {
    const res = await world.gql<{ treatments: { nodes: { id: string }[] } }>(
      "{ treatments { nodes { id } } }",
      {},
      tokens.doctor,
    );
    expect(res.data?.treatments.nodes.map((t) => t.id).sort()).toEqual([s.t1, s.t3].sort());
  });
});

describe("data-access roles", () => {
  it.each([
    ["ANALYST", "analyst"],
    ["PUBLIC_HEALTH", "publicHealth"],
  ] as const)(
    "%s may not read identified records or member lists, because it is granted de-identified data only",
    async (_role, who) => {
      for (const query of [
        `{ patient(aadhaar: "${AADHAAR.patient1}") { ref } }`,
        "{ treatments { nodes { id } } }",
        "{ members { nodes { account } } }",
        "{ auditEvents { nodes { id } } }",
        "{ roleGrants { nodes { account } } }",
      ]) {
        const res = await world.gql(query, {}, tokens[who]);
        expect(res.codes).toEqual(["FORBIDDEN"]);
      }
    },
  );

  it.each([
    ["GOVERNANCE", "governance"],
    ["AUDITOR", "auditor"],
  ] as const)(
    "%s reads members, role grants and the audit log but no patient, because oversight needs no clinical data",
    async (_role, who) => {
      const res = await world.gql<{
        roleGrants: { nodes: { role: string }[] };
        members: { nodes: unknown[] };
        auditEvents: { nodes: unknown[] };
      }>(
        "{ roleGrants(filter: { active: true }) { nodes { account role } } members { nodes { account } } auditEvents(first: 5) { nodes { id } } }",
        {},
        tokens[who],
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.roleGrants.nodes.map((g) => g.role).sort()).toEqual([
        "ANALYST",
        "AUDITOR",
        "GOVERNANCE",
        "PUBLIC_HEALTH",
      ]);
      expect(res.data?.members.nodes.length).toBe(4);
      const patient = await world.gql(`{ patient(aadhaar: "${AADHAAR.patient1}") { ref } }`, {}, tokens[who]);
      expect(patient.codes).toEqual(["FORBIDDEN"]);
    },
  );

  it("a signed-in account with no role sees only public metadata and its own (empty) roles", async () => {
    const res = await world.gql<{ viewer: { roles: string[] } }>(
      "{ viewer { address roles } }",
      {},
      tokens.outsider,
    );
    expect(res.data?.viewer.roles).toEqual([]);
    const patient = await world.gql(
      `{ patient(aadhaar: "${AADHAAR.patient1}") { ref } }`,
      {},
      tokens.outsider,
    );
    expect(patient.codes).toEqual(["FORBIDDEN"]);
  });
});
