import fc from "fast-check";
import { type AbiEvent, decodeEventLog, encodeAbiParameters, encodeEventTopics, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { decodeDocTelLog, UndecodableLogError } from "../../indexer/decode/decoder.ts";
import { docTelEvents } from "../../indexer/decode/events.ts";
import type { RpcLog } from "../../indexer/rpc/types.ts";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";

/** A random value of an ABI type, within the type's range. */
function arbitraryFor(type: string): fc.Arbitrary<unknown> {
  if (type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b));
  if (type === "bool") return fc.boolean();
  if (type === "string") return fc.string({ maxLength: 80, unit: "grapheme" });
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed)
    return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map((b) => toHex(b));
  const int = /^(u?)int(\d+)$/.exec(type);
  if (int) {
    const bits = BigInt(int[2]!);
    const big =
      int[1] === "u"
        ? fc.bigInt(0n, (1n << bits) - 1n)
        : fc.bigInt(-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n);
    return Number(bits) <= 48 ? big.map(Number) : big;
  }
  throw new Error(`no arbitrary for ${type}`);
}

function encodeLog(event: AbiEvent, args: Record<string, unknown>): RpcLog {
  const topics = encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as string[];
  const data = encodeAbiParameters(
    event.inputs.filter((i) => !i.indexed),
    event.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]),
  );
  return {
    address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    topics,
    data,
    blockNumber: "0x2a",
    blockHash: `0x${"ab".repeat(32)}`,
    transactionHash: `0x${"cd".repeat(32)}`,
    transactionIndex: "0x0",
    logIndex: "0x7",
  };
}

const lower = (v: unknown): unknown =>
  typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : v;

describe("the DocTel log decoder", () => {
  for (const event of docTelEvents) {
    it(`decodes ${event.name} exactly as viem's decodeEventLog does, for any field values`, () => {
      const record = fc.record(Object.fromEntries(event.inputs.map((i) => [i.name!, arbitraryFor(i.type)])));
      fc.assert(
        fc.property(record, (args) => {
          const log = encodeLog(event, args);
          const ours = decodeDocTelLog(log, 1_700_000_000);
          const theirs = decodeEventLog({
            abi: docTelAbi,
            data: log.data as `0x${string}`,
            topics: log.topics as [`0x${string}`],
          });
          expect(ours.eventName).toBe(theirs.eventName);
          // The event's number (seq) is the sync's to check, not part of the args.
          const expected = Object.fromEntries(
            Object.entries((theirs.args ?? {}) as object)
              .filter(([k]) => k !== "seq")
              .map(([k, v]) => [k, lower(v)]),
          );
          expect(ours.args).toEqual(expected);
          expect(ours.blockNumber).toBe(42n);
          expect(ours.logIndex).toBe(7);
          expect(ours.blockTime).toBe(1_700_000_000);
        }),
        { numRuns: 60 },
      );
    });
  }

  it("refuses a log of an unknown event, saying which topic it saw", () => {
    const log = encodeLog(docTelEvents.find((e) => e.inputs.length === 0)!, {});
    log.topics = [`0x${"11".repeat(32)}`];
    expect(() => decodeDocTelLog(log, 0)).toThrow(UndecodableLogError);
    expect(() => decodeDocTelLog(log, 0)).toThrow(/unknown event topic 0x1111/);
  });

  it("refuses a log whose indexed topics do not match the event, because the data would be misread", () => {
    const event = docTelEvents.find((e) => e.name === "TreatmentOpened")!;
    const log = encodeLog(event, {
      seq: 1n,
      treatmentId: 1n,
      patientRef: `0x${"00".repeat(32)}`,
      hospitalId: 1,
      actor: `0x${"00".repeat(20)}`,
    });
    log.topics = log.topics.slice(0, 2);
    expect(() => decodeDocTelLog(log, 0)).toThrow(/1 indexed topics, expected 3/);
  });
});
