/**
 * COPY text-format data written field by field straight into buffers: no row arrays, no
 * intermediate strings. The generated encoders (shared/db/generated/tables.ts) write every row of
 * every table through it.
 *
 * `text` accepts any JS string and always writes something PostgreSQL accepts: COPY's special
 * characters are escaped, and a string that is not valid text (a NUL, a malformed byte kept by
 * the decoder, see decode/text.ts) is written in its escaped form. The reducer flags those
 * strings where it stores them; this is what keeps a forgotten one from failing every batch.
 * `label` values (enum labels) are copied as they are, and checked.
 */
const CHUNK_BYTES = 1 << 20;
const BUFFER_BYTES = CHUNK_BYTES + 4096;

/**
 * Buffers of COPY data come back from the writer thread once written, and are used again: a
 * batch then allocates no memory outside the JavaScript heap, which V8 would otherwise reclaim
 * only with full collections (a few hundred MB a minute of backfill).
 */
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 32;

/** Returns written COPY buffers for reuse (others are ignored). */
export function recycleCopyBuffers(buffers: readonly ArrayBuffer[]): void {
  for (const b of buffers) if (b.byteLength === BUFFER_BYTES && spare.length < MAX_SPARE) spare.push(b);
}

function takeBuffer(size: number): Buffer {
  if (size <= BUFFER_BYTES) {
    const reused = spare.pop();
    return reused ? Buffer.from(reused) : Buffer.allocUnsafe(BUFFER_BYTES);
  }
  return Buffer.allocUnsafe(size);
}

import type { CopySink } from "../../shared/db/table.ts";
import { escapeText } from "../decode/text.ts";

const TAB = 9;
const NEWLINE = 10;
const CR = 13;
const BACKSLASH = 92;
const NULL_MARK = Buffer.from("\\N", "latin1");
const COPY_SPECIAL = /[\\\n\r\t]/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const NO_BUFFER = Buffer.alloc(0);
const PRINTABLE = /^[\x20-\x5b\x5d-\x7e]*$/;

export class CopyWriter implements CopySink {
  #chunks: Uint8Array[] = [];
  /** Taken at the first value: a batch has a writer per table, most of them empty. */
  #buf: Buffer = NO_BUFFER;
  #off = 0;
  #first = true;
  #rows = 0;
  #day = Number.NaN;
  #dayText = Buffer.alloc(11);

  get rows(): number {
    return this.#rows;
  }

