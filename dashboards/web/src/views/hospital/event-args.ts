/** A timeline event's decoded fields as one line of text (pure). */

/** bytes32 text fields (an ICD-10 code) arrive as hex: ASCII padded with zero bytes. */
export function asciiOfBytes32(value: string): string | null {
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(value)) return null;
  const bytes = value
    .slice(2)
    .match(/../g)!
    .map((h) => Number.parseInt(h, 16));
  const end = bytes.indexOf(0) === -1 ? bytes.length : bytes.indexOf(0);
  const text = bytes.slice(0, end);
  if (text.length === 0 || bytes.slice(end).some((b) => b !== 0)) return null;
  return text.every((b) => b >= 0x20 && b < 0x7f) ? String.fromCharCode(...text) : null;
}

const SKIP = new Set(["treatmentId", "actor", "by", "patientRef", "ref"]);

function show(key: string, value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("0x")) return String(value);
  if (key === "icd10") return asciiOfBytes32(value) ?? value;
  return value.length > 18 ? `${value.slice(0, 8)}…${value.slice(-6)}` : value;
}

export function argsSummary(args: Record<string, unknown> | null | undefined): string {
  return Object.entries(args ?? {})
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}: ${show(k, v)}`)
    .join(", ");
}
