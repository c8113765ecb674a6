/**
 * Whatever the chain accepts, the indexer indexes: every contract `string` field (taken from the
 * ABI, so a new one is covered) with arbitrary bytes, NUL and malformed UTF-8 included, through
 * the real decoder, reducer and COPY path into PostgreSQL; and the poison CID of issue 11 on a
 * real chain, with the indexer going on.
 */
import fc from "fast-check";
import {
  type AbiEvent,
  type AbiParameter,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionData,
  toHex,
} from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeDocTelLog } from "../../indexer/decode/decoder.ts";
import { docTelEvents } from "../../indexer/decode/events.ts";
import { decodeUtf8, escapeText, textProblem } from "../../indexer/decode/text.ts";
import type { RpcLog } from "../../indexer/rpc/types.ts";
import { runWriteSteps } from "../../indexer/store/bulk.ts";
import { createEntityCache } from "../../indexer/store/entity-cache.ts";
import { loadBatchState } from "../../indexer/store/load-state.ts";
import { createPartitions } from "../../indexer/store/partitions.ts";
import { reduceEvent } from "../../indexer/store/reduce.ts";
import { planBatchWrites } from "../../indexer/store/write-batch.ts";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf, startIndexer } from "../helpers/indexer.ts";
import { type Cast, patientData, ref, type Send, seedNetwork, sender } from "./scenario.ts";

const db = useTestDatabase();

/** A value of an ABI type that every handler accepts (ids 1, one patient, one hospital). */
function plainValue(p: AbiParameter): unknown {
  if (p.type === "address") return `0x${"0a".repeat(20)}`;
  if (p.type === "bool") return false;
  if (p.type === "string") return "x";
  const fixed = /^bytes(\d+)$/.exec(p.type);
  if (fixed) return `0x${"11".repeat(Number(fixed[1]))}`;
  const int = /^(u?)int(\d+)$/.exec(p.type);
  if (int) return Number(int[2]) <= 48 ? 1 : 1n;
  throw new Error(`no value for ${p.type}`);
}

let nextLog = 0;

/** A log of `event` with plain values, the string `field` (if any) holding exactly `bytes`. */
function logOf(event: AbiEvent, field?: string, bytes?: Uint8Array): RpcLog {
  const args: Record<string, unknown> = {};
  for (const input of event.inputs) args[input.name!] = plainValue(input);
  // A placeholder of the same length is encoded, then its bytes are replaced: viem encodes
  // strings as UTF-8 and could not write malformed bytes.
  if (field !== undefined) args[field] = "a".repeat(bytes!.length);
  const data = event.inputs.filter((i) => !i.indexed);
  let hex = encodeAbiParameters(
    data,
    data.map((i) => args[i.name!]),
  ).slice(2);
  if (field !== undefined) {
    const head = data.findIndex((i) => i.name === field);
    const offset = Number.parseInt(hex.slice(head * 64, head * 64 + 64), 16) * 2;
    const start = offset + 64;
    hex = hex.slice(0, start) + Buffer.from(bytes!).toString("hex") + hex.slice(start + bytes!.length * 2);
  }
  const topics = encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as string[];
  return {
    address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    topics,
    data: `0x${hex}`,
    blockNumber: "0x2a",
    blockHash: `0x${"ab".repeat(32)}`,
    transactionHash: `0x${"cd".repeat(32)}`,
    transactionIndex: "0x0",
    logIndex: toHex(nextLog++),
  };
}

const eventNamed = (name: string) => docTelEvents.find((e) => e.name === name)!;

/** Every `string` field of every DocTel event. */
const STRING_FIELDS = docTelEvents.flatMap((e) =>
  e.inputs.filter((i) => i.type === "string" && !i.indexed).map((i) => ({ event: e, field: i.name! })),
);

/** Bytes biased towards what breaks text: NUL, lone continuation bytes, truncated sequences, overlongs. */
const nastyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(0x00, 0x5c, 0x09, 0x0a, 0x0d, 0x80, 0xbf, 0xc0, 0xc1, 0xe2, 0xed, 0xf0, 0xf5, 0xff),
        fc.integer({ min: 0x20, max: 0x7e }),
      ),
      { maxLength: 40 },
    )
    .map((a) => Uint8Array.from(a)),
  fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s, "utf8"))),
);

interface Written {
  args: Record<string, unknown>;
  hospital: { name: string; raw_name: string | null } | undefined;
  attachment: { cid: string; raw_cid: string | null } | undefined;
  file: { status: string; last_error: string | null } | undefined;
}