  /** Room for `n` more bytes (and a separator); full chunks are set aside. */
  #room(n: number): void {
    if (this.#off + n + 1 <= this.#buf.length) return;
    if (this.#off > 0) this.#chunks.push(this.#buf.subarray(0, this.#off));
    this.#buf = takeBuffer(Math.max(BUFFER_BYTES, n + 1));
    this.#off = 0;
  }

  #separate(n: number): void {
    this.#room(n);
    if (this.#first) this.#first = false;
    else this.#buf[this.#off++] = TAB;
  }

  /** A safe integer. */
  int(n: number): this {
    if (!Number.isSafeInteger(n)) return this.plain(String(n));
    this.#separate(17);
    const buf = this.#buf;
    let off = this.#off;
    if (n < 0) {
      buf[off++] = 45;
      n = -n;
    }
    const start = off;
    do {
      buf[off++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    for (let a = start, b = off - 1; a < b; a++, b--) {
      const t = buf[a]!;
      buf[a] = buf[b]!;
      buf[b] = t;
    }
    this.#off = off;
    return this;
  }

  bigint(n: bigint): this {
    return n <= MAX_SAFE && n >= -MAX_SAFE ? this.int(Number(n)) : this.plain(n.toString());
  }

  /** A value that needs no escaping: labels, digits. Checked, not trusted. */
  plain(s: string): this {
    this.#separate(s.length);
    const buf = this.#buf;
    const start = this.#off;
    const end = start + buf.write(s, start, "latin1");
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c === TAB || c === NEWLINE || c === CR || c === BACKSLASH) {
        throw new Error(
          `COPY value ${JSON.stringify(s.slice(0, 80))} holds a control character or backslash`,
        );
      }
    }
    this.#off = end;
    return this;
  }

  /** Any text, escaped for COPY, as UTF-8 (not valid text: its escaped form, see decode/text.ts). */
  text(s: string): this {
    // Most text is printable ASCII without a backslash (hex, codes, names): copied as it is.
    if (PRINTABLE.test(s)) {
      this.#separate(s.length);
      this.#off += this.#buf.write(s, this.#off, "latin1");
      return this;
    }
    this.#separate(s.length * 3);
    const buf = this.#buf;
    const start = this.#off;
    const end = start + buf.write(s, start, "utf8");
    if (end - start === s.length) {
      // ASCII (one byte per character): done unless a byte needs escaping or is NUL.
      let i = start;
      while (i < end) {
        const c = buf[i]!;
        if (c === 0 || c === TAB || c === NEWLINE || c === CR || c === BACKSLASH) break;
        i++;
      }
      if (i === end) {
        this.#off = end;
        return this;
      }
    } else if (s.isWellFormed() && !s.includes("\0") && !COPY_SPECIAL.test(s)) {
      this.#off = end;
      return this;
    }
    // Rare: write it again, escaped.
    const valid = escapeText(s);
    const escaped = COPY_SPECIAL.test(valid)
      ? valid.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")
      : valid;
    this.#room(escaped.length * 3);
    this.#off += this.#buf.write(escaped, this.#off, "utf8");
    return this;
  }

  /** An enum label (checked like `plain`). */
  label(s: string): this {
    return this.plain(s);
  }

  bool(b: boolean): this {
    return this.plain(b ? "t" : "f");
  }

  /** A number of any kind (double precision). */
  float(n: number): this {
    return Number.isSafeInteger(n) ? this.int(n) : this.plain(String(n));
  }

  /** A date, as days since 1970-01-01: "YYYY-MM-DD". */
  date(epochDay: number): this {
    if (!Number.isInteger(epochDay) || !this.#setDay(epochDay)) {
      return this.plain(new Date(epochDay * 86_400_000).toISOString().slice(0, 10));
    }
    this.#separate(10);
    this.#buf.set(this.#dayText.subarray(0, 10), this.#off);
    this.#off += 10;
    return this;
  }

  /** bytea from 0x-hex: `\\x…` (COPY's escape of bytea's hex input). */
  bytes(hex: string): this {
    if (!HEX.test(hex)) throw new Error(`COPY bytea value ${JSON.stringify(hex.slice(0, 80))} is not 0x-hex`);
    this.#separate(hex.length + 1);
    const buf = this.#buf;
    buf[this.#off++] = BACKSLASH;
    buf[this.#off++] = BACKSLASH;
    this.#off += buf.write(hex.slice(1), this.#off, "latin1");
    return this;
  }

  null(): this {
    this.#separate(2);
    this.#buf.set(NULL_MARK, this.#off);
    this.#off += 2;
    return this;
  }

  /** A timestamptz of unix seconds, "YYYY-MM-DD HH:MM:SS+00". */
  time(unixSeconds: number): this {
    const day = Math.floor(unixSeconds / 86_400);
    let s = unixSeconds - day * 86_400;
    if (!Number.isInteger(unixSeconds) || !this.#setDay(day)) {
      return this.plain(new Date(unixSeconds * 1000).toISOString());
    }
    this.#separate(22);
    const buf = this.#buf;
    let off = this.#off;
    buf.set(this.#dayText, off);
    off += 11;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    buf[off++] = 48 + Math.floor(h / 10);
    buf[off++] = 48 + (h % 10);
    buf[off++] = 58;
    buf[off++] = 48 + Math.floor(m / 10);
    buf[off++] = 48 + (m % 10);
    buf[off++] = 58;
    buf[off++] = 48 + Math.floor(s / 10);
    buf[off++] = 48 + (s % 10);
    buf[off++] = 43;
    buf[off++] = 48;
    buf[off++] = 48;
    this.#off = off;
    return this;
  }

  /** "YYYY-MM-DD " of a day since 1970 (civil calendar, H. Hinnant); false outside years 1..9999. */
  #setDay(day: number): boolean {
    if (day === this.#day) return true;
    const z = day + 719_468;
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = Math.floor(
      (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
    );
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    if (y < 1 || y > 9999) return false;
    this.#dayText.write(
      `${String(y).padStart(4, "0")}-${m < 10 ? "0" : ""}${m}-${d < 10 ? "0" : ""}${d} `,
      0,
      "latin1",
    );
    this.#day = day;
    return true;
  }

  /** Ends the row. */
  end(): this {
    this.#room(1);
    this.#buf[this.#off++] = NEWLINE;
    this.#first = true;
    this.#rows++;
    if (this.#off >= CHUNK_BYTES) this.#room(BUFFER_BYTES);
    return this;
  }

  /** The rows written, in chunks; the writer is empty afterwards. */
  finish(): Uint8Array[] {
    if (this.#off > 0) this.#chunks.push(this.#buf.subarray(0, this.#off));
    else if (this.#buf.buffer.byteLength === BUFFER_BYTES)
      recycleCopyBuffers([this.#buf.buffer as ArrayBuffer]);
    const out = this.#chunks;
    this.#chunks = [];
    this.#buf = Buffer.allocUnsafe(0);
    this.#off = 0;
    this.#rows = 0;
    return out;
  }
}
