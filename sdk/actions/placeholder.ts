import type { Hex32 } from "../encoders/fields.ts";

/**
 * A syntactically valid reference used to validate every other field of an input before the
 * real reference is computed (which needs the network for the pepper check).
 */
export const PLACEHOLDER_REF: Hex32 = `0x${"00".repeat(31)}01`;
