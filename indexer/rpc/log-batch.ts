/**
 * eth_getLogs results read in place: a LogBatch keeps the response's bytes and, per log, where
 * each field's value lies in them. No object or string is made per log; the decoder reads the
 * hex words it needs straight from the bytes. (JSON.parse made a dozen strings and objects per
 * log, which cost more in parsing and garbage collection than decoding and writing together.)
 *
 * `scanLogResponse` reads a JSON-RPC response whose result is an array of logs, in any key order,
 * with whitespace or unknown fields. Anything else (an error reply, an escape sequence, a shape it
 * does not know) makes it return null: the caller then parses the response with JSON.parse, to
 * classify an error or to read odd JSON through `logBatchFromObjects`.
 */
import type { RpcLog } from "./types.ts";

// Per log, STRIDE int32 slots: [start, end) of each field's value inside its quotes.
const ADDRESS = 0;
const BLOCK_HASH = 2;
const BLOCK_NUMBER = 4;
const BLOCK_TIMESTAMP = 6;
const TX_HASH = 8;
const LOG_INDEX = 10;
const DATA = 12;
const TOPIC_COUNT = 14;
const TOPICS = 15; // 4 topic starts (a topic is 66 characters)
const REMOVED = 19;
const STRIDE = 20;
const REQUIRED = [ADDRESS, BLOCK_HASH, BLOCK_NUMBER, TX_HASH, LOG_INDEX, DATA];
const MAX_TOPICS = 4;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class LogBatch {
  readonly bytes: Buffer;
  readonly count: number;
  readonly #slots: Int32Array;
  #onRelease: ((bytes: Buffer) => void) | undefined;

  constructor(bytes: Buffer, count: number, slots: Int32Array, onRelease?: (bytes: Buffer) => void) {
    this.bytes = bytes;
    this.count = count;
    this.#slots = slots;
    this.#onRelease = onRelease;
  }

  /** The logs are read for good: their bytes may be reused for another response. */
  release(): void {
    const onRelease = this.#onRelease;
    this.#onRelease = undefined;
    onRelease?.(this.bytes);
  }

  #at(i: number, field: number): number {
    return this.#slots[i * STRIDE + field]!;
  }

  /** A field's value as a string (a copy: it does not keep the response alive). */
  #text(i: number, field: number): string {
    return this.bytes.toString("latin1", this.#at(i, field), this.#at(i, field + 1));
  }

  address(i: number): string {
    return this.#text(i, ADDRESS);
  }
  /** Whether the log's address is `lower` (a lowercase "0x…" address), in any letter case. */
  addressIs(i: number, lower: string): boolean {
    const start = this.#at(i, ADDRESS);
    if (this.#at(i, ADDRESS + 1) - start !== lower.length) return false;
    for (let k = 0; k < lower.length; k++) {
      const c = this.bytes[start + k]!;
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== lower.charCodeAt(k)) return false;
    }
    return true;
  }
  blockHash(i: number): string {
    return this.#text(i, BLOCK_HASH);
  }
  transactionHash(i: number): string {
    return this.#text(i, TX_HASH);
  }
  blockNumberHex(i: number): string {
    return this.#text(i, BLOCK_NUMBER);
  }
  /** The block number; quantities above 2^53 are not block numbers of any chain. */
  blockNumber(i: number): number {
    return hexQuantity(this.bytes, this.#at(i, BLOCK_NUMBER), this.#at(i, BLOCK_NUMBER + 1));
  }
  logIndex(i: number): number {
    return hexQuantity(this.bytes, this.#at(i, LOG_INDEX), this.#at(i, LOG_INDEX + 1));
  }
  /** The block's timestamp when the node sends it with the log, else undefined. */
  blockTimestamp(i: number): number | undefined {
    const start = this.#at(i, BLOCK_TIMESTAMP);
    return start < 0 ? undefined : hexQuantity(this.bytes, start, this.#at(i, BLOCK_TIMESTAMP + 1));
  }
  removed(i: number): boolean {
    return this.#at(i, REMOVED) === 1;
  }
  topicCount(i: number): number {
    return this.#at(i, TOPIC_COUNT);
  }
  /** Offset of topic `k`'s "0x" in `bytes` (66 characters). */
  topicStart(i: number, k: number): number {
    return this.#at(i, TOPICS + k);
  }
  topic(i: number, k: number): string {
    const start = this.topicStart(i, k);
    return this.bytes.toString("latin1", start, start + 66);
  }
  /** [start, end) of the data's hex digits, after "0x". */
  dataStart(i: number): number {
    return this.#at(i, DATA) + 2;
  }
  dataEnd(i: number): number {
    return this.#at(i, DATA + 1);
  }
  /** Whether two logs' fields hold the same characters (a block's or transaction's run). */
  sameBlockHash(i: number, j: number): boolean {
    return sameSpan(this.bytes, this.#at(i, BLOCK_HASH), this.#at(j, BLOCK_HASH), 66);
  }
  sameTransaction(i: number, j: number): boolean {
    return sameSpan(this.bytes, this.#at(i, TX_HASH), this.#at(j, TX_HASH), 66);
  }
  sameBlockNumber(i: number, j: number): boolean {
    const a = this.#at(i, BLOCK_NUMBER);
    const b = this.#at(j, BLOCK_NUMBER);
    const n = this.#at(i, BLOCK_NUMBER + 1) - a;
    return n === this.#at(j, BLOCK_NUMBER + 1) - b && sameSpan(this.bytes, a, b, n);
  }

  /** The logs as JSON-RPC objects (for messages and tests; the indexer never needs them). */
  toRpcLogs(): RpcLog[] {
    const out: RpcLog[] = [];
    for (let i = 0; i < this.count; i++) {
      const topics: string[] = [];
      for (let k = 0; k < this.topicCount(i); k++) topics.push(this.topic(i, k));
      const ts = this.#at(i, BLOCK_TIMESTAMP);
      out.push({
        address: this.address(i),
        topics,
        data: this.#text(i, DATA),
        blockNumber: this.blockNumberHex(i),
        blockHash: this.blockHash(i),
        ...(ts >= 0 ? { blockTimestamp: this.#text(i, BLOCK_TIMESTAMP) } : {}),
        transactionHash: this.transactionHash(i),
        transactionIndex: "0x0",
        logIndex: this.#text(i, LOG_INDEX),
        removed: this.removed(i),
      });
    }
    return out;
  }
}

function sameSpan(b: Buffer, x: number, y: number, n: number): boolean {
  if (x === y) return true;
  for (let k = n - 1; k >= 0; k--) if (b[x + k] !== b[y + k]) return false;
  return true;
}

/** The value of a hex digit's character code, or -1. */
export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** A "0x…" quantity in [start, end); NaN when it is not one or exceeds 2^53. */
export function hexQuantity(b: Buffer, start: number, end: number): number {
  if (end - start < 3 || b[start] !== 48 || (b[start + 1]! | 0x20) !== 120 || end - start > 15)
    return Number.NaN;
  let n = 0;
  for (let k = start + 2; k < end; k++) {
    const d = hexDigit(b[k]!);
    if (d < 0) return Number.NaN;
    n = n * 16 + d;
  }
  return n;
}

/** Thrown inside the scanner: the response is not the shape it reads (never escapes). */
class Unreadable extends Error {}

/**
 * Reads `{"jsonrpc":…,"id":…,"result":[log, …]}`. Null when the bytes are not that: an error
 * reply, an escape sequence inside a string, a missing field.
 */
export function scanLogResponse(bytes: Buffer, onRelease?: (bytes: Buffer) => void): LogBatch | null {
  // Without backslashes, no string holds an escaped quote: a string ends at the next quote.
  if (bytes.indexOf(BACKSLASH) !== -1) return null;
  try {
    return new Scanner(bytes, onRelease).response();
  } catch (error) {
    if (error instanceof Unreadable) return null;
    throw error;
  }
}

const FIELDS = [
  "address",
  "topics",
  "data",
  "blockNumber",
  "blockHash",
  "blockTimestamp",
  "transactionHash",
  "logIndex",
  "removed",
] as const;

/**
 * Logs from parsed JSON (the slow path: escapes, odd formatting; and tests), read the same way.
 * Only the fields a log has for the indexer are kept: others may hold anything.
 */
export function logBatchFromObjects(logs: readonly unknown[]): LogBatch | null {
  const kept = logs.map((log) => {
    if (!log || typeof log !== "object") return log;
    const out: Record<string, unknown> = {};
    for (const f of FIELDS) if (f in log) out[f] = (log as Record<string, unknown>)[f];
    return out;
  });
  return scanLogResponse(Buffer.from(JSON.stringify({ result: kept }), "utf8"));
}

class Scanner {
  readonly #b: Buffer;
  #pos = 0;
  #slots = new Int32Array(STRIDE * 64);
  #count = 0;
  /** Where the last string read ends (its closing quote). */
  #end = 0;
  readonly #onRelease: ((bytes: Buffer) => void) | undefined;

  constructor(bytes: Buffer, onRelease: ((bytes: Buffer) => void) | undefined) {
    this.#b = bytes;
    this.#onRelease = onRelease;
  }

  response(): LogBatch {
    this.#expect(0x7b); // {
    let found = false;
    if (!this.#peekIs(0x7d)) {
      do {
        const ks = this.#key();
        const ke = this.#end;
        if (this.#keyIs(ks, ke, "result")) {
          this.#logs();
          found = true;
        } else if (this.#keyIs(ks, ke, "error")) {
          throw new Unreadable();
        } else {
          this.#skipValue();
        }
      } while (this.#comma(0x7d));
    } else this.#pos = this.#skipWs(this.#pos) + 1;
    if (!found) throw new Unreadable();
    return new LogBatch(this.#b, this.#count, this.#slots.subarray(0, this.#count * STRIDE), this.#onRelease);
  }

  #logs(): void {
    this.#expect(0x5b); // [
    if (this.#peekIs(0x5d)) {
      this.#pos = this.#skipWs(this.#pos) + 1;
      return;
    }
    do this.#log();
    while (this.#comma(0x5d));
  }

  #log(): void {
    if ((this.#count + 1) * STRIDE > this.#slots.length) {
      const grown = new Int32Array(this.#slots.length * 2);
      grown.set(this.#slots);
      this.#slots = grown;
    }
    const base = this.#count * STRIDE;
    const s = this.#slots;
    s.fill(-1, base, base + STRIDE);
    s[base + TOPIC_COUNT] = 0;
    s[base + REMOVED] = 0;
    this.#expect(0x7b);
    if (!this.#peekIs(0x7d)) {
      do {
        const ks = this.#key();
        const ke = this.#end;
        const b = this.#b;
        const len = ke - ks;
        const c = b[ks];
        let field = -1;
        if (len === 7 && c === 0x61 && this.#keyIs(ks, ke, "address")) field = ADDRESS;
        else if (len === 9 && this.#keyIs(ks, ke, "blockHash")) field = BLOCK_HASH;
        else if (len === 11 && this.#keyIs(ks, ke, "blockNumber")) field = BLOCK_NUMBER;
        else if (len === 14 && this.#keyIs(ks, ke, "blockTimestamp")) field = BLOCK_TIMESTAMP;
        else if (len === 15 && this.#keyIs(ks, ke, "transactionHash")) field = TX_HASH;
        else if (len === 8 && this.#keyIs(ks, ke, "logIndex")) field = LOG_INDEX;
        else if (len === 4 && this.#keyIs(ks, ke, "data")) field = DATA;
        if (field >= 0 && this.#peekIs(0x6e)) {
          // null: the node does not know it (only blockTimestamp may be missing).
          this.#skipValue();
        } else if (field >= 0) {
          s[base + field] = this.#string();
          s[base + field + 1] = this.#end;
        } else if (len === 6 && this.#keyIs(ks, ke, "topics")) {
          this.#topics(base);
        } else if (len === 7 && c === 0x72 && this.#keyIs(ks, ke, "removed")) {
          s[base + REMOVED] = this.#boolean() ? 1 : 0;
        } else {
          this.#skipValue();
        }
      } while (this.#comma(0x7d));
    } else this.#pos = this.#skipWs(this.#pos) + 1;
    for (const f of REQUIRED) if (s[base + f]! < 0) throw new Unreadable();
    if (s[base + BLOCK_HASH + 1]! - s[base + BLOCK_HASH]! !== 66) throw new Unreadable();
    if (s[base + TX_HASH + 1]! - s[base + TX_HASH]! !== 66) throw new Unreadable();
    const dataLength = s[base + DATA + 1]! - s[base + DATA]!;
    if (dataLength < 2 || (dataLength - 2) % 64 !== 0) throw new Unreadable();
    this.#count++;
  }

  #topics(base: number): void {
    this.#expect(0x5b);
    let n = 0;
    if (this.#peekIs(0x5d)) {
      this.#pos = this.#skipWs(this.#pos) + 1;
    } else {
      do {
        const vs = this.#string();
        if (this.#end - vs !== 66 || n >= MAX_TOPICS) throw new Unreadable();
        this.#slots[base + TOPICS + n] = vs;
        n++;
      } while (this.#comma(0x5d));
    }
    this.#slots[base + TOPIC_COUNT] = n;
  }

  #skipWs(p: number): number {
    const b = this.#b;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else return p;
    }
  }

  #expect(c: number): void {
    const p = this.#skipWs(this.#pos);
    if (this.#b[p] !== c) throw new Unreadable();
    this.#pos = p + 1;
  }

  #peekIs(c: number): boolean {
    return this.#b[this.#skipWs(this.#pos)] === c;
  }

  /** After a member: true on a comma (another follows), false on `close`. */
  #comma(close: number): boolean {
    const p = this.#skipWs(this.#pos);
    const c = this.#b[p];
    this.#pos = p + 1;
    if (c === 0x2c) return true;
    if (c === close) return false;
    throw new Unreadable();
  }

  /** A string: returns where it starts inside its quotes; it ends at #end. */
  #string(): number {
    const p = this.#skipWs(this.#pos);
    if (this.#b[p] !== QUOTE) throw new Unreadable();
    const end = this.#b.indexOf(QUOTE, p + 1);
    if (end < 0) throw new Unreadable();
    this.#pos = end + 1;
    this.#end = end;
    return p + 1;
  }

  /** A member's key (it ends at #end) and its colon. */
  #key(): number {
    const start = this.#string();
    const end = this.#end;
    this.#expect(0x3a); // :
    this.#end = end;
    return start;
  }

  #keyIs(start: number, end: number, name: string): boolean {
    if (end - start !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (this.#b[start + k] !== name.charCodeAt(k)) return false;
    return true;
  }

  #boolean(): boolean {
    const p = this.#skipWs(this.#pos);
    const b = this.#b;
    if (b[p] === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) {
      this.#pos = p + 4;
      return true;
    }
    if (b[p] === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) {
      this.#pos = p + 5;
      return false;
    }
    throw new Unreadable();
  }

  /** Any JSON value, not read: strings, numbers, literals, nested arrays and objects. */
  #skipValue(): void {
    const b = this.#b;
    let p = this.#skipWs(this.#pos);
    const first = b[p];
    if (first === QUOTE) {
      this.#string();
      return;
    }
    if (first === 0x7b || first === 0x5b) {
      let depth = 0;
      for (;;) {
        const c = b[p];
        if (c === undefined) throw new Unreadable();
        if (c === QUOTE) {
          const end = b.indexOf(QUOTE, p + 1);
          if (end < 0) throw new Unreadable();
          p = end + 1;
          continue;
        }
        if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) depth--;
        p++;
        if (depth === 0) break;
      }
      this.#pos = p;
      return;
    }
    // A number or a literal: up to the next delimiter.
    const start = p;
    for (;;) {
      const c = b[p];
      if (
        c === undefined ||
        c === 0x2c ||
        c === 0x7d ||
        c === 0x5d ||
        c === 0x20 ||
        c === 0x0a ||
        c === 0x0d ||
        c === 0x09
      )
        break;
      p++;
    }
    if (p === start) throw new Unreadable();
    this.#pos = p;
  }
}
