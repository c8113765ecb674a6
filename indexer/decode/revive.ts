/**
 * Turns an event_record row (its JSON args, bigints stored as decimal strings) back into a typed
 * DocTelEvent, so that history can be replayed through the same reducer after a reorg.
 */
import type { AbiEvent } from "viem";
import { type DocTelEvent, docTelEvents } from "./events.ts";

const bigFields = new Map<string, string[]>();
for (const event of docTelEvents as readonly AbiEvent[]) {
  bigFields.set(
    event.name,
    event.inputs
      .filter((i) => {
        const m = /^u?int(\d+)$/.exec(i.type);
        return m !== null && Number(m[1]) > 48;
      })
      .map((i) => i.name ?? ""),
  );
}

export interface EventLogRow {
  block_number: string;
  log_index: number;
  block_hash: string;
  tx_hash: string;
  block_time: number;
  name: string;
  args: Record<string, unknown>;
}

export function reviveEvent(row: EventLogRow): DocTelEvent {
  const args: Record<string, unknown> = { ...row.args };
  for (const field of bigFields.get(row.name) ?? []) {
    if (typeof args[field] === "string") args[field] = BigInt(args[field] as string);
  }
  return {
    eventName: row.name,
    args,
    blockNumber: BigInt(row.block_number),
    blockHash: row.block_hash as `0x${string}`,
    blockTime: Number(row.block_time),
    txHash: row.tx_hash as `0x${string}`,
    logIndex: row.log_index,
  } as DocTelEvent;
}
