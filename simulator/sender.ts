/**
 * The sender: block by block, waits for the block's files, encodes and signs its transactions
 * (the next block is prepared while the node mines the current one), sends them in one JSON-RPC
 * batch, mines the block at its simulated timestamp, and hands the hashes to the receipt checker.
 * It never waits for a receipt on its own.
 */
import { decodeFunctionResult, encodeFunctionData } from "viem";
import { docTelAbi } from "../sdk/index.ts";
import { type PlannedBlock, planBlocks } from "./batcher.ts";
import { fastCalldata } from "./calldata.ts";
import type { DevChain } from "./devchain.ts";
import type { Encoder } from "./encode.ts";
import { SimulationFailedError } from "./errors.ts";
import { eventsOf, type Hex } from "./model.ts";
import type { ReceiptChecker, SentTx } from "./receipts.ts";
import type { RpcClient } from "./rpc.ts";
import type { Plan } from "./schedule.ts";
import type { SignedTx, Signer } from "./signer.ts";
import type { Uploader } from "./uploads.ts";

export interface SendOptions {
  rpc: RpcClient;
  chain: DevChain;
  plan: Plan;
  contract: Hex;
  encoder: Encoder;
  signer: Signer;
  checker: ReceiptChecker;
  uploader?: Uploader | undefined;
  /** Sum of the gas limits one block may hold. */
  blockBudget: number;
  /** The chain's latest block number before the first simulated block. */
  headBefore: number;
  /** Timestamp of the chain's latest block: simulated blocks must come after it. */
  headTimestamp: number;
  /** Check receipts once this many transactions wait. */
  checkEvery?: number;
  onBlock?(state: SendState): void;
  signal?: AbortSignal | undefined;
}

export interface SendState {
  blocks: number;
  transactions: number;
  /** Planned events of the mined blocks. */
  events: number;
  lastSlot: number;
  lastBlockNumber: number;
  /** Where the time went (ms): waiting for a prepared block, sending, mining, checking receipts. */
  timings: { prepareWait: number; send: number; mine: number; receipts: number };
}

interface PreparedBlock {
  block: PlannedBlock;
  timestamp: number;
  events: number;
  /** The encoder's next treatment id once this block is encoded. */
  nextTreatmentId: bigint;
  txs: (SignedTx & { sent: Omit<SentTx, "hash" | "from" | "blockNumber"> })[];
}

export async function sendPlan(options: SendOptions): Promise<SendState> {
  const { rpc, chain, plan, contract, encoder, signer, checker } = options;
  const checkEvery = options.checkEvery ?? 2_000;
  const blocks = planBlocks(plan.actions, options.blockBudget)[Symbol.iterator]();
  const state: SendState = {
    blocks: 0,
    transactions: 0,
    events: 0,
    lastSlot: -1,
    lastBlockNumber: options.headBefore,
    timings: { prepareWait: 0, send: 0, mine: 0, receipts: 0 },
  };
  const t = state.timings;
  let lastTimestamp = options.headTimestamp;
  let minedNextTreatmentId = encoder.nextTreatmentId;

  async function prepare(block: PlannedBlock): Promise<PreparedBlock> {
    if (options.uploader) {
      for (const tx of block.txs) {
        for (const action of tx.actions)
          if (action.kind === "attachFile") await options.uploader.ready(action.file);
      }
    }
    const txs: PreparedBlock["txs"] = [];
    let events = 0;
    for (const [position, tx] of block.txs.entries()) {
      const calls = tx.actions.map((a) => encoder.encode(a));
      for (const a of tx.actions) events += eventsOf(a);
      const data = calls.length === 1 ? calls[0]! : fastCalldata.multicall(calls);
      const signed = await signer.sign(tx.caller, {
        to: contract,
        data,
        gas: tx.gasLimit,
        position,
        blockSize: block.txs.length,
      });
      txs.push({
        ...signed,
        sent: { to: contract, gas: tx.gasLimit, callerLabel: tx.caller.label, actions: tx.actions, calls },
      });
    }
    return {
      block,
      timestamp: plan.clock.ts(block.slot) + block.part,
      events,
      nextTreatmentId: encoder.nextTreatmentId,
      txs,
    };
  }

  const nextPrepared = (): Promise<PreparedBlock | undefined> => {
    const item = blocks.next();
    const p = item.done ? Promise.resolve(undefined) : prepare(item.value);
    // Awaited below; this only keeps a failure from counting as unhandled meanwhile.
    p.catch(() => {});
    return p;
  };

  let pending = nextPrepared();
  for (;;) {
    let since = performance.now();
    const current = await pending;
    t.prepareWait += performance.now() - since;
    if (!current) break;
    options.signal?.throwIfAborted();
    if (current.timestamp <= lastTimestamp) {
      throw new SimulationFailedError(
        `block for slot ${current.block.slot} would have timestamp ${current.timestamp}, not after the chain's ${lastTimestamp}`,
      );
    }
    since = performance.now();
    const answers = await rpc.batch([
      chain.zeroBaseFeeCall(),
      ...current.txs.map((tx) => ["eth_sendRawTransaction", [tx.raw]] as const),
    ]);
    const hashes = answers.map((answer, i) => {
      if (answer.ok) return answer.result as Hex;
      const tx = i === 0 ? undefined : current.txs[i - 1];
      const what = tx
        ? `sending a transaction of ${tx.sent.callerLabel} (nonce ${tx.nonce})`
        : "setting the base fee";
      throw new SimulationFailedError(`${what} failed: ${answer.error.message}`);
    });
    t.send += performance.now() - since;
    since = performance.now();
    const mined = chain.mine(current.timestamp);
    // Prepare the next block while the node mines this one.
    pending = nextPrepared();
    await mined;
    t.mine += performance.now() - since;
    lastTimestamp = current.timestamp;
    minedNextTreatmentId = current.nextTreatmentId;
    state.lastBlockNumber++;
    state.blocks++;
    state.transactions += current.txs.length;
    state.events += current.events;
    state.lastSlot = current.block.slot;
    current.txs.forEach((tx, i) => {
      checker.add({ ...tx.sent, hash: hashes[i + 1]!, from: tx.from, blockNumber: state.lastBlockNumber });
    });
    if (checker.pending >= checkEvery) await checkAndVerify();
    options.onBlock?.(state);
  }
  await checkAndVerify();
  return state;

  async function checkAndVerify(): Promise<void> {
    const since = performance.now();
    await checker.flush();
    // Treatment ids were predicted: the contract's counter must agree.
    const data = await rpc.request<Hex>("eth_call", [
      { to: contract, data: encodeFunctionData({ abi: docTelAbi, functionName: "treatmentCount" }) },
      "latest",
    ]);
    const onChain = decodeFunctionResult({ abi: docTelAbi, functionName: "treatmentCount", data });
    const expected = minedNextTreatmentId - 1n;
    t.receipts += performance.now() - since;
    if (onChain !== expected) {
      throw new SimulationFailedError(
        `the contract has ${onChain} treatments, the simulator expected ${expected}: another writer opened treatments during the run`,
      );
    }
  }
}
