/**
 * COPY text-format data built line by line, for the tables that take most rows (vital and
 * event_log): one string per row, no row arrays, no per-value type checks, encoded to ~1 MiB
 * buffers as it grows. Values that may hold a tab, newline or backslash go through
 * `escapeCopyText`; numbers, hex strings, ISO times and enum labels never do.
 */
export interface CopyLines {
  readonly rows: number;
  /** Appends one row: its values already joined with tabs, without the newline. */
  add(line: string): void;
  /** The encoded rows; the builder is empty afterwards. */
  finish(): Uint8Array[];
}

const CHUNK_CHARS = 1 << 20;

export function createCopyLines(): CopyLines {
  let rows = 0;
  let text = "";
  let chunks: Uint8Array[] = [];
  return {
    get rows() {
      return rows;
    },
    add(line) {
      text += `${line}\n`;
      rows++;
      if (text.length > CHUNK_CHARS) {
        chunks.push(Buffer.from(text, "utf8"));
        text = "";
      }
    },
    finish() {
      if (text.length > 0) chunks.push(Buffer.from(text, "utf8"));
      const out = chunks;
      chunks = [];
      text = "";
      return out;
    },
  };
}

const COPY_SPECIAL = /[\\\n\r\t]/;

/** Escapes a string for COPY's text format. */
export function escapeCopyText(value: string): string {
  return COPY_SPECIAL.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")
    : value;
}

/** A nullable value that needs no escaping (number, bigint, hex, label), or COPY's NULL. */
export const orNull = (value: string | number | bigint | null | undefined): string =>
  value === null || value === undefined ? "\\N" : String(value);
