/**
 * Bad input gets a 4xx with a clear message, never a 500. Every argument of every operation is
 * fuzzed with arbitrary strings (NUL, invalid percent-escapes, lone surrogates, huge numbers as
 * text…) and well-typed values, generated from the schema's own introspection: an argument added
 * tomorrow is fuzzed without editing this file. Arguments of the fields right under each operation
 * are fuzzed too, behind valid root arguments from the scenario. Every HTTP route gets arbitrary
 * paths, headers and bodies. Any 5xx, or any INTERNAL_SERVER_ERROR in a 200, fails.
 */
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import {
  buildClientSchema,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getIntrospectionQuery,
  getNamedType,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { AADHAAR, buildScenario, type Scenario, useApiWorld, W } from "./harness.ts";

const world = useApiWorld();
let s: Scenario;
const tokens: Record<string, string | null> = { anonymous: null };
let schema: ReturnType<typeof buildClientSchema>;

beforeAll(async () => {
  s = await buildScenario(world);
  for (const name of ["staff1", "doctor", "governance", "auditor", "analyst", "publicHealth"] as const) {
    tokens[name] = await world.signIn(W[name]);
  }
  const res = await world.gql<IntrospectionQuery>(getIntrospectionQuery());
  expect(res.errors).toBeUndefined();
  schema = buildClientSchema(res.data!);
});

/** Strings an attacker would try, and arbitrary ones. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 48 }),
  fc.string({ unit: "grapheme", maxLength: 48 }),
  fc.constantFrom(
    "",
    "\u0000",
    "E11.9\u0000",
    "%E0%A4%A",
    "\ud800",
    "'; DROP TABLE treatment; --",
    "\\",
    "9999999999999999999",
    "99999999999999999999999",
    "-1",
    "1e309",
    "NaN",
    "0x",
    `0x${"f".repeat(64)}`,
    `0x${"g".repeat(40)}`,
    "2026-02-30T25:61:00Z",
    "275760-09-14T00:00:00Z",
    "0000-01-01",
    "x".repeat(10_000),
    "null",
    "[]",
  ),
);

/** Values the scenario makes valid, per scalar: they let a root field resolve so its children run. */
function knownGood(name: string): unknown[] {
  const now = Date.now();
  const address = (i: number) => world.wallet(i).account.address;
  const known: Record<string, unknown[]> = {
    Bytes32: [s.ref1, s.ref2],
    BigInt: [s.t1, s.t2, s.t3],
    Address: [address(W.doctor), address(W.staff1)],
    Int: [s.hospital1, s.hospital2, 7, 77, 10, 1, 5],
    String: [AADHAAR.patient1, AADHAAR.unregistered, "E11.9", "E11"],
    DateTime: [new Date(now - 30 * 86_400_000).toISOString(), new Date(now + 86_400_000).toISOString()],
    Date: ["2026-01-05", "2025-12-01"],
  };
  return known[name] ?? [];
}

function arbitraryFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inner(type.ofType, depth);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: inner(type, depth) });
}

function inner(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return inner(type.ofType, depth);
  if (isListType(type)) {
    return fc.oneof(fc.array(arbitraryFor(type.ofType, depth + 1), { maxLength: 3 }), hostileString);
  }
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(type.getFields());
    const shape = Object.fromEntries(fields.map((f) => [f.name, arbitraryFor(f.type, depth + 1)]));
    const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    return fc.oneof(
      { weight: 5, arbitrary: fc.record(shape, { requiredKeys: required }) },
      { weight: 1, arbitrary: hostileString },
    );
  }
  if (isEnumType(type))
    return fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), hostileString);
  const good = knownGood(type.name);
  const typed: fc.Arbitrary<unknown>[] = [];
  if (type.name === "Int")
    typed.push(fc.integer(), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31), 32_768, 65_536));
  if (type.name === "Float")
    typed.push(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0.5, 1e300));
  if (type.name === "Boolean") typed.push(fc.boolean());
  if (type.name === "JSON") typed.push(fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof(
    ...(good.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...good) }] : []),
    ...typed.map((arbitrary) => ({ weight: 2, arbitrary })),
    { weight: 3, arbitrary: hostileString },
  );
}

