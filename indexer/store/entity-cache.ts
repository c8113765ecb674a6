/**
 * Current-state rows kept in memory between batches, one map per `@store entity` table: the
 * reducer folds each batch onto them, so a batch only reads from the database the rows it has not
 * seen yet. That is what lets the next batch be prepared while the previous one is still being
 * written: every row an unwritten batch changed is here, and every row that is not here is
 * unchanged in the database. A key mapped to null is a row known not to exist.
 *
 * Bounded: above `maxEntries` rows, everything is dropped except what the batch still being
 * written changed. Cleared whenever the database moves without us (restart, reorg rollback).
 */
import type { RowOf } from "../../shared/db/table.ts";
import { ENTITY_NAMES, type EntityName, type Key, type TABLE } from "./tables.ts";

export type EntityMaps = { readonly [N in EntityName]: Map<Key, RowOf<(typeof TABLE)[N]> | null> };

/** The keys a batch changed, per table. */
export type PendingKeys = { readonly [N in EntityName]?: ReadonlySet<Key> };

export interface EntityCache {
  readonly maps: EntityMaps;
  size(): number;
  /** Drops rows above the cap, keeping those in `pending` (changed by a batch not yet committed). */
  trim(pending: PendingKeys | null): void;
  clear(): void;
}

export function createEntityMaps(): EntityMaps {
  return Object.fromEntries(ENTITY_NAMES.map((n) => [n, new Map()])) as unknown as EntityMaps;
}

export function createEntityCache(maxEntries: number): EntityCache {
  const maps = createEntityMaps();
  const all = () => ENTITY_NAMES.map((n) => maps[n] as Map<Key, unknown>);
  const size = () => all().reduce((n, m) => n + m.size, 0);

  return {
    maps,
    size,
    trim(pending) {
      if (size() <= maxEntries) return;
      for (const name of ENTITY_NAMES) {
        const map = maps[name] as Map<Key, unknown>;
        const keep = pending?.[name];
        if (!keep || keep.size === 0) {
          map.clear();
          continue;
        }
        for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
      }
    },
    clear() {
      for (const map of all()) map.clear();
    },
  };
}
