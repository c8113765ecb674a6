/**
 * The embedded chain's journal: everything that changed the chain, in order, so that a restart
 * can rebuild the same chain — block for block, hash for hash — from the same genesis.
 * Hardhat's simulated chain lives in memory; replaying signed transactions with the recorded
 * timestamps and base fees reproduces every block hash (checked on replay).
 *
 * One JSON object per line:
 *   {"t":"call","method":"hardhat_setBalance","params":[…]}     state set outside a block
 *   {"t":"block","n":12,"ts":1700000000,"baseFee":"0x…","hash":"0x…","txs":["0x02f8…"]}
 */
import { open, readFile } from "node:fs/promises";
import {
  type Hex,
  keccak256,
  type Signature,
  serializeTransaction,
  type TransactionSerializable,
} from "viem";

export type JournalEntry =
  | { t: "call"; method: string; params: unknown[] }
  | { t: "block"; n: number; ts: number; baseFee: Hex | null; hash: Hex; txs: Hex[] };

export interface RpcTransaction {
  hash: Hex;
  type: Hex;
  chainId?: Hex;
  nonce: Hex;
  gas: Hex;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
  to: Hex | null;
  value: Hex;
  input: Hex;
  accessList?: { address: Hex; storageKeys: Hex[] }[];
  v: Hex;
  r: Hex;
  s: Hex;
  yParity?: Hex;
}

/** The signed raw bytes of a transaction as a node returns it; checked against its hash. */
export function rawTransaction(tx: RpcTransaction): Hex {
  const type = Number(tx.type);
  const common = {
    nonce: Number(tx.nonce),
    gas: BigInt(tx.gas),
    to: tx.to ?? undefined,
    value: BigInt(tx.value),
    data: tx.input,
  };
  let unsigned: TransactionSerializable;
  if (type === 2) {
    unsigned = {
      ...common,
      type: "eip1559",
      chainId: Number(tx.chainId),
      maxFeePerGas: BigInt(tx.maxFeePerGas!),
      maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas!),
      accessList: tx.accessList ?? [],
    };
  } else if (type === 1) {
    unsigned = {
      ...common,
      type: "eip2930",
      chainId: Number(tx.chainId),
      gasPrice: BigInt(tx.gasPrice!),
      accessList: tx.accessList ?? [],
    };
  } else if (type === 0) {
    unsigned = {
      ...common,
      type: "legacy",
      gasPrice: BigInt(tx.gasPrice!),
      ...(tx.chainId ? { chainId: Number(tx.chainId) } : {}),
    };
  } else {
    throw new Error(
      `journal: transaction ${tx.hash} has type ${type}, which the embedded chain does not journal`,
    );
  }
  const signature: Signature =
    type === 0
      ? { r: tx.r, s: tx.s, v: BigInt(tx.v) }
      : { r: tx.r, s: tx.s, yParity: Number(tx.yParity ?? tx.v) };
  const raw = serializeTransaction(unsigned, signature);
  if (keccak256(raw) !== tx.hash.toLowerCase()) {
    throw new Error(`journal: transaction ${tx.hash} re-serializes to ${keccak256(raw)}`);
  }
  return raw;
}

export interface Journal {
  append(entries: JournalEntry[]): Promise<void>;
  /** Syncs what was appended and closes the file. */
  close(): Promise<void>;
}

/** How long an appended entry may wait for its fsync (group commit). */
const SYNC_DELAY_MS = 100;

/**
 * Appends entries in order. Each append is written (in the OS's cache, so it survives the
 * process being killed) before it returns; fsyncs are grouped, at most SYNC_DELAY_MS after a
 * write: one fsync per block cost more than mining the block during a simulation.
 */
export async function openJournal(file: string): Promise<Journal> {
  const handle = await open(file, "a");
  let timer: NodeJS.Timeout | undefined;
  let syncing: Promise<void> = Promise.resolve();
  let failed: unknown;
  const sync = () => {
    timer = undefined;
    syncing = syncing
      .then(() => handle.datasync())
      .catch((error: unknown) => {
        failed ??= error;
      });
    return syncing;
  };
  return {
    async append(entries) {
      // A failed fsync fails the next write loudly: the journal may have lost entries.
      if (failed) throw failed;
      if (entries.length === 0) return;
      await handle.appendFile(`${entries.map((e) => JSON.stringify(e)).join("\n")}\n`);
      timer ??= setTimeout(sync, SYNC_DELAY_MS);
    },
    async close() {
      if (timer) clearTimeout(timer);
      await sync();
      await handle.close();
      if (failed) throw failed;
    },
  };
}

export async function readJournal(file: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const entries: JournalEntry[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A torn last line (a crash mid-write) is dropped; anywhere else it is corruption.
      if (i === lines.length - 1) break;
      throw new Error(`journal ${file}: line ${i + 1} is not JSON`);
    }
  }
  return entries;
}
