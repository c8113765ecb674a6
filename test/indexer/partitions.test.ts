/**
 * Block-range partitions of vital and event_record (migration 20261208100100_storage): created
 * ahead of the indexer, by two indexers at once without clashing, invisible to Prisma's schema
 * comparison.
 */
import { describe, expect, it } from "vitest";
import { createPartitions } from "../../indexer/store/partitions.ts";
import { diffSchema } from "../../prisma/migrate.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

const bounds = async (table: string) =>
  (
    await db.pool.query<{ bound: string }>(
      `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
      [table],
    )
  ).rows.map((r) => r.bound);

describe("block-range partitions", () => {
  it("are created ahead of the blocks written, from the highest one on, and take rows at once", async () => {
    // The migration made the first one, [0, 1000000).
    expect(await bounds("vital")).toEqual(["FOR VALUES FROM ('0') TO ('1000000')"]);
    const partitions = createPartitions((fn) => fn(db.pool), 1_000_000);
    await partitions.ensure(400_000n, 600_000n);
    // Within half a partition of the end: the next one is there before a row needs it.
    expect((await bounds("vital")).length).toBe(2);
    expect(await bounds("event_record")).toContain("FOR VALUES FROM ('1000000') TO ('2000000')");
    await db.pool.query(
      `INSERT INTO vital (block_number, log_index, tx_hash, treatment_id, patient_ref, recorder, measured_at)
       VALUES (1999999, 0, '0x1', 1, '0x2', '0x3', now())`,
    );
    await db.pool.query("DELETE FROM vital");
  });

  it("start at the first block written rather than fill the chain's history with empty ones", async () => {
    await db.pool.query("SELECT ensure_block_partitions('event_record', 20000100, 20000150, 1000000)");
    expect(await bounds("event_record")).toContain("FOR VALUES FROM ('20000000') TO ('21000000')");
    expect((await bounds("event_record")).length).toBe(3);
  });

  it("are created once when two indexers ask at the same time", async () => {
    const a = createPartitions((fn) => fn(db.pool), 10);
    const b = createPartitions((fn) => fn(db.pool), 10);
    await Promise.all([a.ensure(30_000_000n, 30_000_100n), b.ensure(30_000_000n, 30_000_100n)]);
    const created = (await bounds("vital")).filter((x) => x.includes("'3000"));
    expect(new Set(created).size).toBe(created.length);
    expect(created.length).toBe(11);
  });

  it("are not drift for Prisma: the schema still equals the migrations", async () => {
    const { drift, script } = await diffSchema({ databaseUrl: db.url });
    expect(drift, script).toBe(false);
  });
});
