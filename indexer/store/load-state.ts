/**
 * Loads, in one query per table, the current-state rows a batch of events will read or change, so
 * the reducer can fold the events onto them in memory. Which rows an event needs is the event's
 * `keys` in reduce.ts: this module knows no event and no table.
 *
 * - `read(table, key)`: the event reads the row (it must be loaded, unless an earlier event of the
 *   batch wrote it);
 * - `write(table, key)`: the event creates, replaces or deletes the row without reading it; loaded
 *   only for an event above `undoAbove`, whose undo image must be exact;
 * - `where(table, field, value)`: the event reads every row whose field has that value.
 */
import type { PoolClient } from "pg";
import type { RowOf } from "../../shared/db/table.ts";
import type { DocTelEvent } from "../decode/events.ts";
import { type BatchState, createBatchState } from "./batch-state.ts";
import type { EntityCache } from "./entity-cache.ts";
import { keysOf } from "./reduce.ts";
import { type EntityName, type Key, keyOf, rowFromSql, selectByKeys, selectWhere, TABLE } from "./tables.ts";

type Tables = typeof TABLE;
type KeyFields<N extends EntityName> = Partial<RowOf<Tables[N]>>;

/** What an event's `keys` declares (see the module comment). */
export interface KeyRequests {
  read<N extends EntityName>(table: N, key: KeyFields<N>): void;
  write<N extends EntityName>(table: N, key: KeyFields<N>): void;
  where<N extends EntityName, F extends keyof RowOf<Tables[N]> & string>(
    table: N,
    field: F,
    value: RowOf<Tables[N]>[F],
  ): void;
}

interface Needed {
  keys: Map<EntityName, Map<Key, KeyFields<EntityName>>>;
  where: Map<EntityName, Map<string, Set<unknown>>>;
}

/** The rows `events` need that `cache` does not hold. */
export function neededRows(events: readonly DocTelEvent[], cache: EntityCache, undoAbove: bigint): Needed {
  const needed: Needed = { keys: new Map(), where: new Map() };
  /** Rows an earlier event of the batch wrote, per table: known from then on. */
  const written = new Map<EntityName, Set<Key>>();
  const writtenIn = (table: EntityName) => {
    let set = written.get(table);
    if (!set) {
      set = new Set();
      written.set(table, set);
    }
    return set;
  };
  const need = (table: EntityName, key: Key, fields: KeyFields<EntityName>) => {
    if ((cache.maps[table] as Map<Key, unknown>).has(key) || written.get(table)?.has(key)) return;
    let m = needed.keys.get(table);
    if (!m) {
      m = new Map();
      needed.keys.set(table, m);
    }
    m.set(key, fields);
  };
  let undo = false;
  const requests: KeyRequests = {
    read(table, key) {
      need(table, keyOf(TABLE[table], key as never), key as KeyFields<EntityName>);
    },
    write(table, key) {
      const k = keyOf(TABLE[table], key as never);
      if (undo) need(table, k, key as KeyFields<EntityName>);
      writtenIn(table).add(k);
    },
    where(table, field, value) {
      let byField = needed.where.get(table);
      if (!byField) {
        byField = new Map();
        needed.where.set(table, byField);
      }
      let values = byField.get(field);
      if (!values) {
        values = new Set();
        byField.set(field, values);
      }
      values.add(value);
    },
  };
  for (const ev of events) {
    undo = ev.blockNumber > undoAbove;
    keysOf(ev, requests);
  }
  return needed;
}

/**
 * A BatchState over the entity cache holding every current-state row that `events` will read
 * or change: rows already cached are used as they are, the others are read from the database
 * (one query per table) and added to the cache; keys not found are cached as absent.
 */
export async function loadBatchState(
  client: Pick<PoolClient, "query">,
  events: readonly DocTelEvent[],
  cache: EntityCache,
  undoAbove: bigint,
): Promise<BatchState> {
  const needed = neededRows(events, cache, undoAbove);
  for (const [table, keys] of needed.keys) {
    const t = TABLE[table];
    const map = cache.maps[table] as Map<Key, unknown>;
    const q = selectByKeys(t, [...keys.values()] as never);
    const { rows } = await client.query(q.text, q.values);
    for (const raw of rows) {
      const row = rowFromSql(t, raw);
      map.set(keyOf(t, row as never), row);
    }
    for (const key of keys.keys()) if (!map.has(key)) map.set(key, null);
  }
  for (const [table, byField] of needed.where) {
    const t = TABLE[table];
    const map = cache.maps[table] as Map<Key, unknown>;
    for (const [field, values] of byField) {
      const q = selectWhere(t, field as never, [...values]);
      const { rows } = await client.query(q.text, q.values);
      for (const raw of rows) {
        const row = rowFromSql(t, raw);
        const key = keyOf(t, row as never);
        // A cached row is newer than the database's (a batch not yet committed may have changed it).
        if (!map.has(key)) map.set(key, row);
      }
    }
  }
  return createBatchState(cache.maps, undoAbove);
}
