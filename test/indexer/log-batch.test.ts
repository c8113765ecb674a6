import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logBatchFromObjects, scanLogResponse } from "../../indexer/rpc/log-batch.ts";

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const quantity = fc.integer({ min: 0, max: 2 ** 40 }).map((n) => `0x${n.toString(16)}`);

/** A log as nodes send it, with the optional fields present or not. */
const arbitraryLog = fc.record(
  {
    address: hex(20),
    topics: fc.array(hex(32), { minLength: 0, maxLength: 4 }),
    data: fc.array(hex(32), { maxLength: 6 }).map((words) => `0x${words.map((w) => w.slice(2)).join("")}`),
    blockNumber: quantity,
    blockHash: hex(32),
    blockTimestamp: quantity,
    transactionHash: hex(32),
    transactionIndex: quantity,
    logIndex: quantity,
    removed: fc.boolean(),
  },
  { requiredKeys: ["address", "topics", "data", "blockNumber", "blockHash", "transactionHash", "logIndex"] },
);

/** The same JSON value, written with any key order and spacing. */
function writeJson(value: unknown, order: (keys: string[]) => string[], space: () => string): string {
  if (Array.isArray(value))
    return `[${space()}${value.map((v) => writeJson(v, order, space)).join(`,${space()}`)}${space()}]`;
  if (value && typeof value === "object") {
    const keys = order(Object.keys(value));
    const members = keys.map(
      (k) =>
        `${JSON.stringify(k)}${space()}:${space()}${writeJson((value as Record<string, unknown>)[k], order, space)}`,
    );
    return `{${space()}${members.join(`,${space()}`)}${space()}}`;
  }
  return JSON.stringify(value);
}

function seen(logs: ReturnType<NonNullable<ReturnType<typeof scanLogResponse>>["toRpcLogs"]>) {
  return logs.map(({ transactionIndex: _ignored, ...rest }) => rest);
}

function expected(logs: Record<string, unknown>[]) {
  return logs.map((l) => {
    const { transactionIndex: _ignored, removed, blockTimestamp, ...rest } = l;
    return {
      ...rest,
      ...(blockTimestamp !== undefined ? { blockTimestamp } : {}),
      removed: removed === true,
    };
  });
}

describe("reading eth_getLogs responses in place", () => {
  it("reads every field JSON.parse reads, whatever the key order, spacing and extra fields", () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryLog, { maxLength: 8 }),
        fc.array(fc.constantFrom("", " ", "\n", "\t", "\r\n  "), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.jsonValue(),
        (logs, spaces, reverse, extra) => {
          let i = 0;
          const space = () => spaces[i++ % spaces.length]!;
          const order = (keys: string[]) => (reverse ? [...keys].reverse() : keys);
          const withExtra = logs.map((l) => ({ ...l, providerSpecific: extra }));
          const text = writeJson({ jsonrpc: "2.0", id: 7, result: withExtra }, order, space);
          const batch = scanLogResponse(Buffer.from(text, "utf8"));
          if (text.includes("\\")) {
            // Escapes are left to JSON.parse (the caller's slow path), which gives the same logs.
            expect(batch).toBeNull();
            expect(seen(logBatchFromObjects(JSON.parse(text).result)!.toRpcLogs())).toEqual(expected(logs));
            return;
          }
          expect(batch).not.toBeNull();
          expect(batch!.count).toBe(logs.length);
          expect(seen(batch!.toRpcLogs())).toEqual(expected(logs));
          logs.forEach((l, k) => {
            expect(batch!.blockNumber(k)).toBe(Number(l.blockNumber));
            expect(batch!.logIndex(k)).toBe(Number(l.logIndex));
            expect(batch!.blockTimestamp(k)).toBe(
              l.blockTimestamp === undefined ? undefined : Number(l.blockTimestamp),
            );
            expect(batch!.addressIs(k, l.address.toLowerCase())).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("leaves error replies, other results and logs without a required field to JSON.parse", () => {
    const log = {
      address: `0x${"11".repeat(20)}`,
      topics: [`0x${"22".repeat(32)}`],
      data: "0x",
      blockNumber: "0x1",
      blockHash: `0x${"33".repeat(32)}`,
      transactionHash: `0x${"44".repeat(32)}`,
      logIndex: "0x0",
    };
    const scan = (value: unknown) => scanLogResponse(Buffer.from(JSON.stringify(value)));
    expect(scan({ jsonrpc: "2.0", id: 1, result: [log] })?.count).toBe(1);
    expect(
      scan({
        jsonrpc: "2.0",
        id: 1,
        error: { code: -32005, message: "query returned more than 10000 results" },
      }),
    ).toBeNull();
    expect(scan({ jsonrpc: "2.0", id: 1, result: "0x1" })).toBeNull();
    expect(scan({ jsonrpc: "2.0", id: 1, result: [{ ...log, blockHash: undefined }] })).toBeNull();
    expect(scan({ jsonrpc: "2.0", id: 1, result: [{ ...log, transactionHash: "0x12" }] })).toBeNull();
    expect(scan({ jsonrpc: "2.0", id: 1, result: [{ ...log, data: "0x123" }] })).toBeNull();
    expect(
      scan({
        jsonrpc: "2.0",
        id: 1,
        result: [
          { ...log, topics: [log.topics[0], log.topics[0], log.topics[0], log.topics[0], log.topics[0]] },
        ],
      }),
    ).toBeNull();
    expect(scanLogResponse(Buffer.from('{"result":[{"address":'))).toBeNull();
    expect(
      scan({ jsonrpc: "2.0", id: 1, result: [{ ...log, blockTimestamp: null }] })?.blockTimestamp(0),
    ).toBeUndefined();
  });

  it("gives a log's bytes back once released, and only once", () => {
    const given: Buffer[] = [];
    const bytes = Buffer.from(JSON.stringify({ result: [] }));
    const batch = scanLogResponse(bytes, (b) => given.push(b))!;
    batch.release();
    batch.release();
    expect(given).toEqual([bytes]);
  });
});
