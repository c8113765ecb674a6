/**
 * Decodes DocTel logs straight from the bytes of the node's response (a LogBatch). The
 * ABI-driven plan is built once per event; decoding a log is then a walk over its fields,
 * reading hex digits at known offsets, with no generic ABI machinery and no intermediate
 * strings. `test/indexer/decoder.test.ts` checks it against viem's decodeEventLog.
 *
 * What the node sends is checked here: every hex digit read must be one, the data must hold
 * the event's fields, the topics must match the event. An integer field reads the bits of its
 * type (as Solidity's own decoding masks them).
 */
import type { AbiEvent, AbiParameter } from "viem";
import { keccak256Text } from "../../shared/keccak.ts";
import { UndecodableLogError } from "../errors.ts";
import { hexDigit, type LogBatch, logBatchFromObjects } from "../rpc/log-batch.ts";
import type { RpcLog } from "../rpc/types.ts";
import { type DocTelEvent, docTelEvents } from "./events.ts";
import { decodeUtf8 } from "./text.ts";

// Field kinds: how a field's value is read from its word.
const ADDRESS = 0;
const BOOL = 1;
const STRING = 2;
const FIXED_BYTES = 3;
/** Unsigned, up to 48 bits: a number (viem's convention). */
const UINT_NUMBER = 4;
/** Unsigned, wider: a bigint. */
const UINT_BIG = 5;
const INT_NUMBER = 6;
const INT_BIG = 7;

interface FieldPlan {
  name: string;
  indexed: boolean;
  /** The event's number (`seq`): checked by the sync (sequence.ts), not part of the args. */
  sequence: boolean;
  kind: number;
  /** Hex digits the value occupies at the end (integers) or start (bytesN) of its word. */
  digits: number;
  bits: number;
}

export interface EventPlan {
  name: string;
  selector: string;
  fields: FieldPlan[];
  indexedCount: number;
  /** How the event is numbered: its own `seq` (first data word), or none (OpenZeppelin's). */
  numbered: boolean;
}

export { UndecodableLogError };

/** Thrown while reading a field; becomes an UndecodableLogError naming the log. */
class BadField extends Error {}

function fieldPlan(param: AbiParameter): FieldPlan {
  const indexed = (param as { indexed?: boolean }).indexed === true;
  const base = { name: param.name ?? "", indexed, sequence: param.name === SEQ_FIELD && !indexed };
  const type = param.type;
  if (type === "address") return { ...base, kind: ADDRESS, digits: 40, bits: 160 };
  if (type === "bool") return { ...base, kind: BOOL, digits: 1, bits: 1 };
  if (type === "string") return { ...base, kind: STRING, digits: 0, bits: 0 };
  const fixedBytes = /^bytes(\d+)$/.exec(type);
  if (fixedBytes) return { ...base, kind: FIXED_BYTES, digits: Number(fixedBytes[1]) * 2, bits: 0 };
  const int = /^(u?)int(\d+)$/.exec(type);
  if (int) {
    const bits = Number(int[2]);
    const kind = int[1] === "u" ? (bits <= 48 ? UINT_NUMBER : UINT_BIG) : bits <= 48 ? INT_NUMBER : INT_BIG;
    return { ...base, kind, digits: bits / 4, bits };
  }
  throw new Error(`decoder: unsupported ABI type ${type} in ${param.name}`);
}

/** Plans by the first 13 hex digits of their selector (52 bits: a number, not a string). */
function buildPlans(events: readonly AbiEvent[]): Map<number, EventPlan> {
  const plans = new Map<number, EventPlan>();
  for (const event of events) {
    const fields = event.inputs.map(fieldPlan);
    // The canonical signature: DocTel's events have no tuple fields (fieldPlan refuses them).
    const selector = keccak256Text(`${event.name}(${event.inputs.map((i) => i.type).join(",")})`);
    const key = Number.parseInt(selector.slice(2, 15), 16);
    if (plans.has(key)) throw new Error(`decoder: two events share the selector prefix of ${event.name}`);
    const numbered = fields.some((f) => f.sequence);
    if (numbered && !(fields.find((f) => !f.indexed) === fields.find((f) => f.sequence))) {
      throw new Error(`decoder: ${event.name}'s ${SEQ_FIELD} must be its first data field`);
    }
    plans.set(key, {
      name: event.name,
      selector,
      fields,
      indexedCount: fields.filter((f) => f.indexed).length,
      numbered,
    });
  }
  return plans;
}

