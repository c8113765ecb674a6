import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchWriter } from "../../indexer/store/batch-writer.ts";
import { copyStep, type WriteStep } from "../../indexer/store/bulk.ts";
import { CopyWriter } from "../../indexer/store/copy-writer.ts";
import { DatabaseError, describeError } from "../../shared/errors.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();
let writer: ReturnType<typeof createBatchWriter>;

beforeAll(async () => {
  await db.pool.query("CREATE TABLE writer_probe (k int PRIMARY KEY, t text)");
  writer = createBatchWriter({ connectionString: db.url });
});
afterAll(async () => {
  await writer.close();
});

const insert = (k: number): WriteStep => ({
  kind: "query",
  label: "probe",
  text: "INSERT INTO writer_probe (k, t) VALUES ($1, $2)",
  values: [k, `row ${k}`],
});

const rows = async () =>
  (await db.pool.query<{ k: number }>("SELECT k FROM writer_probe ORDER BY k")).rows.map((r) => r.k);

describe("the writer thread", () => {
  it("commits each batch in one transaction, COPY payloads included, and times its steps", async () => {
    const lines = new CopyWriter();
    for (let k = 10; k < 2010; k++) lines.int(k).text(`copied ${k}`).end();
    const timings = await writer.write(
      [insert(1), null, copyStep({ name: "writer_probe", columns: [{ name: "k" }, { name: "t" }] }, lines)],
      "batch 1",
    );
    expect((await rows()).length).toBe(2001);
    expect(timings.probe_ms).toBeGreaterThanOrEqual(0);
    expect(timings.writer_probe_ms).toBeGreaterThanOrEqual(0);
    expect(timings.commit_ms).toBeGreaterThanOrEqual(0);
  });

  it("rolls a failing batch back whole and says which batch and why, then writes the next on a sound connection", async () => {
    const before = await rows();
    const failing = writer.write([insert(2), insert(1)], "blocks 5-9");
    // A constraint violation is classified by its SQLSTATE: not retryable, the cause kept.
    await expect(failing).rejects.toBeInstanceOf(DatabaseError);
    await failing.catch((e: DatabaseError) => {
      expect(describeError(e)).toMatch(/^writing blocks 5-9: database error 23505: duplicate key/);
      expect(e.details).toMatchObject({ sqlstate: "23505" });
    });
    expect(await rows()).toEqual(before);
    await writer.write([insert(3)], "blocks 10-12");
    expect(await rows()).toContain(3);
    expect(await rows()).not.toContain(2);
  });

  it("commits batches in the order they were handed over, even when handed over at once", async () => {
    await db.pool.query("TRUNCATE writer_probe");
    const order = [100, 101, 102, 103, 104];
    const writes = order.map((k) =>
      writer.write(
        [insert(k), { kind: "query", label: "probe", text: "SELECT pg_sleep(0.01)", values: [] }],
        `batch ${k}`,
      ),
    );
    await Promise.all(writes);
    const { rows: xmin } = await db.pool.query<{ k: number }>(
      "SELECT k FROM writer_probe ORDER BY xmin::text::bigint",
    );
    expect(xmin.map((r) => r.k)).toEqual(order);
  });
});