/** Folds `logs` (one batch, block 42, unfinalized so undo images are written too) and writes them; reads back what `event` wrote. */
async function writeAndRead(logs: RpcLog[], event: string): Promise<Written> {
  const events = logs.map((l) => decodeDocTelLog(l, 1_700_000_000));
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await createPartitions((fn) => fn(client), 1000).ensure(42n, 42n);
    const state = await loadBatchState(client, events, createEntityCache(1000), 41n);
    for (const ev of events) reduceEvent(state, ev);
    await runWriteSteps(client, planBatchWrites(state));
    const q = async <R>(sql: string, values: unknown[] = []) =>
      (await client.query(sql, values)).rows[0] as R;
    const written: Written = {
      args: (
        await q<{ args: Record<string, unknown> }>("SELECT args FROM event_record WHERE name = $1", [event])
      ).args,
      hospital: await q("SELECT name, '0x' || encode(raw_name, 'hex') AS raw_name FROM hospital"),
      attachment: await q("SELECT cid, '0x' || encode(raw_cid, 'hex') AS raw_cid FROM attachment"),
      file: await q(
        "SELECT f.status::text, f.last_error FROM file_verification f JOIN attachment a ON a.cid = f.cid",
      ),
    };
    return written;
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
}

/** The events that make any other one valid: a hospital, a patient, treatment 1. */
const PRELUDE = ["HospitalRegistered", "PatientRegistered", "TreatmentOpened"];

describe("contract strings that are not text", () => {
  it("covers every string field of the ABI", () => {
    expect(STRING_FIELDS.map((f) => `${f.event.name}.${f.field}`).sort()).toEqual([
      "FileAttached.cid",
      "HospitalRegistered.name",
    ]);
  });

  it("decodes any bytes losslessly and stores them escaped, flagged and exact, through the real COPY path", async () => {
    for (const { event, field } of STRING_FIELDS) {
      await fc.assert(
        fc.asyncProperty(nastyBytes, async (bytes) => {
          const logs = PRELUDE.filter((n) => n !== event.name).map((n) => logOf(eventNamed(n)));
          logs.push(logOf(event, field, bytes));
          const written = await writeAndRead(logs, event.name);
          const decoded = decodeUtf8(bytes);
          const problem = textProblem(decoded);
          const text = problem === null ? decoded : escapeText(decoded);
          const raw = problem === null ? null : `0x${Buffer.from(bytes).toString("hex")}`;
          // The event's record: the text as stored, and the exact bytes when it is escaped; the
          // event's number (seq, its first data word) is checked by the sync, not stored.
          expect(written.args[field]).toBe(text);
          expect(written.args).not.toHaveProperty("seq");
          expect((written.args.invalidText as Record<string, string> | undefined)?.[field] ?? null).toBe(raw);
          if (event.name === "HospitalRegistered") {
            expect(written.hospital).toEqual({ name: text, raw_name: raw });
          }
          if (event.name === "FileAttached") {
            expect(written.attachment).toEqual({ cid: text, raw_cid: raw });
            // Not text: INVALID with its reason at once, never queued for IPFS.
            expect(written.file).toEqual(
              problem === null
                ? { status: "PENDING", last_error: null }
                : { status: "INVALID", last_error: `the CID is not valid text: it holds ${problem}` },
            );
          }
        }),
        { numRuns: 40 },
      );
    }
  });
});

describe("the poison CID on a real chain", () => {
  const chain = useTestChain();
  let cast: Cast;
  let send: Send;

  beforeAll(async () => {
    cast = await seedNetwork(chain);
    send = sender(chain, cast.address);
  });

  it("indexes attachFile(t, 4, 'bafy\\u0000x') and a hospital name that is not UTF-8, and goes on indexing", async () => {
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await send(cast.staff, "attachFile", [2n, 4, "bafy\u0000x"]);
    // A name of bytes that are not UTF-8: viem encodes strings as UTF-8, so the calldata is patched.
    const placeholder = "Hospital ZZZZ";
    const data = encodeFunctionData({
      abi: docTelAbi,
      functionName: "registerHospital",
      args: [placeholder, 7, 94],
    }).replace(
      Buffer.from(placeholder).toString("hex"),
      Buffer.from("Hospital \xff\xfe\x00\x01", "latin1").toString("hex"),
    );
    const hash = await cast.governance.sendTransaction({ to: cast.address, data } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    // And an ordinary event after them.
    const last = await send(cast.staff, "updatePatient", [ref(11), { ...patientData(11), heightCm: 177 }]);
    await run.waitFor(last);
    await run.stop();

    const { rows: files } = await db.pool.query(
      `SELECT a.cid, '0x' || encode(a.raw_cid, 'hex') AS raw, f.status::text, f.last_error, f.attempts
         FROM attachment a JOIN file_verification f ON f.cid = a.cid WHERE a.raw_cid IS NOT NULL`,
    );
    expect(files).toEqual([
      {
        cid: "bafy\\x00x",
        raw: `0x${Buffer.from("bafy\u0000x").toString("hex")}`,
        status: "INVALID",
        last_error: "the CID is not valid text: it holds a NUL byte at byte 4",
        attempts: 0,
      },
    ]);
    const { rows: hospitals } = await db.pool.query(
      "SELECT name, '0x' || encode(raw_name, 'hex') AS raw FROM hospital WHERE raw_name IS NOT NULL",
    );
    expect(hospitals).toEqual([
      { name: "Hospital \\xff\\xfe\\x00\u0001", raw: "0x486f73706974616c20fffe0001" },
    ]);
    const { rows: patient } = await db.pool.query("SELECT height_cm FROM patient WHERE ref = $1", [ref(11)]);
    expect(patient).toEqual([{ height_cm: 177 }]);
  });
});