/** The field that numbers an event: the first data word of every DocTel event. */
const SEQ_FIELD = "seq";

const plans = buildPlans(docTelEvents);
const TWO_32 = 4_294_967_296;

/** A number from `digits` (≤ 13) hex digits at `at`. */
function readHex(b: Buffer, at: number, digits: number): number {
  let n = 0;
  for (let k = at; k < at + digits; k++) {
    const d = hexDigit(b[k]!);
    if (d < 0) throw new BadField("not hex");
    n = n * 16 + d;
  }
  return n;
}

/** Hex digits as a lowercase string (checked). */
function hexText(b: Buffer, start: number, end: number): string {
  let upper = false;
  for (let k = start; k < end; k++) {
    const c = b[k]!;
    if (hexDigit(c) < 0) throw new BadField("not hex");
    if (c >= 65 && c <= 70) upper = true;
  }
  const text = b.toString("latin1", start, end);
  return upper ? text.toLowerCase() : text;
}

/** A field's value from the 64-digit word at `at`. */
function readWord(field: FieldPlan, b: Buffer, at: number): unknown {
  const end = at + 64;
  switch (field.kind) {
    case ADDRESS:
      return `0x${hexText(b, end - 40, end)}`;
    case BOOL:
      return b[end - 1] === 49;
    case FIXED_BYTES:
      return `0x${hexText(b, at, at + field.digits)}`;
    case UINT_NUMBER:
      return readHex(b, end - field.digits, field.digits);
    case UINT_BIG: {
      if (field.digits > 16) return BigInt(`0x${hexText(b, end - field.digits, end)}`);
      const lo = readHex(b, end - 8, 8);
      const hi = readHex(b, end - field.digits, field.digits - 8);
      // Below 2^53 one number holds it exactly: the common case (ids, counters).
      return hi < 0x200000 ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
    }
    default: {
      // Signed: two's complement over the type's bits.
      const raw = BigInt(`0x${hexText(b, end - field.digits, end)}`);
      const value = raw >= 1n << BigInt(field.bits - 1) ? raw - (1n << BigInt(field.bits)) : raw;
      return field.kind === INT_NUMBER ? Number(value) : value;
    }
  }
}

/**
 * A `string` field: its offset word points at a length word, then the bytes. Any bytes: those
 * that are not UTF-8 are kept as lone surrogates (decode/text.ts), never lost or replaced.
 */
function readString(b: Buffer, dataStart: number, dataEnd: number, offsetAt: number): string {
  const offset = dataStart + readHex(b, offsetAt + 51, 13) * 2;
  if (offset + 64 > dataEnd) throw new BadField("string offset past the data");
  const length = readHex(b, offset + 51, 13) * 2;
  if (offset + 64 + length > dataEnd) throw new BadField("string length past the data");
  return decodeUtf8(Buffer.from(hexText(b, offset + 64, offset + 64 + length), "hex"));
}

/** The plan of log `i`'s event, by its first topic; undefined for a log of no known event. */
export function planOf(batch: LogBatch, i: number): EventPlan | undefined {
  if (batch.topicCount(i) === 0) return undefined;
  const b = batch.bytes;
  const start = batch.topicStart(i, 0);
  let key = 0;
  for (let k = start + 2; k < start + 15; k++) {
    const d = hexDigit(b[k]!);
    if (d < 0) return undefined;
    key = key * 16 + d;
  }
  const plan = plans.get(key);
  if (!plan) return undefined;
  // The rest of the selector must match too.
  for (let k = 15; k < 66; k++) if ((b[start + k]! | 0x20) !== plan.selector.charCodeAt(k)) return undefined;
  return plan;
}

