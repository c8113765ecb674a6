/**
 * Simulate, send, wait, decode: every write goes through here. The call is first run with
 * eth_call as the sender, so a revert is reported (decoded) without spending gas; only then is
 * the transaction signed and sent, and its receipt's DocTel events parsed.
 */
import { type ParseEventLogsReturnType, parseEventLogs, WaitForTransactionReceiptTimeoutError } from "viem";
import { ConfigError } from "../shared/errors.ts";
import { redactUrl } from "../shared/redact.ts";
import type { DocTelContext, SigningWalletClient } from "./context.ts";
import { type Calldata, docTelAbi } from "./encoders/abi.ts";
import type { Address } from "./encoders/fields.ts";
import { ContractRevertedError, RpcUnavailableError } from "./errors/classes.ts";
import { toDocTelError } from "./errors/decode.ts";

export type DocTelEvent = ParseEventLogsReturnType<typeof docTelAbi>[number];
export type DocTelEventName = DocTelEvent["eventName"];

export interface TxResult {
  hash: `0x${string}`;
  blockNumber: bigint;
  gasUsed: bigint;
  /** The DocTel events the transaction emitted, decoded, in log order. */
  events: DocTelEvent[];
}

export function requireWallet(ctx: DocTelContext, action: string): SigningWalletClient {
  if (!ctx.walletClient) {
    throw new ConfigError(`${action} needs a signing key, and none was given`);
  }
  return ctx.walletClient;
}

/** Runs `data` as an eth_call from `from` (the wallet's account by default); throws the decoded revert. */
export async function simulate(
  ctx: DocTelContext,
  data: Calldata,
  action: string,
  from?: Address,
): Promise<`0x${string}` | undefined> {
  const account = from ?? ctx.walletClient?.account.address;
  try {
    // "pending": the next block's context (its timestamp, the sender's queued transactions),
    // so time-dependent checks such as a governance handover's delay match what inclusion sees.
    const result = await ctx.publicClient.call({ account, to: ctx.address, data, blockTag: "pending" });
    return result.data;
  } catch (error) {
    throw toDocTelError(error, { action, rpcUrl: ctx.rpcUrl, address: ctx.address });
  }
}

/** Simulates, then sends `data` to the contract and waits for the receipt. */
export async function transact(ctx: DocTelContext, data: Calldata, action: string): Promise<TxResult> {
  const wallet = requireWallet(ctx, action);
  await simulate(ctx, data, action);
  let hash: `0x${string}`;
  try {
    // Gas is estimated against the pending block as well: some nodes estimate against "latest"
    // by default, where a just-passed deadline (a governance handover) has not passed yet.
    const gas = await ctx.publicClient.estimateGas({
      account: wallet.account,
      to: ctx.address,
      data,
      blockTag: "pending",
    });
    hash = await wallet.sendTransaction({
      account: wallet.account,
      chain: wallet.chain ?? null,
      to: ctx.address,
      data,
      gas,
    });
  } catch (error) {
    throw toDocTelError(error, { action, rpcUrl: ctx.rpcUrl, address: ctx.address });
  }
  ctx.logger.debug({ action, tx_hash: hash }, "transaction sent");
  return await settle(ctx, hash, action);
}

/** Waits for `hash`'s receipt and decodes its DocTel events; a reverted receipt is an error. */
export async function settle(ctx: DocTelContext, hash: `0x${string}`, action: string): Promise<TxResult> {
  let receipt: Awaited<ReturnType<DocTelContext["publicClient"]["waitForTransactionReceipt"]>>;
  try {
    receipt = await ctx.publicClient.waitForTransactionReceipt({
      hash,
      confirmations: ctx.confirmations,
      timeout: ctx.receiptTimeoutMs,
      ...(ctx.pollingIntervalMs === undefined ? {} : { pollingInterval: ctx.pollingIntervalMs }),
    });
  } catch (error) {
    if (error instanceof WaitForTransactionReceiptTimeoutError) {
      const url = ctx.rpcUrl ? redactUrl(ctx.rpcUrl) : "the JSON-RPC node";
      throw new RpcUnavailableError(
        `${action}: transaction ${hash} was sent but no receipt arrived from ${url} within ${ctx.receiptTimeoutMs / 1000} s; check it before sending again`,
        url,
        { cause: error, details: { tx_hash: hash } },
      );
    }
    throw toDocTelError(error, { action, rpcUrl: ctx.rpcUrl, address: ctx.address });
  }
  if (receipt.status !== "success") {
    throw new ContractRevertedError(
      `${action}: transaction ${hash} reverted in block ${receipt.blockNumber} (the contract state changed after the simulation)`,
      { details: { tx_hash: hash } },
    );
  }
  const own = receipt.logs.filter((log) => log.address.toLowerCase() === ctx.address.toLowerCase());
  const events = parseEventLogs({ abi: docTelAbi, logs: own });
  ctx.logger.info(
    {
      action,
      tx_hash: hash,
      block_number: Number(receipt.blockNumber),
      gas_used: Number(receipt.gasUsed),
      events: events.length,
    },
    "transaction mined",
  );
  return { hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, events };
}

/** The events of one name in a result, typed. */
export function eventsNamed<N extends DocTelEventName>(
  result: TxResult,
  name: N,
): Extract<DocTelEvent, { eventName: N }>[] {
  return result.events.filter((e): e is Extract<DocTelEvent, { eventName: N }> => e.eventName === name);
}
