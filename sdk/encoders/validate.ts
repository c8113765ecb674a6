import type { z } from "zod";
import { ValidationError } from "../../shared/errors.ts";

export interface FieldIssue {
  field: string;
  message: string;
}

/** Issues named in the message; all of them are in `details.fields`. */
const MAX_LISTED = 5;

/** "readings[3].systolicMmHg" from ["readings", 3, "systolicMmHg"]. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Parses `input` with `schema`; on failure throws one ValidationError naming every bad field:
 * "invalid patient data: weightGrams must be … ; heightCm must be …". The issues are also in
 * `details.fields` as `{ field, message }`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldIssue[] = result.error.issues.map((issue) => ({
    field: formatPath(issue.path),
    message: issue.message,
  }));
  const shownFields = fields.slice(0, MAX_LISTED);
  let text = shownFields.map((f) => (f.field ? `${f.field} ${f.message}` : f.message)).join("; ");
  if (fields.length > MAX_LISTED) text += `; and ${fields.length - MAX_LISTED} more`;
  throw new ValidationError(`invalid ${what}: ${text}`, { details: { fields } });
}