interface Operation {
  text: string;
  variables: fc.Arbitrary<Record<string, unknown>>;
}

/** One operation around root field `field`: its arguments and those of its children, as variables. */
function operationFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>): Operation {
  const definitions: string[] = [];
  const values: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  const args = (f: GraphQLField<unknown, unknown>, prefix: string) => {
    if (f.args.length === 0) return "";
    const list = f.args.map((a) => {
      const name = `${prefix}_${a.name}`;
      definitions.push(`$${name}: ${String(a.type)}`);
      values[name] = arbitraryFor(a.type);
      if (isNonNullType(a.type)) required.push(name);
      return `${a.name}: $${name}`;
    });
    return `(${list.join(", ")})`;
  };
  const selection = (type: GraphQLOutputType, prefix: string, nested: boolean): string => {
    const named: GraphQLNamedType = getNamedType(type);
    if (isLeafType(named)) return "";
    if (!nested || !(isObjectType(named) || isInterfaceType(named))) return "{ __typename }";
    const children = Object.values(named.getFields())
      .filter((c) => c.args.length > 0)
      .map((c, i) => `${c.name}${args(c, `${prefix}${i}`)} ${selection(c.type, `${prefix}${i}`, false)}`);
    return `{ __typename ${children.join(" ")} }`;
  };
  const body = `${field.name}${args(field, "r")} ${selection(field.type, "c", true)}`;
  const text = `${kind} Fuzz${definitions.length ? `(${definitions.join(", ")})` : ""} { ${body} }`;
  return {
    text,
    variables: fc.record(values, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>,
  };
}

function lastInternalError(): string {
  const internal = world.logs.lines().filter((l) => l.level === 50);
  return JSON.stringify(internal.at(-1) ?? null).slice(0, 2_000);
}

describe("every argument of every operation, fuzzed", () => {
  it("answers 4xx or a GraphQL error with a client code, never 5xx nor INTERNAL_SERVER_ERROR", async () => {
    const roots: ["query" | "mutation", GraphQLField<unknown, unknown>][] = [
      ...Object.values(schema.getQueryType()!.getFields()).map((f) => ["query", f] as ["query", typeof f]),
      ...Object.values(schema.getMutationType()!.getFields()).map(
        (f) => ["mutation", f] as ["mutation", typeof f],
      ),
    ];
    // Introspection drives it: a field that takes arguments is fuzzed without being named here.
    expect(roots.filter(([, f]) => f.args.length > 0).length).toBeGreaterThanOrEqual(15);
    const seenCodes = new Set<string>();
    for (const [kind, field] of roots) {
      // signOut would end the sessions the other runs use: it is fuzzed without a token.
      const who = field.name === "signOut" ? ["anonymous"] : Object.keys(tokens);
      const operation = operationFor(kind, field);
      await fc.assert(
        fc.asyncProperty(operation.variables, fc.constantFrom(...who), async (variables, role) => {
          const res = await fetch(`${world.api.url}/graphql`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...(tokens[role] ? { authorization: `Bearer ${tokens[role]}` } : {}),
            },
            body: JSON.stringify({ query: operation.text, variables }),
          });
          const text = await res.text();
          const context = `${role}: ${operation.text} ${text.slice(0, 300)} ${lastInternalError()}`;
          expect(res.status, context).toBeLessThan(500);
          const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
          for (const error of body.errors ?? []) {
            seenCodes.add(String(error.extensions?.code));
            expect(error.extensions?.code, context).not.toBe("INTERNAL_SERVER_ERROR");
          }
        }),
        { numRuns: kind === "mutation" ? 20 : field.args.length > 0 ? 30 : 5 },
      );
    }
    // The fuzzer reached past validation into the resolvers' own checks.
    expect(seenCodes).toContain("BAD_USER_INPUT");
    expect(seenCodes).toContain("FORBIDDEN");
  });

  it("refuses a NUL in the treatments diagnosis filter and the auditEvents filter with BAD_USER_INPUT (HTTP 400)", async () => {
    for (const [query, variables, token] of [
      ['{ treatments(filter: { diagnosis: "E11.9\\u0000" }) { nodes { id } } }', {}, tokens.staff1],
      [
        "query ($d: String) { treatments(filter: { diagnosis: $d }) { nodes { id } } }",
        { d: "E11\u0000.9" },
        tokens.staff1,
      ],
      ['{ auditEvents(filter: { operation: "patient\\u0000" }) { nodes { id } } }', {}, tokens.auditor],
    ] as const) {
      const res = await world.gql(query, variables, token);
      expect(res.status, query).toBe(400);
      expect(res.codes).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0]!.message).toMatch(/NUL character/);
    }
  });
});

