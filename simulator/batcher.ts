/**
 * Packs a slot's actions into transactions and blocks: one multicall per caller (split when it
 * would pass the gas budget), callers in cast order, blocks filled up to a share of the block
 * gas limit. Gas is estimated per action from the contract's measured costs (docs/contract.md)
 * with headroom; a transaction's gas limit is its estimate plus a margin, capped at the
 * per-transaction cap.
 */
import type { Action, ActionKind, Actor } from "./model.ts";

/** Osaka's per-transaction gas cap (EIP-7825). */
export const TX_GAS_CAP = 16_777_216;
/** Estimated gas one transaction may carry (its limit adds a margin on top). */
export const TX_GAS_BUDGET = 11_000_000;
const TX_BASE_GAS = 21_000;
const MULTICALL_OVERHEAD = 8_000;

/** Upper estimates inside a multicall: execution (cold storage), event, calldata, delegatecall. */
const ACTION_GAS: Record<ActionKind, number> = {
  registerHospital: 80_000,
  registerStaff: 60_000,
  registerDoctor: 60_000,
  grantRole: 60_000,
  registerPatient: 60_000,
  updatePatient: 40_000,
  openTreatment: 110_000,
  assignDoctor: 60_000,
  unassignDoctor: 40_000,
  recordDiagnosis: 40_000,
  advanceStage: 40_000,
  attachFile: 45_000,
  registerDevice: 80_000,
  revokeMember: 45_000,
  recordVitals: 40_000,
  recordVitalsBatch: 30_000,
};
/** Per reading of a vitals batch (measured: 8,211 at 512 readings, 8,644 at 64). */
const GAS_PER_READING = 9_500;

export function estimateGas(action: Action): number {
  return ACTION_GAS[action.kind] + (action.kind === "recordVitalsBatch" ? action.count * GAS_PER_READING : 0);
}

export interface PlannedTx {
  caller: Actor;
  actions: Action[];
  gasLimit: number;
}

export interface PlannedBlock {
  slot: number;
  /** 0 for the slot's first block, 1.. for overflow blocks (a second later each). */
  part: number;
  txs: PlannedTx[];
}

function gasLimitFor(estimate: number): number {
  return Math.min(TX_GAS_CAP, Math.ceil(estimate * 1.25) + 40_000);
}

/** The transactions of one slot, in block order. */
export function packSlot(actions: readonly Action[]): PlannedTx[] {
  const byCaller = new Map<Actor, Action[]>();
  for (const action of actions) {
    let list = byCaller.get(action.caller);
    if (!list) {
      list = [];
      byCaller.set(action.caller, list);
    }
    list.push(action);
  }
  const callers = [...byCaller.keys()].sort((a, b) => a.id - b.id);
  const txs: PlannedTx[] = [];
  for (const caller of callers) {
    let current: Action[] = [];
    let gas = TX_BASE_GAS + MULTICALL_OVERHEAD;
    for (const action of byCaller.get(caller)!) {
      const cost = estimateGas(action);
      if (current.length > 0 && gas + cost > TX_GAS_BUDGET) {
        txs.push({ caller, actions: current, gasLimit: gasLimitFor(gas) });
        current = [];
        gas = TX_BASE_GAS + MULTICALL_OVERHEAD;
      }
      current.push(action);
      gas += cost;
    }
    if (current.length > 0) txs.push({ caller, actions: current, gasLimit: gasLimitFor(gas) });
  }
  return txs;
}

/** Splits a slot's transactions into blocks whose gas limits fit `blockBudget`. */
export function splitBlocks(slot: number, txs: readonly PlannedTx[], blockBudget: number): PlannedBlock[] {
  const blocks: PlannedBlock[] = [];
  let current: PlannedTx[] = [];
  let gas = 0;
  for (const tx of txs) {
    if (current.length > 0 && gas + tx.gasLimit > blockBudget) {
      blocks.push({ slot, part: blocks.length, txs: current });
      current = [];
      gas = 0;
    }
    current.push(tx);
    gas += tx.gasLimit;
  }
  if (current.length > 0) blocks.push({ slot, part: blocks.length, txs: current });
  return blocks;
}

/** Every block of the plan, lazily, in order. */
export function* planBlocks(actions: readonly Action[], blockBudget: number): Generator<PlannedBlock> {
  let start = 0;
  while (start < actions.length) {
    const slot = actions[start]!.slot;
    let end = start;
    while (end < actions.length && actions[end]!.slot === slot) end++;
    yield* splitBlocks(slot, packSlot(actions.slice(start, end)), blockBudget);
    start = end;
  }
}
