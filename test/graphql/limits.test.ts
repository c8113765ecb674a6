import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import type { Pool } from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiPool } from "../../graphql/db-pool.ts";
import { encodeAssignDoctor, encodeAttachFile, encodeOpenTreatment } from "../../sdk/encoders/treatments.ts";
import { buildScenario, captureLogs, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld({ apiEnv: { MAX_QUERY_DEPTH: "8", MAX_QUERY_COST: "8000" } });
let s: Scenario;
let staff: string;

beforeAll(async () => {
  s = await buildScenario(world);
  staff = await world.signIn(W.staff1);
  // 50 more treatments at hospital 1, each with two doctors and two attachments.
  const client = world.client(W.staff1);
  const doctor = world.wallet(W.doctor).account.address;
  const doctor2 = world.wallet(W.doctor2).account.address;
  const open = Array.from({ length: 50 }, () => encodeOpenTreatment({ patientRef: s.ref2 as `0x${string}` }));
  const { events } = await client.multicall(open);
  const ids = events
    .filter((e) => e.eventName === "TreatmentOpened")
    .map((e) => (e.args as { treatmentId: bigint }).treatmentId);
  expect(ids).toHaveLength(50);
  const cid = async (label: string) =>
    CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(label))).toString();
  const cids = new Map<bigint, [string, string]>();
  for (const id of ids) cids.set(id, [await cid(`prescription ${id}`), await cid(`lab report ${id}`)]);
  await client.multicall(
    ids.flatMap((treatmentId) => [
      encodeAssignDoctor({ treatmentId, doctor }),
      encodeAssignDoctor({ treatmentId, doctor: doctor2 }),
      encodeAttachFile({ treatmentId, kind: "PRESCRIPTION", cid: cids.get(treatmentId)![0] }),
      encodeAttachFile({ treatmentId, kind: "LAB_REPORT", cid: cids.get(treatmentId)![1] }),
    ]),
  );
  await world.indexed();
});

const NESTED = `query Nested {
  treatments(first: 50) {
    nodes {
      id stage
      patient { ref sex registeredHospital { name } }
      hospital { id name }
      careTeam { assignedAt doctor { account specialty { name } hospital { name } } }
      attachments { kind cid verification { status } }
    }
  }
}`;

