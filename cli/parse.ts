/** Small parsers for command-line values, with errors that name the flag. */

import type { TxResult } from "../sdk/index.ts";
import { ValidationError } from "../shared/errors.ts";
import type { CliIo } from "./io.ts";

/** A decimal number from a flag value ("70.5"). */
export function decimal(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new ValidationError(`${flag} must be a number (got "${value.slice(0, 20)}")`, {
      details: { field: flag },
    });
  }
  return n;
}

/**
 * An Aadhaar number from a flag; "-" reads it from the first line of stdin, which keeps it out
 * of shell history and process listings.
 */
export async function aadhaarFrom(value: string, io: CliIo): Promise<string> {
  if (value !== "-") return value;
  let text = "";
  for await (const chunk of io.stdin) {
    text += chunk.toString();
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0]?.trim() ?? "";
}

/** "tx 0xabc… in block 12". */
export function txLine(result: TxResult): string {
  return `tx ${result.hash} in block ${result.blockNumber}`;
}

/** The JSON fields every write command prints. */
export function txJson(result: TxResult): Record<string, unknown> {
  return { txHash: result.hash, blockNumber: result.blockNumber, gasUsed: result.gasUsed };
}

/** Help text: a list of examples, shown after the options. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** A whole number from a flag value ("86400"). */
export function wholeNumber(value: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ValidationError(`${flag} must be a whole number (got "${value.slice(0, 20)}")`, {
      details: { field: flag },
    });
  }
  return Number(value);
}

/**
 * What a label flag accepts, from the table the parser uses (so --help and the parser agree):
 * "female, male, other or unknown (also F, M, O, U; any case)".
 */
export function choicesText(
  table: { labels: readonly string[]; aliases: readonly string[] },
  first?: readonly string[],
): string {
  const order = first ? [...first, ...table.labels.filter((l) => !first.includes(l))] : table.labels;
  const words = order.map((l) => l.toLowerCase());
  const list = `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
  return table.aliases.length > 0
    ? `${list} (also ${table.aliases.join(", ")}; any case)`
    : `${list} (any case)`;
}
