/**
 * Contract strings are bytes: Solidity accepts any, valid UTF-8 or not, NUL included. PostgreSQL's
 * text accepts neither NUL nor malformed UTF-8, so such a string must not reach a text column as
 * it is (it would fail the whole batch, and every retry of it).
 *
 * The decoder turns a string's bytes into a JS string without losing any (`decodeUtf8`): a byte
 * that is not part of a valid UTF-8 sequence becomes a lone surrogate U+DC80..U+DCFF, as Python's
 * "surrogateescape" does. Valid UTF-8 never decodes to a lone surrogate, so the string alone tells
 * whether its bytes were valid text (`textProblem`), and gives them back exactly (`utf8Bytes`).
 *
 * What is stored for such a string is `escapeText`: NUL and each malformed byte as `\xHH`, a
 * backslash as `\\`; the exact bytes are kept next to it (bytea, or hex in the event's JSON).
 */

const FATAL = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8, keeping malformed bytes as lone surrogates U+DC80..U+DCFF (never fails). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return FATAL.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

function decodeEscaping(b: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    // The length and the first continuation byte's range of a well-formed sequence (Unicode 3.9).
    let n = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    }
    let ok = n > 0 && i + n < b.length;
    if (ok) {
      for (let k = 1; k <= n; k++) {
        const d = b[i + k];
        if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) {
          ok = false;
          break;
        }
      }
    }
    if (!ok) {
      out += String.fromCharCode(0xdc00 + c);
      i++;
      continue;
    }
    out += FATAL.decode(b.subarray(i, i + n + 1));
    i += n + 1;
  }
  return out;
}

const isEscapedByte = (u: number) => u >= 0xdc80 && u <= 0xdcff;

/**
 * Why `s` cannot be stored as text, or null when it can: the first NUL or malformed byte, with
 * its byte offset.
 */
export function textProblem(s: string): string | null {
  const nul = s.indexOf("\0");
  const wellFormed = s.isWellFormed();
  if (nul < 0 && wellFormed) return null;
  let offset = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u === 0) return `a NUL byte at byte ${offset}`;
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        offset += 4;
        i++;
        continue;
      }
    }
    if (u >= 0xd800 && u <= 0xdfff) {
      const byte = isEscapedByte(u) ? u - 0xdc00 : null;
      return byte === null
        ? `an unpaired surrogate at byte ${offset}`
        : `a byte that is not UTF-8 (0x${byte.toString(16).padStart(2, "0")}) at byte ${offset}`;
    }
    offset += u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
  }
  return null;
}

/** The bytes `s` was decoded from (its UTF-8, escaped bytes given back as they were). */
export function utf8Bytes(s: string): Buffer {
  if (s.isWellFormed()) return Buffer.from(s, "utf8");
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (u >= 0xd800 && u <= 0xdfff) {
      parts.push(Buffer.from(s.slice(start, i), "utf8"));
      // An escaped byte comes back as itself; any other lone surrogate as its WTF-8 bytes.
      parts.push(
        isEscapedByte(u)
          ? Buffer.of(u - 0xdc00)
          : Buffer.of(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)),
      );
      start = i + 1;
    }
  }
  parts.push(Buffer.from(s.slice(start), "utf8"));
  return Buffer.concat(parts);
}

/** The bytes of `s` as 0x-hex. */
export const utf8Hex = (s: string): `0x${string}` => `0x${utf8Bytes(s).toString("hex")}`;

/**
 * Text PostgreSQL accepts for any string: unchanged when `s` is valid text; otherwise a backslash
 * becomes `\\`, and NUL and each byte that is not UTF-8 become `\xHH`. Only strings flagged as
 * escaped (see textProblem) are in this form.
 */
export function escapeText(s: string): string {
  if (textProblem(s) === null) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    if (u === 0x5c) out += "\\\\";
    else if (u === 0) out += "\\x00";
    else if (u >= 0xd800 && u <= 0xdfff) {
      const bytes = isEscapedByte(u) ? [u - 0xdc00] : [...utf8Bytes(String.fromCharCode(u))];
      for (const byte of bytes) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    } else out += s[i]!;
  }
  return out;
}

/** How a contract string is stored: as text PostgreSQL accepts, and its bytes when that text is escaped. */
export interface StoredText {
  /** The string, or its escaped form (escapeText) when it is not valid text. */
  text: string;
  /** The exact bytes (0x-hex) when `text` is escaped, else null. */
  raw: `0x${string}` | null;
  /** Why it is escaped (textProblem), or null. */
  problem: string | null;
}

export function storedText(s: string): StoredText {
  const problem = textProblem(s);
  return problem === null
    ? { text: s, raw: null, problem }
    : { text: escapeText(s), raw: utf8Hex(s), problem };
}