export interface BatchDecoder {
  /** Decodes log `i` of the batch; `blockTime` is its block's timestamp (seconds). */
  decode(i: number, blockTime: number): DocTelEvent;
}

/**
 * A decoder over one batch. Logs come in runs of one block and one transaction: the block
 * number and the hashes are read once per run.
 */
export function createBatchDecoder(batch: LogBatch): BatchDecoder {
  let prev = -1;
  let blockNumber = 0n;
  let blockHash = "0x" as `0x${string}`;
  let txHash = "0x" as `0x${string}`;
  const b = batch.bytes;

  function undecodable(i: number, message: string): UndecodableLogError {
    return new UndecodableLogError(message, {
      block_number: batch.blockNumberHex(i),
      log_index: batch.logIndex(i),
      tx_hash: batch.transactionHash(i),
    });
  }

  return {
    decode(i, blockTime) {
      const plan = planOf(batch, i);
      if (!plan) {
        const topic0 = batch.topicCount(i) > 0 ? batch.topic(i, 0).toLowerCase() : "(none)";
        throw undecodable(i, `log has an unknown event topic ${topic0}`);
      }
      const topics = batch.topicCount(i);
      if (topics !== plan.indexedCount + 1) {
        throw undecodable(
          i,
          `${plan.name} log has ${topics - 1} indexed topics, expected ${plan.indexedCount}`,
        );
      }
      const dataStart = batch.dataStart(i);
      const dataEnd = batch.dataEnd(i);
      const args: Record<string, unknown> = {};
      let topic = 1;
      let at = dataStart;
      for (const field of plan.fields) {
        try {
          if (field.indexed) {
            args[field.name] = readWord(field, b, batch.topicStart(i, topic++) + 2);
            continue;
          }
          if (at + 64 > dataEnd) throw new BadField("the data is too short");
          if (field.sequence) {
            at += 64;
            continue;
          }
          args[field.name] =
            field.kind === STRING ? readString(b, dataStart, dataEnd, at) : readWord(field, b, at);
          at += 64;
        } catch (error) {
          if (!(error instanceof BadField)) throw error;
          throw undecodable(i, `${plan.name} log field ${field.name} cannot be read: ${error.message}`);
        }
      }
      if (prev < 0 || !batch.sameBlockNumber(i, prev)) {
        const n = batch.blockNumber(i);
        if (!Number.isSafeInteger(n)) throw undecodable(i, `${plan.name} log has no valid block number`);
        blockNumber = BigInt(n);
      }
      if (prev < 0 || !batch.sameBlockHash(i, prev)) {
        blockHash = hash(i, "block");
      }
      if (prev < 0 || !batch.sameTransaction(i, prev)) {
        txHash = hash(i, "transaction");
      }
      prev = i;
      const logIndex = batch.logIndex(i);
      if (!Number.isSafeInteger(logIndex)) throw undecodable(i, `${plan.name} log has no valid log index`);
      return {
        eventName: plan.name,
        args,
        blockNumber,
        blockHash,
        blockTime,
        txHash,
        logIndex,
      } as DocTelEvent;
    },
  };

  /** A hash as the node sent it, checked and lowercased. */
  function hash(i: number, which: "block" | "transaction"): `0x${string}` {
    const value = which === "block" ? batch.blockHash(i) : batch.transactionHash(i);
    if (!HASH.test(value)) throw undecodable(i, `log ${which} hash ${value} is not 32 bytes of hex`);
    return value.toLowerCase() as `0x${string}`;
  }
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** Decodes one log given as a JSON-RPC object (tests, messages). */
export function decodeDocTelLog(log: RpcLog, blockTime: number): DocTelEvent {
  const batch = logBatchFromObjects([log]);
  if (batch?.count !== 1) {
    throw new UndecodableLogError("log is not a JSON-RPC log object", {
      block_number: log.blockNumber,
      log_index: log.logIndex,
      tx_hash: log.transactionHash,
    });
  }
  return createBatchDecoder(batch).decode(0, blockTime);
}