describe("nested queries", () => {
  it("load 50 treatments with patient, hospital, doctors and attachments in a constant handful of statements (no N+1)", async () => {
    const { result, count, statements } = await world.countApiStatements(() => world.gql(NESTED, {}, staff));
    expect(result.errors).toBeUndefined();
    const nodes = (
      result.data as { treatments: { nodes: { careTeam: unknown[]; attachments: unknown[] }[] } }
    ).treatments.nodes;
    expect(nodes).toHaveLength(50);
    expect(nodes.every((t) => t.careTeam.length === 2 && t.attachments.length === 2)).toBe(true);
    // session and roles, treatments, patients, hospitals, care teams (with the doctors' member rows),
    // attachments (with their verification), the audit insert.
    expect(count, statements.join("\n---\n")).toBeLessThanOrEqual(7);
  });

  it("serve a patient's whole history (treatments with hospital, care team, attachments) in four statements", async () => {
    const history = `query ($ref: Bytes32) { patient(ref: $ref) { ref sex treatments(first: 50) { nodes {
      id stage diagnosis { code } hospital { name } careTeam { doctor { account specialty { name } } }
      attachments { cid verification { status } } } } } }`;
    const { result, count, statements } = await world.countApiStatements(() =>
      world.gql(history, { ref: s.ref2 }, staff),
    );
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as { patient: { treatments: { nodes: { careTeam: unknown[] }[] } } }).patient
      .treatments.nodes;
    expect(nodes.filter((t) => t.careTeam.length === 2)).toHaveLength(50);
    // session and roles; the patient and the treatments page (with its relations) at once; the audit insert.
    expect(count, statements.join("\n---\n")).toBeLessThanOrEqual(4);
  });

  it("plan a patient's history once per connection: its prepared statements settle on generic plans", async () => {
    // One connection, so that pg_prepared_statements (per session) sees every statement the API sent.
    const pool = createApiPool({ databaseUrl: world.db.apiUrl, size: 1 });
    try {
      const api = await world.startApi({}, { pool });
      const history = `query ($ref: Bytes32) { patient(ref: $ref) { ref sex treatments(first: 20) { nodes {
        id stage hospital { name } careTeam { doctor { account } } attachments { cid } } } } }`;
      const runs = 12;
      for (let i = 0; i < runs; i++) {
        const res = await world.gql(history, { ref: s.ref2 }, staff, api.url);
        expect(res.errors).toBeUndefined();
      }
      await api.close();
      const { rows } = await pool.query<{ statement: string; generic: number; custom: number }>(
        "SELECT statement, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements",
      );
      const hot = rows.filter((r) => r.generic + r.custom >= runs);
      // The session check, the patient, the treatments page with its relations.
      expect(hot.length).toBeGreaterThanOrEqual(3);
      // PostgreSQL plans a statement anew for its first five runs, then keeps the generic plan
      // unless that looks costlier: an array of keys (estimated at 10) made it re-plan every time.
      const replanned = hot
        .filter((r) => r.custom > 5)
        .map((r) => `${r.custom} custom plans: ${r.statement}`);
      expect(replanned).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it("take the same number of statements for 5 treatments as for 50", async () => {
    const five = await world.countApiStatements(() =>
      world.gql(NESTED.replace("first: 50", "first: 5"), {}, staff),
    );
    const fifty = await world.countApiStatements(() => world.gql(NESTED, {}, staff));
    expect(five.count).toBe(fifty.count);
  });
});

describe("query limits", () => {
  it("refuse a query deeper than MAX_QUERY_DEPTH before running it (QUERY_TOO_COMPLEX, HTTP 400)", async () => {
    const deep = `{ treatments(first: 1) { nodes { patient { registeredHospital { name } treatments(first: 1) { nodes { careTeam { doctor { hospital { name } } } } } } } } }`;
    const { result, statements } = await world.countApiStatements(() => world.gql(deep, {}, staff));
    expect(result.status).toBe(400);
    expect(result.codes).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(result.errors![0]!.message).toMatch(/depth 9 exceeds the limit of 8/);
    // Only the session check ran: no treatment was read.
    expect(statements.some((sql) => /FROM treatment t/.test(sql))).toBe(false);
  });

  it("refuse a query whose estimated cost exceeds MAX_QUERY_COST before running it", async () => {
    const wide = `{ treatments(first: 100) { nodes { id timeline(first: 100) { nodes { name txHash } } } } }`;
    const res = await world.gql(wide, {}, staff);
    expect(res.status).toBe(400);
    expect(res.codes).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(res.errors![0]!.extensions).toMatchObject({ maxCost: 8000 });
  });

  it("count page sizes given as variables", async () => {
    const res = await world.gql(
      "query ($n: Int) { treatments(first: $n) { nodes { timeline(first: $n) { nodes { name } } } } }",
      { n: 100 },
      staff,
    );
    expect(res.codes).toEqual(["QUERY_TOO_COMPLEX"]);
  });

  it("refuse a page larger than MAX_PAGE_SIZE with BAD_USER_INPUT", async () => {
    const res = await world.gql("{ hospitals(first: 101) { nodes { id } } }", {}, staff);
    expect(res.codes).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0]!.message).toMatch(/at most 100/);
  });
});

