/**
 * Content type from a file's first bytes (magic numbers), never from what the uploader or the
 * IPFS node claims. Only the first SNIFF_BYTES bytes are needed.
 */
export const SNIFF_BYTES = 1024;

export const OCTET_STREAM = "application/octet-stream";

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: ReadonlyArray<{ type: string; offset: number; bytes: number[] }> = [
  { type: "application/pdf", offset: 0, bytes: ascii("%PDF-") },
  { type: "image/png", offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/jpeg", offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: "image/gif", offset: 0, bytes: ascii("GIF87a") },
  { type: "image/gif", offset: 0, bytes: ascii("GIF89a") },
  // DICOM Part 10: a 128-byte preamble, then "DICM".
  { type: "application/dicom", offset: 128, bytes: ascii("DICM") },
  { type: "application/zip", offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: "application/zip", offset: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
];

/**
 * @param head the file's first bytes (at most SNIFF_BYTES are looked at)
 * @param totalSize the file's full size, to know whether `head` is the whole file
 */
export function detectContentType(head: Uint8Array, totalSize: number): string {
  for (const signature of SIGNATURES) {
    if (matchesAt(head, signature.offset, signature.bytes)) return signature.type;
  }
  if (head.length === 0) return OCTET_STREAM;
  const window = head.subarray(0, SNIFF_BYTES);
  const complete = totalSize <= window.length;
  const text = decodeText(window, complete);
  if (text === undefined || !looksLikeText(text)) return OCTET_STREAM;
  if (looksLikeJson(text, complete)) return "application/json";
  return "text/plain; charset=utf-8";
}

function matchesAt(head: Uint8Array, offset: number, bytes: number[]): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((byte, i) => head[offset + i] === byte);
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The window as UTF-8, or undefined when it is not UTF-8. A cut multi-byte character at the end
 * of a partial window is not held against it. */
function decodeText(window: Uint8Array, complete: boolean): string | undefined {
  const cuts = complete ? [0] : [0, 1, 2, 3];
  for (const cut of cuts) {
    if (cut >= window.length) break;
    try {
      return fatalUtf8.decode(window.subarray(0, window.length - cut));
    } catch {
      // try a shorter window
    }
  }
  return undefined;
}

/** No control characters besides tab, newline, form feed, carriage return (and a leading BOM). */
function looksLikeText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) return false;
    if (code === 0x7f) return false;
  }
  return true;
}

function looksLikeJson(text: string, complete: boolean): boolean {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  const first = trimmed[0];
  if (first !== "{" && first !== "[") return false;
  if (!complete) return /^[{[]\s*(["{[\]}\d-]|true|false|null)/.test(trimmed);
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
