/**
 * Runs the indexer in-process against a test chain and database, and compares indexed
 * databases row by row (the oracle of the reorg and crash tests: the result must equal a clean
 * index of the same final chain).
 */
import type pg from "pg";
import { createIndexer, type Indexer, type IndexerSettings } from "../../indexer/indexer.ts";
import { createIndexerMetrics, type IndexerMetrics } from "../../indexer/ops/metrics.ts";
import type { NewHeads } from "../../indexer/sync/new-heads.ts";
import { TABLES } from "../../shared/db/generated/tables.ts";
import { createSilentLogger, type Logger } from "../../shared/logger.ts";

export const TEST_INDEXER_SETTINGS: IndexerSettings = {
  rpcUrl: "",
  rpcTimeoutMs: 5_000,
  rpcMaxResponseBytes: 64 * 1024 * 1024,
  retry: { retries: 6, baseDelayMs: 20, maxDelayMs: 300 },
  confirmations: 0,
  finalityDepth: 64,
  pollIntervalMs: 50,
  getLogs: { initial: 50, min: 1, max: 5_000, targetLogs: 2_000 },
  headerBatchSize: 50,
  prefetchDepth: 2,
  stateCacheEntries: 200_000,
  readyLagBlocks: 0,
  readyLagMs: 0,
  restartMaxDelayMs: 300,
};

export interface RunningIndexer {
  indexer: Indexer;
  metrics: IndexerMetrics;
  /**
   * Resolves once the checkpoint reaches `block`: a number (at or past it), or a block's number
   * and hash (exactly that block: after a reorg the same height has another hash, and an indexer
   * that went past it never gets there).
   */
  waitFor(block: bigint | { number: bigint; hash: string }): Promise<void>;
  /**
   * With a clock: ticks it until the checkpoint is exactly the node's head (number and hash),
   * each tick once the sync is idle. For a chain changed while the indexer waited.
   */
  catchUp(): Promise<{ number: bigint; hash: string }>;
  /** Stops the indexer; rethrows what made it stop, if anything. */
  stop(): Promise<void>;
  /** The error the indexer stopped with, if it stopped by itself. */
  readonly failure: Promise<unknown>;
}

export function startIndexer(args: {
  pool: pg.Pool;
  rpcUrl: string;
  address: `0x${string}`;
  deployBlock: bigint;
  chainId?: number;
  settings?: Partial<IndexerSettings>;
  logger?: Logger;
  /** Wakes the sync instead of its poll timer (see manualClock). */
  clock?: ManualClock;
}): RunningIndexer {
  const metrics = createIndexerMetrics();
  const indexer = createIndexer({
    target: { chainId: args.chainId ?? 31337, contractAddress: args.address, deployBlock: args.deployBlock },
    settings: { ...TEST_INDEXER_SETTINGS, rpcUrl: args.rpcUrl, ...args.settings },
    pool: args.pool,
    logger: args.logger ?? createSilentLogger(),
    metrics,
    ...(args.clock ? { heads: args.clock } : {}),
  });
  const controller = new AbortController();
  let stoppedWith: unknown;
  let stopped = false;
  const running = indexer.run(controller.signal).then(
    () => {
      stopped = true;
    },
    (error) => {
      stopped = true;
      stoppedWith = error;
    },
  );
  return {
    indexer,
    metrics,
    failure: running.then(() => stoppedWith),
    async catchUp() {
      const clock = args.clock;
      if (!clock) throw new Error("catchUp() needs a clock: startIndexer({ clock: manualClock() })");
      const head = await headBlockOf(args.rpcUrl);
      const deadline = Date.now() + 60_000;
      for (;;) {
        await Promise.race([clock.idle(), running]);
        if (stopped) throw stoppedWith ?? new Error("the indexer stopped before reaching the head");
        const { rows } = await args.pool.query<{ b: string; h: string }>(
          "SELECT indexed_block::text AS b, indexed_block_hash AS h FROM indexer_state",
        );
        if (rows[0] && BigInt(rows[0].b) === head.number && rows[0].h === head.hash) return head;
        if (Date.now() > deadline)
          throw new Error(`indexer did not reach the head ${head.number} ${head.hash} within 60 s`);
        // Idle with a commit still on its way, or idle since before the chain changed: look again.
        clock.tick();
      }
    },
    async waitFor(block) {
      const exact = typeof block === "bigint" ? null : block;
      const number = typeof block === "bigint" ? block : block.number;
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (stopped) throw stoppedWith ?? new Error("the indexer stopped before reaching the block");
        const { rows } = await args.pool.query<{ b: string; h: string }>(
          "SELECT indexed_block::text AS b, indexed_block_hash AS h FROM indexer_state",
        );
        const at = rows[0];
        if (at && (exact ? BigInt(at.b) === number && at.h === exact.hash : BigInt(at.b) >= number)) return;
        if (Date.now() > deadline) {
          throw new Error(
            `indexer did not reach block ${number}${exact ? ` ${exact.hash}` : ""} within 60 s (at ${at?.b} ${at?.h})`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      controller.abort();
      await running;
      if (stoppedWith) throw stoppedWith;
    },
  };
}

/**
 * An injected clock for the sync: it polls the node only when the test ticks (give the indexer a
 * poll interval longer than the test), so a test changes the chain while the indexer is idle and
 * the indexer then sees the result whole, never a state in between.
 */
export interface ManualClock extends NewHeads {
  /** Resolves when the sync has nothing left to do and waits for the next tick. */
  idle(): Promise<void>;
  /** Wakes the waiting sync: it reads the head again (call after idle()). */
  tick(): void;
}

export function manualClock(): ManualClock {
  let waiting: (() => void) | null = null;
  const onIdle: (() => void)[] = [];
  return {
    wait(signal) {
      return new Promise<void>((resolve) => {
        const wake = () => {
          if (waiting === wake) waiting = null;
          resolve();
        };
        waiting = wake;
        signal.addEventListener("abort", wake, { once: true });
        for (const f of onIdle.splice(0)) f();
      });
    },
    close() {
      waiting?.();
    },
    idle() {
      return waiting ? Promise.resolve() : new Promise((resolve) => onIdle.push(resolve));
    },
    tick() {
      if (!waiting) throw new Error("manualClock.tick(): the sync is not waiting (await idle() first)");
      waiting();
    },
  };
}

/** A clock-driven indexer's settings: no poll of its own between ticks. */
export const CLOCK_SETTINGS: Partial<IndexerSettings> = { pollIntervalMs: 3_600_000 };

/** The chain head of a node, with its hash. */
export async function headBlockOf(rpcUrl: string): Promise<{ number: bigint; hash: string }> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_getBlockByNumber",
      params: ["latest", false],
    }),
  });
  const block = ((await res.json()) as { result: { number: string; hash: string } }).result;
  return { number: BigInt(block.number), hash: block.hash.toLowerCase() };
}

