import { beforeAll, describe, expect, it } from "vitest";
import { AADHAAR, buildScenario, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
let s: Scenario;
let staff: string;
let auditor: string;

beforeAll(async () => {
  s = await buildScenario(world);
  staff = await world.signIn(W.staff1);
  auditor = await world.signIn(W.auditor);
});

interface AuditEvent {
  id: string;
  viewer: string;
  viewerRoles: string[];
  operation: string;
  recordType: string;
  recordIds: string[];
  requestId: string;
  clientRequestId: string | null;
  outcome: string;
  at: string;
}

async function auditFor(recordId: string): Promise<AuditEvent[]> {
  const res = await world.gql<{ auditEvents: { nodes: AuditEvent[] } }>(
    `query ($r: String) { auditEvents(filter: { recordId: $r }, first: 50) {
       nodes { id at requestId clientRequestId viewer viewerRoles operation recordType recordIds outcome } } }`,
    { r: recordId },
    auditor,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.auditEvents.nodes;
}

describe("the access audit log (FHIR AuditEvent)", () => {
  it("records who read which patient and treatments, when and under which request id", async () => {
    const res = await fetch(`${world.api.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${staff}`,
        "x-request-id": "req-audit-1",
      },
      body: JSON.stringify({
        query: "query ($a: String) { patient(aadhaar: $a) { ref treatments { nodes { id } } } }",
        variables: { a: AADHAAR.patient1 },
      }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const entries = await auditFor(s.ref1);
    const patientRead = entries.find((e) => e.requestId === requestId && e.operation === "patient");
    expect(patientRead).toMatchObject({
      viewer: world.wallet(W.staff1).account.address.toLowerCase(),
      viewerRoles: ["STAFF"],
      recordType: "PATIENT",
      recordIds: [s.ref1],
      clientRequestId: "req-audit-1",
      outcome: "DISCLOSED",
    });
    const treatmentRead = (await auditFor(s.t1)).find((e) => e.requestId === requestId);
    expect(treatmentRead).toMatchObject({ operation: "Patient.treatments", recordType: "TREATMENT" });
  });

  it("gives each request its own id, whatever X-Request-Id the client sends, because the log must tell viewers apart", async () => {
    const doctor = await world.signIn(W.doctor);
    const ids: string[] = [];
    for (const token of [staff, doctor, staff]) {
      const res = await fetch(`${world.api.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          "x-request-id": "same-id",
        },
        body: JSON.stringify({ query: `{ patient(ref: "${s.ref1}") { ref } }` }),
      });
      expect(res.status).toBe(200);
      ids.push(res.headers.get("x-request-id")!);
    }
    expect(new Set(ids).size).toBe(3);
    const entries = (await auditFor(s.ref1)).filter((e) => e.clientRequestId === "same-id");
    expect(entries.map((e) => e.requestId).sort()).toEqual([...ids].sort());
    expect(new Set(entries.map((e) => e.viewer)).size).toBe(2);
    // The client's value can still find them, as a filter of its own.
    const byClient = await world.gql<{ auditEvents: { nodes: AuditEvent[] } }>(
      `{ auditEvents(filter: { clientRequestId: "same-id" }) { nodes { requestId } } }`,
      {},
      auditor,
    );
    expect(byClient.data!.auditEvents.nodes).toHaveLength(3);
  });

  it("records a refused read as REFUSED, apart from what was disclosed", async () => {
    const doctor2 = await world.signIn(W.doctor2);
    const res = await world.gql(`{ patient(ref: "${s.ref2}") { ref } }`, {}, doctor2);
    expect(res.codes).toEqual(["FORBIDDEN"]);
    const entries = await auditFor(s.ref2);
    const mine = entries.filter((e) => e.viewer === world.wallet(W.doctor2).account.address.toLowerCase());
    expect(mine).toEqual([
      expect.objectContaining({ operation: "patient", recordIds: [s.ref2], outcome: "REFUSED" }),
    ]);
  });

  it("records reads of the audit log itself", async () => {
    await auditFor(s.ref1);
    const res = await world.gql<{ auditEvents: { nodes: AuditEvent[] } }>(
      `{ auditEvents(filter: { recordType: AUDIT_LOG }, first: 5) { nodes { viewer operation } } }`,
      {},
      auditor,
    );
    expect(res.data!.auditEvents.nodes[0]).toMatchObject({
      viewer: world.wallet(W.auditor).account.address.toLowerCase(),
      operation: "auditEvents",
    });
  });

  it("cannot be changed or emptied, because the database rejects UPDATE, DELETE and TRUNCATE", async () => {
    const { rows } = await world.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM access_audit_log");
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    await expect(world.db.pool.query("UPDATE access_audit_log SET viewer = 'someone else'")).rejects.toThrow(
      /append-only/,
    );
    await expect(world.db.pool.query("DELETE FROM access_audit_log")).rejects.toThrow(/append-only/);
    await expect(world.db.pool.query("TRUNCATE access_audit_log")).rejects.toThrow(/append-only/);
    const after = await world.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM access_audit_log");
    expect(Number(after.rows[0]!.n)).toBeGreaterThanOrEqual(Number(rows[0]!.n));
  });

  it("pages newest first", async () => {
    const first = await world.gql<{ auditEvents: { nodes: AuditEvent[]; pageInfo: { endCursor: string } } }>(
      "{ auditEvents(first: 2) { nodes { id } pageInfo { endCursor } } }",
      {},
      auditor,
    );
    const ids = first.data!.auditEvents.nodes.map((e) => BigInt(e.id));
    expect(ids[0]! > ids[1]!).toBe(true);
    const next = await world.gql<{ auditEvents: { nodes: AuditEvent[] } }>(
      "query ($a: String) { auditEvents(first: 2, after: $a) { nodes { id } } }",
      { a: first.data!.auditEvents.pageInfo.endCursor },
      auditor,
    );
    expect(BigInt(next.data!.auditEvents.nodes[0]!.id) < ids[1]!).toBe(true);
  });
});

describe("Aadhaar numbers", () => {
  const spaced = `${AADHAAR.patient2.slice(0, 4)} ${AADHAAR.patient2.slice(4, 8)} ${AADHAAR.patient2.slice(8)}`;

  it("are accepted with spaces, validated, and never echoed in answers, even in GraphQL's own errors", async () => {
    const ok = await world.gql<{ patient: { ref: string } }>(
      "query ($a: String) { patient(aadhaar: $a) { ref } }",
      { a: spaced },
      staff,
    );
    expect(ok.data!.patient.ref).toBe(s.ref2);
    const mistyped = `${AADHAAR.patient1.slice(0, 11)}${(Number(AADHAAR.patient1[11]) + 1) % 10}`;
    const bad = await world.gql(
      "query ($a: String) { patient(aadhaar: $a) { ref } }",
      { a: mistyped },
      staff,
    );
    expect(bad.codes).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.message).toMatch(/Verhoeff/);
    // An Int literal where a String belongs: graphql-js would quote the number in its message.
    const literal = await world.gql(`{ patient(aadhaar: ${AADHAAR.patient1}) { ref } }`, {}, staff);
    expect(literal.codes).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const variable = await world.gql(
      "query ($a: String) { patient(aadhaar: $a) { ref } }",
      { a: Number(AADHAAR.patient1) },
      staff,
    );
    expect(variable.status).toBe(400);
    for (const res of [bad, literal, variable]) {
      const text = JSON.stringify(res.errors);
      expect(text).not.toContain(AADHAAR.patient1);
      expect(text).not.toContain(mistyped);
    }
  });

  it("never reach the logs", async () => {
    await world.gql("query ($a: String) { patient(aadhaar: $a) { ref } }", { a: AADHAAR.patient1 }, staff);
    await world.gql(
      `{ treatments(filter: { patientAadhaar: "${AADHAAR.patient1}" }) { nodes { id } } }`,
      {},
      staff,
    );
    await world.gql(`{ patient(aadhaar: ${AADHAAR.patient2}) { ref } }`, {}, staff);
    const logs = world.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('"operation"');
    for (const aadhaar of Object.values(AADHAAR)) {
      expect(logs).not.toContain(aadhaar);
      expect(logs).not.toContain(`${aadhaar.slice(0, 4)} ${aadhaar.slice(4, 8)} ${aadhaar.slice(8)}`);
    }
  });

  it("are never stored in the database, in any table", async () => {
    await world.gql("query ($a: String) { patient(aadhaar: $a) { ref } }", { a: AADHAAR.patient1 }, staff);
    const { rows: tables } = await world.db.pool.query<{ t: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname IN ('public', 'api')",
    );
    expect(tables.map((t) => t.t)).toContain("api.access_audit_log");
    for (const { t } of tables) {
      const { rows } = await world.db.pool.query<{ dump: string | null }>(
        `SELECT string_agg(x::text, ' ') AS dump FROM ${t} x`,
      );
      const dump = rows[0]!.dump ?? "";
      for (const aadhaar of Object.values(AADHAAR)) expect(dump, `table ${t}`).not.toContain(aadhaar);
    }
  });
});
