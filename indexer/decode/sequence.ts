/**
 * How each log of a batch is numbered, read straight from its bytes (no decoding): the contract
 * gives every event a number (`seq`, the first data word of each DocTel event), and numbers
 * OpenZeppelin's access-control events, which cannot carry one, with an AccessControlSequenced
 * event right after them (its number, then how many events it covers).
 *
 * Only the first 8 hex digits of topic 0 are read to tell the kinds apart; a log of an unknown
 * event is taken as numbered here and refused by the decoder (UndecodableLogError) as before.
 */
import { keccak256Text } from "../../shared/keccak.ts";
import { hexDigit, type LogBatch } from "../rpc/log-batch.ts";
import { docTelEvents } from "./events.ts";

/** A DocTel event: carries its own number. */
export const NUMBERED = 0;
/** AccessControlSequenced: a number, and how many access-control events before it it covers. */
export const COVER = 1;
/** An OpenZeppelin access-control event: numbered by the AccessControlSequenced after it. */
export const UNNUMBERED = 2;

export const COVER_EVENT = "AccessControlSequenced";

function selectorKey(signature: string): number {
  return Number.parseInt(keccak256Text(signature).slice(2, 10), 16);
}

/** Kinds by the first 32 bits of topic 0, for the events that are not NUMBERED. */
const KINDS = new Map<number, number>();
for (const event of docTelEvents) {
  const signature = `${event.name}(${event.inputs.map((i) => i.type).join(",")})`;
  const numbered = event.inputs.some((i) => i.name === "seq" && !(i as { indexed?: boolean }).indexed);
  if (event.name === COVER_EVENT) KINDS.set(selectorKey(signature), COVER);
  else if (!numbered) KINDS.set(selectorKey(signature), UNNUMBERED);
}

/** The kind of log `i` (NUMBERED, COVER or UNNUMBERED). */
export function numberingOf(batch: LogBatch, i: number): number {
  if (batch.topicCount(i) === 0) return NUMBERED;
  const b = batch.bytes;
  const start = batch.topicStart(i, 0) + 2;
  let key = 0;
  for (let k = start; k < start + 8; k++) {
    const d = hexDigit(b[k]!);
    if (d < 0) return NUMBERED;
    key = key * 16 + d;
  }
  return KINDS.get(key) ?? NUMBERED;
}

/**
 * The unsigned integer in the last `digits` hex digits of data word `word` of log `i`; -1 when
 * the data is too short, a digit is not hex, or the word holds more than fits in 2^53.
 */
export function dataWord(batch: LogBatch, i: number, word: number, digits = 13): number {
  const b = batch.bytes;
  const start = batch.dataStart(i) + word * 64;
  if (start + 64 > batch.dataEnd(i)) return -1;
  for (let k = start; k < start + 64 - digits; k++) if (b[k] !== 48) return -1;
  let n = 0;
  for (let k = start + 64 - digits; k < start + 64; k++) {
    const d = hexDigit(b[k]!);
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}
