import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeUtf8, escapeText, textProblem } from "../../indexer/decode/text.ts";
import { copyStep, runWriteSteps } from "../../indexer/store/bulk.ts";
import { CopyWriter } from "../../indexer/store/copy-writer.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();

beforeAll(async () => {
  await db.pool.query(
    "CREATE TABLE copy_probe (k int, i bigint, big bigint, t text, ts timestamptz, p text, n int)",
  );
});

const YEAR_1 = -62_135_596_800;
const YEAR_9999_END = 253_402_300_799;

interface Row {
  i: number;
  big: bigint;
  t: string;
  ts: number;
  p: string | null;
  n: number | null;
}

/** Writes rows with CopyWriter, COPYs them into PostgreSQL, and reads them back. */
async function roundTrip(rows: Row[]): Promise<Row[]> {
  const w = new CopyWriter();
  rows.forEach((r, k) => {
    w.int(k).int(r.i).bigint(r.big).text(r.t).time(r.ts);
    if (r.p === null) w.null();
    else w.label(r.p);
    if (r.n === null) w.null();
    else w.int(r.n);
    w.end();
  });
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("TRUNCATE copy_probe");
    await runWriteSteps(client, [
      copyStep(
        { name: "copy_probe", columns: ["k", "i", "big", "t", "ts", "p", "n"].map((name) => ({ name })) },
        w,
      ),
    ]);
    const { rows: back } = await client.query<{
      i: string;
      big: string;
      t: string;
      ts: string;
      p: string | null;
      n: number | null;
    }>(
      "SELECT i::text, big::text, t, extract(epoch FROM ts)::bigint::text AS ts, p, n FROM copy_probe ORDER BY k",
    );
    await client.query("COMMIT");
    return back.map((r) => ({
      i: Number(r.i),
      big: BigInt(r.big),
      t: r.t,
      ts: Number(r.ts),
      p: r.p,
      n: r.n,
    }));
  } finally {
    client.release();
  }
}

describe("COPY rows written field by field", () => {
  it("reads back from PostgreSQL exactly as written: integers, bigints, any text, times of years 1 to 9999, NULLs", async () => {
    const row = fc.record({
      i: fc.maxSafeInteger(),
      big: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
      t: fc.string({ unit: "binary", maxLength: 40 }).filter((s) => textProblem(s) === null),
      ts: fc.integer({ min: YEAR_1, max: YEAR_9999_END }),
      p: fc.option(fc.stringMatching(/^0x[0-9a-f]{1,64}$/), { nil: null }),
      n: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), async (rows) => {
        expect(await roundTrip(rows)).toEqual(rows);
      }),
      { numRuns: 40 },
    );
  });

  it("writes the text that breaks COPY's format (tabs, newlines, backslashes) escaped, and spans rows over buffers", async () => {
    const nasty = "a\tb\nc\\d\re\\N";
    const rows: Row[] = Array.from({ length: 3000 }, (_, k) => ({
      i: k,
      big: BigInt(k) * 1_000_000_007n,
      t: `${nasty}${"x".repeat(k % 700)}`,
      ts: 1_700_000_000 + k,
      p: k % 2 ? null : `0x${k.toString(16)}`,
      n: k % 3 ? k : null,
    }));
    expect(await roundTrip(rows)).toEqual(rows);
  });

  it("writes any string PostgreSQL's text cannot hold (NUL, lone surrogates, bytes that are not UTF-8) in its escaped form, so a COPY never fails on one", async () => {
    const notText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }).map((s) => `${s}\u0000${s}`),
      fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => decodeUtf8(Uint8Array.from([...b, 0xff]))),
      fc.string({ maxLength: 10 }).map((s) => `${s}\ud800\t${s}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(notText, { minLength: 1, maxLength: 20 }), async (texts) => {
        const rows: Row[] = texts.map((t, k) => ({ i: k, big: 1n, t, ts: 0, p: null, n: null }));
        const back = await roundTrip(rows);
        expect(back.map((r) => r.t)).toEqual(texts.map(escapeText));
      }),
      { numRuns: 30 },
    );
  });

  it("refuses a plain value holding a tab, newline or backslash, which would shift columns or add a row", () => {
    for (const bad of ["0xab\tcd", "0x12\n34", "0x\\N", "0x1\r2"]) {
      expect(() => new CopyWriter().plain(bad)).toThrow(/control character or backslash/);
    }
  });
});
