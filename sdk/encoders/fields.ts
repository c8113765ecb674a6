/**
 * Field parsers shared by the encoders. Each takes an unknown value and returns the value the
 * ABI expects, or throws an Error whose message completes "<field> …" ("must be a whole number
 * from 1 to 300 (got 0)"). `field()` turns one into a zod schema, so an object schema collects
 * every bad field at once with its path.
 */
import { getAddress, isAddress } from "viem";
import { z } from "zod";

export type Address = `0x${string}`;
export type Hex32 = `0x${string}`;

export const UINT16_MAX = 0xffff;
export const UINT32_MAX = 0xffff_ffff;
export const UINT40_MAX = 2 ** 40 - 1;
export const UINT48_MAX = 2 ** 48 - 1;
export const UINT64_MAX = 2n ** 64n - 1n;

/** A zod schema from a parser that throws on bad input. */
export function field<T>(parse: (value: unknown) => T) {
  // optional(): a missing key still reaches the parser, which reports it ("got nothing").
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T => {
      try {
        return parse(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    });
}

/** A value for an error message: short, never a whole object. */
export function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid date" : value.toISOString();
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value === "bigint") return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** A whole number in [min, max]; `unit` is appended to the bounds in the message (" cm"). */
export function int(value: unknown, min: number, max: number, unit = ""): number {
  const n = toInteger(value);
  if (n === undefined || n < min || n > max) {
    throw new Error(`must be a whole number from ${min}${unit} to ${max}${unit} (got ${shown(value)})`);
  }
  return n;
}

/** 0 ("not measured") or a whole number in [min, max]. */
export function optionalInt(value: unknown, min: number, max: number, unit = ""): number {
  if (value === undefined || value === null || value === 0) return 0;
  const n = toInteger(value);
  if (n === undefined || n < min || n > max) {
    throw new Error(
      `must be 0 (not measured) or a whole number from ${min}${unit} to ${max}${unit} (got ${shown(value)})`,
    );
  }
  return n;
}

/** A uint64 id such as a treatment id: from 1 up. */
export function id64(value: unknown): bigint {
  let n: bigint | undefined;
  if (typeof value === "bigint") n = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) n = BigInt(value.trim());
  if (n === undefined || n < 1n || n > UINT64_MAX) {
    throw new Error(`must be a whole number from 1 (got ${shown(value)})`);
  }
  return n;
}

export function address(value: unknown): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new Error(`must be a 0x-prefixed 20-byte address (got ${shown(value)})`);
  }
  return getAddress(value);
}

/** A non-zero bytes32 reference (HMAC of an Aadhaar number under the pepper). */
export function reference(value: unknown): Hex32 {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new Error("must be a bytes32 reference: 0x followed by 64 hex digits");
  }
  if (/^0x0{64}$/.test(value)) throw new Error("must not be the zero reference");
  return value.toLowerCase() as Hex32;
}
