/**
 * The DocTel events the indexer understands, typed from the generated ABI: `DocTelEvent` is a
 * discriminated union on `eventName` whose `args` are exactly the event's fields, but for `seq`
 * (every event's number: the sync checks it, see sequence.ts, and nothing downstream needs it).
 * AccessControlSequenced, which only numbers OpenZeppelin's events, never leaves the sync.
 */
import type { AbiEvent, DecodeEventLogReturnType } from "viem";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";

export type DocTelAbi = typeof docTelAbi;
type AbiEventNames = Extract<DocTelAbi[number], { type: "event" }>["name"];
/** Events the sync consumes itself (they number others). */
export type SequenceEventName = "AccessControlSequenced";
type IndexedEventNames = Exclude<AbiEventNames, SequenceEventName>;

type Unnumbered<E> = E extends { args: infer A } ? Omit<E, "args"> & { args: Omit<A, "seq"> } : E;
type EventOf<N extends AbiEventNames> = Unnumbered<DecodeEventLogReturnType<DocTelAbi, N>>;

/** Where an event sits on the chain: enough to order it and trace it to its transaction. */
export interface EventPosition {
  blockNumber: bigint;
  blockHash: `0x${string}`;
  blockTime: number;
  txHash: `0x${string}`;
  logIndex: number;
}

export type DocTelEvent = { [N in IndexedEventNames]: EventOf<N> & EventPosition }[IndexedEventNames];
export type DocTelEventName = DocTelEvent["eventName"];
export type EventByName<N extends DocTelEventName> = Extract<DocTelEvent, { eventName: N }>;

export const docTelEvents: readonly AbiEvent[] = docTelAbi.filter(
  (item): item is Extract<DocTelAbi[number], { type: "event" }> => item.type === "event",
) as unknown as readonly AbiEvent[];
