/**
 * Access follows care: a doctor reads a patient while treating them, and for a grace period
 * (DOCTOR_ACCESS_GRACE_HOURS) after the treatment closes or the doctor is unassigned; the
 * boundaries are tested on an injected clock, against the block times the indexer recorded.
 * A lookup a doctor may not make answers the same whether or not the patient is registered, and
 * every refused lookup is in the access audit log.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiServer } from "../../graphql/server.ts";
import { AADHAAR, buildScenario, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
let s: Scenario;
let auditor: string;

const HOUR = 3_600_000;
const GRACE_HOURS = 24;

beforeAll(async () => {
  s = await buildScenario(world);
  auditor = await world.signIn(W.auditor);
});

/**
 * An API whose clock reads whatever the test sets; `at(i, ms)` sets it and signs wallet `i` in
 * then (a session lasts minutes, the grace period a day).
 */
async function apiAt(env: Record<string, string> = {}) {
  let now = Date.now();
  const api: ApiServer = await world.startApi(
    { DOCTOR_ACCESS_GRACE_HOURS: String(GRACE_HOURS), ...env },
    { clock: () => new Date(now) },
  );
  return {
    api,
    async at(i: number, ms: number): Promise<string> {
      now = ms;
      const { message, signature } = await world.siwe(i, { issuedAt: new Date(ms) }, api.url);
      const res = await world.gql<{ signIn: { token: string } }>(
        "mutation ($m: String!, $s: String!) { signIn(message: $m, signature: $s) { token } }",
        { m: message, s: signature },
        null,
        api.url,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.signIn.token;
    },
  };
}

const PATIENT = "query ($a: String, $r: Bytes32) { patient(aadhaar: $a, ref: $r) { ref } }";
const TREATMENTS = "{ treatments(first: 50) { nodes { id } } }";

async function blockTimeOf(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await world.db.pool.query<{ t: Date }>(sql, params);
  expect(rows).toHaveLength(1);
  return rows[0]!.t.getTime();
}

describe("a doctor's access", () => {
  it("answers a patient the doctor does not treat exactly as an Aadhaar number nobody registered", async () => {
    const doctor = await world.signIn(W.doctor);
    const notTreated = await world.gql(PATIENT, { a: AADHAAR.patient2 }, doctor);
    const unregistered = await world.gql(PATIENT, { a: AADHAAR.unregistered }, doctor);
    expect(notTreated.codes).toEqual(["FORBIDDEN"]);
    const strip = (r: typeof notTreated) => ({ status: r.status, data: r.data, errors: r.errors });
    expect(strip(unregistered)).toEqual(strip(notTreated));
    // Staff may read any patient: for them an unregistered number is simply no patient.
    const staff = await world.signIn(W.staff1);
    const none = await world.gql<{ patient: null }>(PATIENT, { a: AADHAAR.unregistered }, staff);
    expect(none.errors).toBeUndefined();
    expect(none.data?.patient).toBeNull();
  });

  it("writes every refused identified lookup to the audit log, with the viewer and the reason", async () => {
    const doctor2 = await world.signIn(W.doctor2);
    const analyst = await world.signIn(W.analyst);
    const requestIds: string[] = [];
    for (const [token, variables] of [
      [doctor2, { a: AADHAAR.patient1 }],
      [doctor2, { a: AADHAAR.unregistered }],
      [analyst, { r: s.ref1 }],
    ] as const) {
      const res = await world.gql(PATIENT, variables, token);
      expect(res.codes).toEqual(["FORBIDDEN"]);
      requestIds.push(res.headers.get("x-request-id")!);
    }
    const t = await world.gql(`{ treatment(id: "${s.t2}") { id } }`, {}, doctor2);
    expect(t.codes).toEqual(["FORBIDDEN"]);
    requestIds.push(t.headers.get("x-request-id")!);

    const res = await world.gql<{
      auditEvents: {
        nodes: {
          requestId: string;
          viewer: string;
          operation: string;
          recordIds: string[];
          details: { reason: string };
        }[];
      };
    }>(
      "{ auditEvents(filter: { outcome: REFUSED }, first: 50) { nodes { requestId viewer operation recordIds details } } }",
      {},
      auditor,
    );
    const refused = res.data!.auditEvents.nodes.filter((e) => requestIds.includes(e.requestId));
    const address = (i: number) => world.wallet(i).account.address.toLowerCase();
    const seen = refused.map((e) => ({
      viewer: e.viewer,
      operation: e.operation,
      ids: e.recordIds,
      reason: e.details.reason,
    }));
    expect(seen).toHaveLength(4);
    expect(seen).toEqual(
      expect.arrayContaining([
        { viewer: address(W.doctor2), operation: "patient", ids: [s.ref1], reason: "not treating" },
        {
          viewer: address(W.doctor2),
          operation: "patient",
          ids: [expect.not.stringMatching(s.ref1)],
          reason: "not treating",
        },
        { viewer: address(W.analyst), operation: "patient", ids: [s.ref1], reason: "role" },
        { viewer: address(W.doctor2), operation: "treatment", ids: [s.t2], reason: "not treating" },
      ]),
    );
    // Never the number itself.
    expect(JSON.stringify(res.data)).not.toContain(AADHAAR.unregistered);
  });

  it("ends a grace period after the doctor is unassigned, to the millisecond", async () => {
    const staff = world.client(W.staff1);
    const doctor2Address = world.wallet(W.doctor2).account.address;
    await staff.assignDoctor({ treatmentId: BigInt(s.t2), doctor: doctor2Address });
    await world.indexed();
    const { api, at } = await apiAt();
    const assigned = await at(W.doctor2, Date.now());
    expect((await world.gql(PATIENT, { r: s.ref2 }, assigned, api.url)).errors).toBeUndefined();

    await staff.unassignDoctor({ treatmentId: BigInt(s.t2), doctor: doctor2Address });
    await world.indexed();
    const unassignedAt = await blockTimeOf(
      `SELECT b.time AS t FROM event_record e JOIN event_block b ON b.number = e.block_number
        WHERE e.name = 'DoctorUnassigned' AND e.treatment_id = $1 AND e.account = $2`,
      [s.t2, doctor2Address.toLowerCase()],
    );
    const inGrace = await at(W.doctor2, unassignedAt + GRACE_HOURS * HOUR - 1);
    expect((await world.gql(PATIENT, { r: s.ref2 }, inGrace, api.url)).errors).toBeUndefined();
    const listed = await world.gql<{ treatments: { nodes: { id: string }[] } }>(
      TREATMENTS,
      {},
      inGrace,
      api.url,
    );
    expect(listed.data!.treatments.nodes.map((t) => t.id)).toEqual([s.t2]);

    const over = await at(W.doctor2, unassignedAt + GRACE_HOURS * HOUR);
    expect((await world.gql(PATIENT, { r: s.ref2 }, over, api.url)).codes).toEqual(["FORBIDDEN"]);
    const after = await world.gql<{ treatments: { nodes: unknown[] } }>(TREATMENTS, {}, over, api.url);
    expect(after.data!.treatments.nodes).toEqual([]);
  });

  it("ends a grace period after the treatment closes, and at once with no grace period", async () => {
    const { api, at } = await apiAt();
    const strict = await apiAt({ DOCTOR_ACCESS_GRACE_HOURS: "0" });
    const history = `query ($r: Bytes32) { patient(ref: $r) { ref treatments { nodes { id } } latestVitals { heartRateBpm } } }`;
    const treating = await at(W.doctor, Date.now());
    const open = await world.gql<{ patient: { treatments: { nodes: { id: string }[] } } }>(
      history,
      { r: s.ref1 },
      treating,
      api.url,
    );
    expect(open.data!.patient.treatments.nodes.map((t) => t.id).sort()).toEqual([s.t1, s.t3].sort());

    await world.client(W.doctor).advanceStage({ treatmentId: BigInt(s.t1), stage: "CLOSED" });
    await world.indexed();
    const closedAt = await blockTimeOf("SELECT closed_at AS t FROM treatment WHERE id = $1", [s.t1]);

    const inGrace = await at(W.doctor, closedAt + GRACE_HOURS * HOUR - 1);
    const read = await world.gql<{ patient: { latestVitals: { heartRateBpm: number } } }>(
      history,
      { r: s.ref1 },
      inGrace,
      api.url,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.patient.latestVitals.heartRateBpm).toBe(64);

    const over = await at(W.doctor, closedAt + GRACE_HOURS * HOUR);
    expect((await world.gql(history, { r: s.ref1 }, over, api.url)).codes).toEqual(["FORBIDDEN"]);
    expect((await world.gql(`{ treatment(id: "${s.t1}") { id } }`, {}, over, api.url)).codes).toEqual([
      "FORBIDDEN",
    ]);
    const listed = await world.gql<{ treatments: { nodes: unknown[] } }>(TREATMENTS, {}, over, api.url);
    expect(listed.data!.treatments.nodes).toEqual([]);

    const lastMoment = await strict.at(W.doctor, closedAt - 1);
    expect((await world.gql(history, { r: s.ref1 }, lastMoment, strict.api.url)).errors).toBeUndefined();
    const closed = await strict.at(W.doctor, closedAt);
    expect((await world.gql(history, { r: s.ref1 }, closed, strict.api.url)).codes).toEqual(["FORBIDDEN"]);
  });
});
