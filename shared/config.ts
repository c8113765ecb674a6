/**
 * Configuration is parsed once, at start, from the environment with a zod schema: values are
 * coerced, defaults supplied, and a bad value fails with a message naming the variable.
 * Nothing else in the code reads `process.env`.
 */
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { redactUrl } from "./redact.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** Parses `env` with `schema`; throws a ConfigError listing every invalid variable. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  // Empty strings mean "unset", as in most .env conventions.
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.join(".") || "(environment)";
    const value = cleaned[key];
    const given = typeof value === "string" ? ` (got ${shown(key, value)})` : "";
    return `  ${key}: ${issue.message}${given}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`, {
    details: { variables: result.error.issues.map((i) => i.path.join(".")) },
  });
}

/** How a rejected value is quoted: never for secrets (judged by the variable's name), URLs without credentials. */
function shown(key: string, value: string): string {
  if (/secret|pepper|key|password|token|private/i.test(key)) return `a value of ${value.length} characters`;
  const safe = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  return `"${safe.length > 60 ? `${safe.slice(0, 57)}...` : safe}"`;
}

// ------------------------------------------------------------------------------------------
// Reusable fields. Each stage composes its own schema from these.

export const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x followed by 64 hex digits")
  .transform((v) => v.toLowerCase() as `0x${string}`);

export const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address")
  .transform((v) => v as `0x${string}`);

/** An http(s) endpoint. "localhost:8545" parses as a URL of scheme "localhost:": refused here. */
export const url = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+/i, "expected a URL such as http://127.0.0.1:8545")
  .pipe(z.string().url("expected a URL such as http://127.0.0.1:8545"));

export const port = z.coerce.number().int().min(0).max(65_535);

export const positiveInt = z.coerce.number().int().positive();

export const nonNegativeInt = z.coerce.number().int().nonnegative();

export const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const logFields = {
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
};

/**
 * The reference pepper: the secret key of HMAC-SHA256(pepper, Aadhaar). At least 32 bytes of
 * hex. Held by writers and the API only; never logged.
 */
export const pepper = z
  .string()
  .regex(/^(0x)?[0-9a-fA-F]{64,}$/, "expected at least 32 bytes as hex (64 hex digits)")
  .transform((v) => Buffer.from(v.replace(/^0x/, ""), "hex"));
