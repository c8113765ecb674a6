import { beforeAll, describe, expect, it } from "vitest";
import { AADHAAR, buildScenario, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
let s: Scenario;

beforeAll(async () => {
  s = await buildScenario(world);
});

const PATIENT = `{ patient(aadhaar: "${AADHAAR.patient1}") { ref } }`;

describe("roles come from the chain at every request", () => {
  it("refuses an auditor's next request once the revocation's block is indexed, with the same session", async () => {
    const gov = world.client(W.governance);
    const account = world.wallet(W.spare).account.address;
    await gov.grantRole({ role: "AUDITOR", account });
    await world.indexed();
    const token = await world.signIn(W.spare);
    const before = await world.gql("{ auditEvents(first: 1) { nodes { id } } }", {}, token);
    expect(before.errors).toBeUndefined();
    const { blockNumber } = await gov.revokeRole({ role: "AUDITOR", account });
    await world.indexed(blockNumber);
    const after = await world.gql("{ auditEvents(first: 1) { nodes { id } } }", {}, token);
    expect(after.codes).toEqual(["FORBIDDEN"]);
    const viewer = await world.gql<{ viewer: { roles: string[] } }>("{ viewer { roles } }", {}, token);
    expect(viewer.data!.viewer.roles).toEqual([]);
  });

  it("refuses a doctor's patient once they are unassigned, because access follows the care team", async () => {
    // No grace period here (DOCTOR_ACCESS_GRACE_HOURS=0; test/graphql/care.test.ts tests one), and
    // the API's clock at least at the unassignment's block time (a dev chain's blocks may be
    // seconds ahead of the wall clock when it mines faster than one a second).
    let atLeast = 0;
    const api = await world.startApi(
      { DOCTOR_ACCESS_GRACE_HOURS: "0" },
      { clock: () => new Date(Math.max(Date.now(), atLeast)) },
    );
    const token = await world.signIn(W.doctor, api.url);
    expect((await world.gql(PATIENT, {}, token, api.url)).errors).toBeUndefined();
    const staff = world.client(W.staff1);
    const { blockNumber } = await staff.unassignDoctor({
      treatmentId: BigInt(s.t1),
      doctor: world.wallet(W.doctor).account.address,
    });
    await world.indexed(blockNumber);
    const { rows } = await world.db.pool.query<{ time: Date }>(
      "SELECT time FROM event_block WHERE number = $1",
      [String(blockNumber)],
    );
    atLeast = rows[0]!.time.getTime();
    expect((await world.gql(PATIENT, {}, token, api.url)).codes).toEqual(["FORBIDDEN"]);
    await staff.assignDoctor({ treatmentId: BigInt(s.t1), doctor: world.wallet(W.doctor).account.address });
    await world.indexed();
    expect((await world.gql(PATIENT, {}, token, api.url)).errors).toBeUndefined();
  });

  it("refuses a revoked doctor everything clinical, because revocation ends every assignment", async () => {
    const token = await world.signIn(W.doctor);
    const { blockNumber } = await world
      .client(W.staff1)
      .revokeMember({ account: world.wallet(W.doctor).account.address });
    await world.indexed(blockNumber);
    const res = await world.gql(PATIENT, {}, token);
    expect(res.codes).toEqual(["FORBIDDEN"]);
    const list = await world.gql("{ treatments { nodes { id } } }", {}, token);
    expect(list.codes).toEqual(["FORBIDDEN"]);
  });

  it("refuses revoked staff, and gives the new hospital's view after re-registration elsewhere", async () => {
    const token = await world.signIn(W.staff1);
    const staffAddress = world.wallet(W.staff1).account.address;
    const gov = world.client(W.governance);
    const { blockNumber } = await gov.revokeMember({ account: staffAddress });
    await world.indexed(blockNumber);
    expect((await world.gql(PATIENT, {}, token)).codes).toEqual(["FORBIDDEN"]);
    await gov.registerStaff({ account: staffAddress, hospitalId: s.hospital2, aadhaar: AADHAAR.staff1 });
    await world.indexed();
    const res = await world.gql<{ treatments: { nodes: { id: string }[] } }>(
      "{ treatments { nodes { id } } }",
      {},
      token,
    );
    expect(res.data!.treatments.nodes.map((t) => t.id)).toEqual([s.t3]);
  });
});
