import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDataset,
  datasetById,
  datasetRows,
} from "../../graphql/analytics/datasets/resolve-datasets.ts";
import type { DatasetRow } from "../../graphql/analytics/datasets/rows.ts";
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
import { cut, finalizeAt } from "./dataset-fixtures.ts";

const db = useTestDatabase();
const ANALYST = "0x00000000000000000000000000000000000000c1" as const;
const BATCH = 500;
const LARGE_ROWS = 60_000;

/** Bearer tokens of this test. */
const viewers: Record<string, { roles: ApiRole[]; address: `0x${string}`; exportsPerDay?: number }> = {
  analyst: { roles: ["ANALYST"], address: ANALYST },
  other: { roles: ["ANALYST"], address: "0x00000000000000000000000000000000000000c2" },
  health: { roles: ["PUBLIC_HEALTH"], address: "0x00000000000000000000000000000000000000c3" },
  thrifty: { roles: ["ANALYST"], address: "0x00000000000000000000000000000000000000c4", exportsPerDay: 2 },
};

const batches: { datasetId: string; batch: number; rows: number }[] = [];
const audited: AuditEntry[] = [];
const handler = createDatasetExportHandler({ batchRows: BATCH, onBatch: (b) => batches.push(b) });
let server: http.Server;
let base: string;
let smallId: string;
let smallRows: number;
let thriftyId: string;
const largeId = randomUUID();
const largeRelease = randomUUID();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
    const viewer = viewers[token];
    const ctx = analyticsContext(db, viewer ? viewer.roles : null, viewer ? { address: viewer.address } : {});
    ctx.audit = { record: async (e) => void audited.push(e) };
    if (viewer?.exportsPerDay) {
      Object.assign(ctx.settings, {
        datasetLimits: { datasetsPerDay: 50, exportsPerDay: viewer.exportsPerDay },
      });
    }
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
    diagnosis: ["A90", "J10.1", "E11.9"][i % 3]!,
  }));
  await insertCases(db.pool, cases);
  await finalizeAt(db.pool, "2025-03-01T00:00:00Z");
  await cut(db.pool, "MONTH");
  const dataset = await createDataset(analyticsContext(db, ["ANALYST"], { address: ANALYST }), {});
  smallId = dataset.id;
  smallRows = dataset.rowCount;
  thriftyId = (
    await createDataset(analyticsContext(db, ["ANALYST"], { address: viewers.thrifty!.address }), {})
  ).id;

  // A large synthetic release of one class, written straight into the release tables.
  await db.pool.query(
    `INSERT INTO dataset_release (id, period_kind, period, period_start, period_end, snapshot_block, snapshot_hash,
       finalized_block, k, l, levels, row_count, class_count, chapter_rows, suppressed_rows_rounded, rounding_base, info_loss)
     VALUES ($1, 'MONTH', '2020-01', '2019-12-30', '2020-02-02', 1, '0x1', 1, 11, 3, '{0,0,0,0}', $2, 1, 0, 0, 10, 0)`,
    [largeRelease, LARGE_ROWS],
  );
  await db.pool.query(
    `INSERT INTO dataset_release_class (release_id, class_no, age_band, sex, state_code, district_code, period, first_seq,
       rows, diagnoses, info_loss)
     VALUES ($1, 1, '35-39', 'FEMALE', 27, 490, '2020-W02', 1, $2, 3, 0)`,
    [largeRelease, LARGE_ROWS],
  );
  await db.pool.query(
    `INSERT INTO dataset_release_row (release_id, seq, class_no, pseudonym, age_band, sex, state_code, district_code, period,
       diagnosis, diagnosis_level, stage, length_of_stay_days, vitals_count, verified_attachments)
     SELECT $1, g, 1, md5(g::text), '35-39', 'FEMALE', 27, 490, '2020-W02', 'A90', 'CATEGORY', 'DIAGNOSED', g % 9, g % 4, g % 2
       FROM generate_series(1, $2) AS g`,
    [largeRelease, LARGE_ROWS],
  );
  await db.pool.query(
    `INSERT INTO dataset_selection (id, created_by, release_id, selection, class_nos, row_count, class_count, info_loss)
     VALUES ($1, $2, $3, '{}'::jsonb, '{1}', $4, 1, 0)`,
    [largeId, ANALYST, largeRelease, LARGE_ROWS],
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
    expect(res.headers.get("x-doctel-release")).toBe("2025-01");
    const lines = res.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(smallRows);
    // Exactly the rows GraphQL pages through, in the same order: the export is no second view.
    const ctx = analyticsContext(db, ["ANALYST"], { address: ANALYST });
    const dataset = await datasetById(ctx, smallId);
    const graphql: DatasetRow[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await datasetRows(ctx, dataset!, { first: 9, after });
      graphql.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(lines).toEqual(JSON.parse(JSON.stringify(graphql)));
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

  it("counts exports against the account's daily limit (429 with Retry-After), HEAD requests excepted", async () => {
    expect((await get(`/export/datasets/${thriftyId}.ndjson`, "thrifty", "HEAD")).status).toBe(200);
    expect((await get(`/export/datasets/${thriftyId}.ndjson`, "thrifty")).status).toBe(200);
    expect((await get(`/export/datasets/${thriftyId}.ndjson`, "thrifty")).status).toBe(200);
    const refused = await get(`/export/datasets/${thriftyId}.ndjson`, "thrifty");
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error.message).toMatch(/limit of 2 exports per 24 hours/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM dataset_export WHERE viewer = $1", [
      viewers.thrifty!.address,
    ]);
    expect(rows[0].n).toBe(2);
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
