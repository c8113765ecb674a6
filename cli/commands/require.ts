import { ConfigError } from "../../shared/errors.ts";
import type { CliContext } from "../context.ts";

/** Commands that take an Aadhaar number need the pepper; say how to give it. */
export function requirePepper(ctx: CliContext): Buffer {
  const pepper = ctx.settings().pepper;
  if (!pepper) {
    throw new ConfigError(
      "this command needs the reference pepper: set DOCTEL_PEPPER or pass --pepper-file <file>",
    );
  }
  return pepper;
}
