/**
 * Checks receipts in bulk (JSON-RPC batches, a few blocks at a time, never one by one): every
 * transaction must be in the block it was mined for, with status 1. Counts the events by name
 * from the logs. A reverted transaction is replayed with eth_call to find the failing action
 * and decode the contract's custom error (the SDK's messages).
 */
import { decodeErrorResult, toEventSelector } from "viem";
import { describeRevert, docTelAbi } from "../sdk/index.ts";
import { fastCalldata } from "./calldata.ts";
import { SimulationFailedError } from "./errors.ts";
import type { Action, Hex } from "./model.ts";
import type { RpcClient } from "./rpc.ts";

export interface SentTx {
  hash: Hex;
  from: Hex;
  to: Hex;
  gas: number;
  blockNumber: number;
  callerLabel: string;
  actions: readonly Action[];
  calls: readonly Hex[];
}

interface Receipt {
  status: string;
  blockNumber: string;
  gasUsed: string;
  logs: { address: string; topics: string[] }[];
}

const EVENT_NAMES = new Map<string, string>(
  docTelAbi
    .filter((item) => item.type === "event")
    .map((item) => [toEventSelector(item as Parameters<typeof toEventSelector>[0]), item.name]),
);

export interface ReceiptChecker {
  add(tx: SentTx): void;
  readonly pending: number;
  /** Checks everything added so far. */
  flush(): Promise<void>;
  readonly eventsByName: Readonly<Record<string, number>>;
  readonly checked: number;
  readonly gasUsed: bigint;
}

const CHUNK = 400;

export function createReceiptChecker(rpc: RpcClient, contract: Hex): ReceiptChecker {
  let queue: SentTx[] = [];
  const eventsByName: Record<string, number> = {};
  let checked = 0;
  let gasUsed = 0n;
  const own = contract.toLowerCase();

  async function check(txs: readonly SentTx[]): Promise<void> {
    const answers = await rpc.batch(txs.map((tx) => ["eth_getTransactionReceipt", [tx.hash]] as const));
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const answer = answers[i]!;
      if (!answer.ok)
        throw new SimulationFailedError(`reading the receipt of ${tx.hash} failed: ${answer.error.message}`);
      const receipt = answer.result as Receipt | null;
      if (!receipt) {
        throw new SimulationFailedError(
          `transaction ${tx.hash} from ${tx.callerLabel} was not mined in block ${tx.blockNumber} (is another process mining or sending on this chain?)`,
        );
      }
      if (Number(receipt.blockNumber) !== tx.blockNumber) {
        throw new SimulationFailedError(
          `transaction ${tx.hash} landed in block ${Number(receipt.blockNumber)}, expected ${tx.blockNumber}`,
        );
      }
      if (receipt.status !== "0x1") throw await diagnose(rpc, tx, receipt);
      gasUsed += BigInt(receipt.gasUsed);
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== own) continue;
        const name = EVENT_NAMES.get(log.topics[0] ?? "") ?? "unknown";
        // It numbers OpenZeppelin's events (docs/contract.md): not an event of the plan.
        if (name === "AccessControlSequenced") continue;
        eventsByName[name] = (eventsByName[name] ?? 0) + 1;
      }
      checked++;
    }
  }

  return {
    add(tx) {
      queue.push(tx);
    },
    get pending() {
      return queue.length;
    },
    async flush() {
      const txs = queue;
      queue = [];
      for (let i = 0; i < txs.length; i += CHUNK) await check(txs.slice(i, i + CHUNK));
    },
    eventsByName,
    get checked() {
      return checked;
    },
    get gasUsed() {
      return gasUsed;
    },
  };
}

/** Replays the transaction's calls (prefixes, binary search) on the parent block's state to name the failing action. */
async function diagnose(rpc: RpcClient, tx: SentTx, receipt: Receipt): Promise<SimulationFailedError> {
  const where = `transaction ${tx.hash} from ${tx.callerLabel} reverted in block ${tx.blockNumber}`;
  if (BigInt(receipt.gasUsed) >= BigInt(tx.gas)) {
    return new SimulationFailedError(
      `${where}: it ran out of gas (limit ${tx.gas}, ${tx.actions.length} actions): the simulator's gas estimates are too low`,
    );
  }
  const parent = `0x${(tx.blockNumber - 1).toString(16)}`;
  const call = async (calls: readonly Hex[]): Promise<Hex | undefined> => {
    const data = calls.length === 1 ? calls[0]! : fastCalldata.multicall(calls);
    try {
      await rpc.request("eth_call", [
        { from: tx.from, to: tx.to, data, gas: `0x${tx.gas.toString(16)}` },
        parent,
      ]);
      return undefined;
    } catch (error) {
      const data = (error as { data?: unknown }).data;
      const hex = typeof data === "string" ? data : (data as { data?: unknown } | undefined)?.data;
      return (typeof hex === "string" ? hex : "0x") as Hex;
    }
  };
  // The shortest failing prefix ends with the failing call.
  let lo = 1;
  let hi = tx.calls.length;
  let revertData = await call(tx.calls);
  if (revertData === undefined) {
    return new SimulationFailedError(
      `${where}, but replaying it on block ${tx.blockNumber - 1} succeeds: it depended on a transaction of the same block`,
    );
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const data = await call(tx.calls.slice(0, mid));
    if (data === undefined) lo = mid + 1;
    else {
      hi = mid;
      revertData = data;
    }
  }
  const action = tx.actions[lo - 1];
  let reason = `unknown error ${revertData.slice(0, 10)}`;
  try {
    const decoded = decodeErrorResult({ abi: docTelAbi, data: revertData });
    reason = describeRevert(decoded.errorName, (decoded.args ?? []) as readonly unknown[]).message;
  } catch {
    // keep the selector
  }
  return new SimulationFailedError(
    `${where}: action ${lo} of ${tx.actions.length} (${action?.kind ?? "?"}, slot ${action?.slot ?? "?"}) failed: ${reason}`,
    { details: { tx_hash: tx.hash, block_number: tx.blockNumber, action: action?.kind } },
  );
}
