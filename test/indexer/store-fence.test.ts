/**
 * The fence (indexer_fence(), checkpoint.ts fenceStep) is the first statement of every
 * transaction the store writes in: not only block batches (failover.test.ts), but a reorg's
 * rollback from the undo log, the finality mark that prunes the undo log, and the creation of
 * partitions ahead. A store whose leader epoch is over writes none of them; the store of the
 * leader that took over writes them all, and a rollback puts the checkpoint's last event number
 * back to the common ancestor's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeadershipLostError } from "../../indexer/errors.ts";
import { createIndexerMetrics } from "../../indexer/ops/metrics.ts";
import {
  acquireSessionLock,
  connectionOf,
  LEADER_LOCK,
  LOCK_CLASS,
  type SessionLock,
} from "../../indexer/ops/session-lock.ts";
import type { CheckpointTarget, Leader } from "../../indexer/store/checkpoint.ts";
import { type BlockEvent, createStore, type Store } from "../../indexer/store/store.ts";
import type { ChainEvent } from "../../indexer/sync/chain-event.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";

const db = useTestDatabase();
const target: CheckpointTarget = {
  chainId: 31337,
  contractAddress: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  deployBlock: 90n,
  startEventSeq: 0,
};
const hash = (n: bigint): `0x${string}` => `0x${n.toString(16).padStart(64, "0")}`;
const ref = (n: bigint) => ({
  number: n,
  hash: hash(n),
  parentHash: hash(n - 1n),
  timestamp: 1_700_000_000 + Number(n),
});

let lock: SessionLock;
let leader: Leader;
const stores: Store[] = [];

function openStore(name: string): Promise<Store> {
  const store = createStore({
    pool: db.pool,
    logger: createSilentLogger(),
    metrics: createIndexerMetrics(),
    cacheEntries: 100,
    blocksPerPartition: 1_000_000,
  });
  stores.push(store);
  return store.open(target, { ...leader, name }).then(() => store);
}

/** Everything the refused writes could have changed. */
async function snapshot() {
  const q = async (sql: string) => (await db.pool.query(sql)).rows;
  return {
    checkpoint: await q(
      "SELECT indexed_block, indexed_block_hash, finalized_block, last_event_seq FROM indexer_state",
    ),
    blocks: await q("SELECT number, event_seq FROM chain_block ORDER BY number"),
    undo: await q("SELECT block_number, table_name, key::text FROM undo_log ORDER BY 1, 2"),
    eventBlocks: await q("SELECT number FROM event_block ORDER BY number"),
    partitions: await q(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ORDER BY c.relname",
    ),
  };
}

const reorg: ChainEvent = {
  type: "reorg",
  commonAncestor: { ...ref(100n), lastEventSeq: 10 },
  reorgedBlocks: [ref(101n), ref(102n), ref(103n)],
  lastEventSeq: 10,
  headBlock: 104n,
};

/** A batch of blocks without events, past the partitions there are. */
const farBlock = (): BlockEvent => ({
  type: "block",
  fromBlock: 2_500_000n,
  toBlock: ref(2_500_000n),
  blocks: [],
  logs: {
    count: 0,
    decode: () => {
      throw new Error("no logs");
    },
    release: () => undefined,
  },
  lastEventSeq: 13,
  finalizedBlock: null,
  headBlock: 2_500_000n,
});

beforeAll(async () => {
  const acquired = await acquireSessionLock({
    connection: connectionOf(db.pool),
    key: [LOCK_CLASS, LEADER_LOCK],
    name: "test leader lock",
    logger: createSilentLogger(),
    wait: false,
  });
  if (!acquired) throw new Error("the leader lock is taken");
  lock = acquired;
  leader = { name: "test", lockPid: lock.pid, lockKey: [LOCK_CLASS, LEADER_LOCK] };
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await lock.release();
});

describe("the fence in every write of the store", () => {
  it("refuses a rollback, a finality mark and new partitions to a leader whose epoch is over; the next leader writes them", async () => {
    const old = await openStore("old");
    // Blocks 101-103 indexed above the ancestor 100: their headers, an append-only row and an undo image.
    await db.pool.query(
      `UPDATE indexer_state SET indexed_block = 103, indexed_block_hash = $1, last_event_seq = 13`,
      [hash(103n)],
    );
    for (const n of [100n, 101n, 102n, 103n]) {
      await db.pool.query(
        "INSERT INTO chain_block (number, hash, parent_hash, timestamp, event_seq) VALUES ($1, $2, $3, to_timestamp($4), $5)",
        [n, hash(n), hash(n - 1n), 1_700_000_000 + Number(n), Number(n) - 90],
      );
    }
    await db.pool.query("INSERT INTO event_block (number, hash, time) VALUES (102, $1, now())", [hash(102n)]);
    await db.pool.query(
      `INSERT INTO undo_log (block_number, log_index, seq, table_name, key, image) VALUES (102, 0, 0, 'hospital', '{"id": 9}', NULL)`,
    );
    const before = await snapshot();

    // Another process takes the lead: it opens the checkpoint, which moves the epoch on.
    const next = await openStore("next");
    await expect(old.apply(reorg)).rejects.toBeInstanceOf(LeadershipLostError);
    await expect(old.apply({ type: "finalize", block: 103n, headBlock: 104n })).rejects.toBeInstanceOf(
      LeadershipLostError,
    );
    await expect(old.prepare(farBlock())).rejects.toBeInstanceOf(LeadershipLostError);
    expect(await snapshot()).toEqual(before);

    // The leader's own writes go through: the rollback restores the ancestor's event number.
    await next.apply(reorg);
    const rolledBack = await snapshot();
    expect(rolledBack.checkpoint).toEqual([
      { indexed_block: "100", indexed_block_hash: hash(100n), finalized_block: "89", last_event_seq: "10" },
    ]);
    expect(rolledBack.blocks).toEqual([{ number: "100", event_seq: "10" }]);
    expect(rolledBack.undo).toEqual([]);
    expect(rolledBack.eventBlocks).toEqual([]);
    await next.prepare(farBlock());
    const created = (await snapshot()).partitions.map((p) => p.relname);
    expect(created).toEqual(expect.arrayContaining(["event_record_p2000000", "vital_p2000000"]));
    expect(created.length).toBeGreaterThan(before.partitions.length);
  });
});