/** The chain head of a node. */
export async function headOf(rpcUrl: string): Promise<bigint> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  return BigInt(((await res.json()) as { result: string }).result);
}

/**
 * Every row the indexer derives (every `@store` table of prisma/schema.prisma), in a deterministic
 * order, without what legitimately differs between runs: the verifier's columns of the file queue
 * (its claims included), the recent block headers, the leader's epoch and name, wall-clock times.
 * The checkpoint keeps its block and the number of the last event committed. What is kept for
 * reorgs only on request (`unfinalized`): the undo log and the unfinalized blocks' headers, each
 * with the number of the last event at its end (where numbering resumes after a rollback). It
 * depends on the finality depth, so only runs with the same settings compare it.
 */
export async function dumpIndex(
  pool: pg.Pool,
  options: { unfinalized?: boolean } = {},
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    if (t.name === "indexer_state") continue;
    if ((t.name === "undo_log" || t.name === "chain_block") && !options.unfinalized) continue;
    const columns = t.role === "queue" ? t.key.map((k) => t.columns.find((c) => c.field === k)!.name) : ["*"];
    const order = t.key.map((k) => t.columns.find((c) => c.field === k)!.name);
    out[t.name] = (
      await pool.query(`SELECT ${columns.join(", ")} FROM ${t.name} ORDER BY ${order.join(", ")}`)
    ).rows;
  }
  out.event_log = (await pool.query("SELECT * FROM event_log ORDER BY block_number, log_index")).rows;
  out.checkpoint = (
    await pool.query(
      "SELECT chain_id, contract_address, indexed_block, indexed_block_hash, last_event_seq FROM indexer_state",
    )
  ).rows;
  return out;
}

/** Empties every table the indexer writes (every model tagged `@store` in prisma/schema.prisma). */
export async function clearIndex(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE ${TABLES.map((t) => t.name).join(", ")} CASCADE`);
}

/** Indexes the chain from scratch into `pool` (emptied first) up to its head; returns the dump. */
export async function cleanIndex(args: {
  pool: pg.Pool;
  rpcUrl: string;
  address: `0x${string}`;
  deployBlock: bigint;
}): Promise<Record<string, unknown[]>> {
  await clearIndex(args.pool);
  const fresh = startIndexer(args);
  await fresh.waitFor(await headOf(args.rpcUrl));
  await fresh.stop();
  return dumpIndex(args.pool);
}