/** A raw HTTP request (fetch would normalize the path), returning the status. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | null,
): Promise<{ status: number; text: string }> {
  const url = new URL(world.api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      // A connection per request: a server that answers without reading a body may close the
      // socket, and a kept-alive client reusing it would see that race, not the server's answer.
      { host: url.hostname, port: url.port, method, path, headers, timeout: 20_000, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Arbitrary bytes in a path, percent-encoded (valid and broken escapes alike). */
const pathSegment = fc.oneof(
  fc
    .uint8Array({ maxLength: 24 })
    .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, "0").toUpperCase()}`).join("")),
  fc.stringMatching(/^[A-Za-z0-9._~%-]{0,40}$/),
  fc.constantFrom(
    "%E0%A4%A",
    "%",
    "%zz",
    "..",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "bafy%00x",
    "a".repeat(4_000),
  ),
);

describe("every HTTP route, fuzzed", () => {
  it("answers arbitrary paths, methods, headers and bodies without a 5xx", async () => {
    const prefixes = [
      "/files/",
      "/export/",
      "/export/datasets/",
      "/graphql",
      "/health",
      "/ready",
      "/metrics",
      "/demo/",
      "/",
      "/assets/",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        pathSegment,
        fc.option(
          pathSegment.map((q) => `?${q}`),
          { nil: "" },
        ),
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"),
        fc.option(
          fc.oneof(
            hostileString.map((t) => `Bearer ${t.replace(/[^\x20-\x7e]/g, "")}`),
            fc.constant(`Bearer ${tokens.staff1}`),
          ),
          { nil: undefined },
        ),
        fc.constantFrom("application/json", "text/plain", "application/graphql-response+json", ""),
        fc.option(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
            fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
          ),
          {
            nil: null,
          },
        ),
        async (prefix, segment, query, method, authorization, contentType, body) => {
          const headers: Record<string, string> = {
            ...(authorization ? { authorization } : {}),
            ...(contentType ? { "content-type": contentType } : {}),
            "x-request-id": segment.slice(0, 80),
            // GraphQL over GET needs this header past Apollo's CSRF check.
            "apollo-require-preflight": "true",
          };
          const res = await raw(
            method,
            `${prefix}${segment}${query}`,
            headers,
            method === "GET" || method === "HEAD" ? null : body,
          );
          expect(
            res.status,
            `${method} ${prefix}${segment}${query}: ${res.text.slice(0, 300)} ${lastInternalError()}`,
          ).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("answers GET /files/%E0%A4%A with 400, because a malformed escape is the client's error", async () => {
    const res = await raw("GET", "/files/%E0%A4%A", { authorization: `Bearer ${tokens.staff1}` }, null);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({
      error: { code: "BAD_USER_INPUT", message: expect.stringMatching(/percent-encoding/) },
    });
  });
});
