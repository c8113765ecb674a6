import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataset } from "../../graphql/analytics/datasets/resolve-datasets.ts";
import { readRowsAfter, toDatasetRow } from "../../graphql/analytics/datasets/rows.ts";
import { createDatasetExportHandler } from "../../graphql/analytics/export/ndjson-export.ts";
import type { ApiRole } from "../../graphql/context.ts";
import { DocTelError } from "../../shared/errors.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  type AuditEntry,
  analyticsContext,
  type CaseSpec,
  insertCases,
  insertHospitals,
} from "./analytics-fixtures.ts";

const db = useTestDatabase();
const ANALYST = "0x00000000000000000000000000000000000000c1" as const;
const BATCH = 500;
const LARGE_ROWS = 60_000;

/** Bearer tokens of this test: "<role>:<address>". */
const viewers: Record<string, { roles: ApiRole[]; address: `0x${string}` }> = {
  analyst: { roles: ["ANALYST"], address: ANALYST },
  other: { roles: ["ANALYST"], address: "0x00000000000000000000000000000000000000c2" },
  health: { roles: ["PUBLIC_HEALTH"], address: "0x00000000000000000000000000000000000000c3" },
};

const batches: { datasetId: string; batch: number; rows: number }[] = [];
const audited: AuditEntry[] = [];
const handler = createDatasetExportHandler({ batchRows: BATCH, onBatch: (b) => batches.push(b) });
let server: http.Server;
let base: string;
let smallId: string;
let smallRows: number;
const largeId = randomUUID();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
    const viewer = viewers[token];
    const ctx = analyticsContext(db, viewer ? viewer.roles : null, viewer ? { address: viewer.address } : {});
    ctx.audit = { record: async (e) => void audited.push(e) };
    // As graphql/server.ts maps errors thrown by a route.
    handler(req, res, ctx).catch((error: unknown) => {
      const code = error instanceof DocTelError ? error.code : "INTERNAL";
      const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400 }[code as string] ?? 500;
      if (res.headersSent) res.destroy();
      else res.writeHead(status).end(JSON.stringify({ error: { code } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await insertHospitals(db.pool, [{ id: 1, state: 27, district: 490 }]);
  const cases: CaseSpec[] = Array.from({ length: 40 }, (_, i) => ({
    patient: i + 1,
    sex: i % 2 ? "MALE" : "FEMALE",
    state: 27,
    district: 490,
    openedAt: "2025-01-07T05:00:00Z",
  }));
  await insertCases(db.pool, cases);
  const dataset = await createDataset(analyticsContext(db, ["ANALYST"], { address: ANALYST }), {
    from: "2025-01-01",
    to: "2025-01-31",
  });
  smallId = dataset.id;
  smallRows = dataset.rowCount;

  // A large synthetic dataset, written straight into the dataset tables.
  await db.pool.query(
    `INSERT INTO analytics_dataset (id, created_by, params, k, levels, candidate_rows, row_count, suppressed_rows, classes, info_loss)
     VALUES ($1, $2, '{}'::jsonb, 11, '{0,0,0,0}', $3, $3, 0, 1, 0)`,
    [largeId, ANALYST, LARGE_ROWS],
  );
  await db.pool.query(
    `INSERT INTO analytics_dataset_row (dataset_id, seq, pseudonym, age_band, sex, state_code, district_code, period, diagnosis,
       stage, length_of_stay_days, vitals_count, verified_attachments)
     SELECT $1, g, md5(g::text), '35-39', 'FEMALE', 27, 490, '2025-W02', 'A90', 'DIAGNOSED', g % 9, g % 4, g % 2
       FROM generate_series(1, $2) AS g`,
    [largeId, LARGE_ROWS],
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function get(path: string, token: string | null, method = "GET") {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe("NDJSON export", () => {
  it("streams every row of the analyst's dataset as one JSON object per line, as GraphQL shows them", async () => {
    const res = await get(`/export/datasets/${smallId}.ndjson`, "analyst");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    expect(res.headers.get("x-doctel-dataset-rows")).toBe(String(smallRows));
    const lines = res.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(smallRows);
    const stored = await readRowsAfter(db.pool, smallId, 0, 10_000);
    expect(lines).toEqual(stored.map(toDatasetRow));
    expect(audited).toContainEqual(
      expect.objectContaining({ operation: "exportDataset", recordType: "DATASET", recordIds: [smallId] }),
    );
  });

  it("refuses other roles, other analysts' datasets, unknown routes and writes", async () => {
    expect((await get(`/export/datasets/${smallId}.ndjson`, "health")).status).toBe(403);
    expect((await get(`/export/datasets/${smallId}.ndjson`, null)).status).toBe(401);
    expect((await get(`/export/datasets/${smallId}.ndjson`, "other")).status).toBe(404);
    expect((await get("/export/datasets/nope.ndjson", "analyst")).status).toBe(404);
    expect((await get(`/export/datasets/${smallId}.ndjson`, "analyst", "POST")).status).toBe(405);
  });

  it("reads the next batch only when the client has taken the previous ones, so memory stays flat", async () => {
    const totalBatches = Math.ceil(LARGE_ROWS / BATCH);
    const before = batches.length;
    const seen = () => batches.filter((b) => b.datasetId === largeId).length;
    const req = http.get(`${base}/export/datasets/${largeId}.ndjson`, {
      headers: { authorization: "Bearer analyst" },
    });
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on("response", resolve));
    expect(res.statusCode).toBe(200);
    // Take one chunk, then stop reading.
    const firstChunk = await new Promise<Buffer>((resolve) =>
      res.once("data", (chunk: Buffer) => {
        res.pause();
        resolve(chunk);
      }),
    );
    const batchesAtFirstByte = seen();
    // Wait until the server stops reading (its socket buffers are full), whatever the machine's speed.
    let last = -1;
    while (seen() !== last) {
      last = seen();
      await new Promise((r) => setTimeout(r, 200));
    }
    const stalledAt = seen();
    expect(firstChunk.length).toBeGreaterThan(0);
    expect(batchesAtFirstByte).toBeLessThan(totalBatches);
    expect(stalledAt).toBeLessThan(totalBatches / 4);
    // Resume and read the rest: every row arrives, in order.
    let text = firstChunk.toString("utf8");
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      text += chunk;
    });
    res.resume();
    await new Promise((resolve) => res.on("end", resolve));
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(LARGE_ROWS);
    expect(seen()).toBe(totalBatches);
    expect(batches.length - before).toBe(totalBatches);
    expect(JSON.parse(lines[LARGE_ROWS - 1]!).pseudonym).toBeTypeOf("string");
  });
});