describe("errors", () => {
  it("hide unexpected failures behind 'internal error' and log them in full with the request id", async () => {
    const logs = captureLogs();
    const failing = new Proxy(world.db.apiPool, {
      get(target, prop, receiver) {
        if (prop === "query") {
          return (config: unknown, values?: unknown) => {
            const text = typeof config === "string" ? config : (config as { text: string }).text;
            if (/FROM hospital h WHERE h\.id /.test(text)) {
              return Promise.reject(new Error("simulated failure: relation hospital is on fire"));
            }
            return (target.query as (c: unknown, v?: unknown) => Promise<unknown>).call(
              target,
              config,
              values,
            );
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as Pool;
    const api = await world.startApi({}, { pool: failing, logger: logs.logger });
    const token = await world.signIn(W.staff1, api.url);
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-request-id": "client-boom",
      },
      body: JSON.stringify({ query: `{ treatment(id: "${s.t1}") { id hospital { name } } }` }),
    });
    const body = (await res.json()) as {
      errors: { message: string; extensions: { code: string; stacktrace?: unknown } }[];
    };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.message).toBe("internal error");
    expect(body.errors[0]!.extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(body.errors[0]!.extensions.stacktrace).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain("on fire");
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = logs.lines().find((l) => l.request_id === requestId && l.level === 50);
    expect(logged).toBeDefined();
    expect(logged!.msg).toMatch(/on fire/);
    expect((logged!.err as { stack?: string }).stack).toMatch(/simulated failure/);
  });

  it("map known errors to their codes in extensions.code", async () => {
    const res = await world.gql(`{ treatment(id: "99999") { id } }`, {}, staff);
    expect(res.errors).toBeUndefined();
    expect((res.data as { treatment: null }).treatment).toBeNull();
    const forbidden = await world.gql("{ roleGrants { nodes { account } } }", {}, staff);
    expect(forbidden.codes).toEqual(["FORBIDDEN"]);
  });

  it("switch introspection off with INTROSPECTION=false", async () => {
    const api = await world.startApi({ INTROSPECTION: "false" });
    const res = await world.gql("{ __schema { queryType { name } } }", {}, null, api.url);
    expect(res.codes).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const on = await world.gql<{ __schema: { queryType: { name: string } } }>(
      "{ __schema { queryType { name } } }",
    );
    expect(on.data!.__schema.queryType.name).toBe("Query");
  });
});

describe("operations endpoints", () => {
  it("serve /health, /ready and Prometheus /metrics with request and error counts by operation and code", async () => {
    expect((await fetch(`${world.api.url}/health`)).status).toBe(200);
    const ready = await fetch(`${world.api.url}/ready`);
    expect(ready.status).toBe(200);
    await world.gql(NESTED, {}, staff);
    const metrics = await (await fetch(`${world.api.url}/metrics`)).text();
    expect(metrics).toMatch(/doctel_api_graphql_requests_total\{operation="Nested",status="ok"\} \d+/);
    expect(metrics).toMatch(
      /doctel_api_graphql_request_duration_seconds_bucket\{le="[\d.]+",operation="Nested"\}/,
    );
    expect(metrics).toMatch(/doctel_api_graphql_errors_total\{code="QUERY_TOO_COMPLEX"\} \d+/);
    expect((await fetch(`${world.api.url}/no-such-route`, { method: "POST" })).status).toBe(404);
  });

  it("keep /metrics off the API's port in production, unless a token guards it or it has a port of its own", async () => {
    const production = await world.startApi({ NODE_ENV: "production" });
    expect((await fetch(`${production.url}/metrics`)).status).toBe(404);
    expect(production.metricsUrl).toBeNull();

    const token = "t".repeat(40);
    const guarded = await world.startApi({ NODE_ENV: "production", METRICS_TOKEN: token });
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${guarded.url}/metrics`, {
      headers: { authorization: `Bearer ${"u".repeat(40)}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toMatch(/doctel_api_graphql_requests_total/);

    const separate = await world.startApi({ NODE_ENV: "production", METRICS_PORT: "0" });
    expect((await fetch(`${separate.url}/metrics`)).status).toBe(404);
    expect(separate.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(separate.metricsUrl!).port).not.toBe(String(separate.port));
    expect((await fetch(separate.metricsUrl!)).status).toBe(200);
  });
});
