/**
 * Everything one batch of events changes, as named rows of the tables prisma/schema.prisma
 * declares: `entity` tables are current state (maps of rows, folded onto the entity cache),
 * `append` tables are COPY text encoded row by row as the events are folded.
 *
 * Every change to a current-state row goes through EntityRows, which is what makes reorgs
 * generic: for an event in a block above `undoAbove` (not final yet), the row as it was before the
 * change is recorded in the undo log, once per row and block; a rollback restores those images
 * (undo.ts, rollback.ts). Events of final blocks record nothing: backfill pays nothing for it.
 */

import { undoLog } from "../../shared/db/generated/tables.ts";
import type { AnyTable, RowOf } from "../../shared/db/table.ts";
import { NonRetryableError } from "../../shared/errors.ts";
import { MissingEntityError } from "../errors.ts";
import { CopyWriter } from "./copy-writer.ts";
import { createEntityMaps, type EntityMaps, type PendingKeys } from "./entity-cache.ts";
import {
  APPEND_NAMES,
  type AppendName,
  ENTITY_NAMES,
  type EntityName,
  imageJson,
  type Key,
  keyOf,
  TABLE,
} from "./tables.ts";

/** Where a change happens: enough to order it (the undo log's position). */
export interface ChangeAt {
  blockNumber: bigint;
  logIndex: number;
  eventName: string;
}

/** The undo log of one batch: rows of `undo_log`, encoded as they are recorded. */
export class UndoRecorder {
  readonly rows = new CopyWriter();
  #seen = new Set<string>();
  #seq = 0;
  #block = -1n;
  #log = -1;

  /** Events in blocks above this one record undo images (blocks up to it are final). */
  readonly above: bigint;

  constructor(above: bigint) {
    this.above = above;
  }

  /** Records `before` (null: the row did not exist) unless this row already has an image in this block. */
  record<T extends AnyTable>(table: T, key: Key, keyRow: RowOf<T>, before: RowOf<T> | null, at: ChangeAt) {
    const id = `${table.name}\u0000${String(key)}\u0000${at.blockNumber}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    if (at.blockNumber !== this.#block || at.logIndex !== this.#log) {
      this.#block = at.blockNumber;
      this.#log = at.logIndex;
      this.#seq = 0;
    }
    undoLog.encode(this.rows, {
      blockNumber: at.blockNumber,
      logIndex: at.logIndex,
      seq: this.#seq++,
      tableName: table.name,
      key: imageJson(table, keyRow, true),
      image: before === null ? null : imageJson(table, before),
    });
  }
}

/**
 * The rows of one current-state table a batch reads and changes. Rows are those of the entity
 * cache (kept between batches) plus those loaded for this batch; a key mapped to null is known
 * not to exist, a key not in the map is unknown (never needed so far).
 */
export class EntityRows<T extends AnyTable> {
  readonly touched = new Set<Key>();
  /** Each touched row as it was before the batch first touched it (null: it did not exist). */
  readonly before = new Map<Key, RowOf<T> | null>();

  readonly table: T;
  readonly rows: Map<Key, RowOf<T> | null>;
  readonly undo: UndoRecorder;

  constructor(table: T, rows: Map<Key, RowOf<T> | null>, undo: UndoRecorder) {
    this.table = table;
    this.rows = rows;
    this.undo = undo;
  }

  key(row: Partial<RowOf<T>>): Key {
    return keyOf(this.table, row);
  }

  /** The row with this key, or null when it does not exist. */
  find(key: Key): RowOf<T> | null {
    const row = this.rows.get(key);
    if (row === undefined) {
      throw new NonRetryableError(
        "INTERNAL",
        `${this.table.name} ${String(key)} was read without being loaded: the event's keys() in reduce.ts must name it`,
      );
    }
    return row;
  }

  /**
   * Rows whose `field` equals `value` (every one of them must have been loaded: keys().where), in
   * the order of their keys: the same whatever the cache held, so undo images come in one order.
   */
  where<F extends keyof RowOf<T>>(field: F, value: RowOf<T>[F]): RowOf<T>[] {
    const found: [string, RowOf<T>][] = [];
    for (const [key, row] of this.rows)
      if (row !== null && row[field] === value) found.push([String(key), row]);
    return found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, row]) => row);
  }

  /** Creates or replaces a row. */
  put(row: RowOf<T>, at: ChangeAt): void {
    const key = this.key(row);
    this.#remember(key, row, at);
    this.rows.set(key, row);
  }

  /** The row with this key, to be changed in place right after (it must exist). */
  change(key: Key, at: ChangeAt): RowOf<T> {
    const row = this.find(key);
    if (row === null) {
      throw new MissingEntityError(
        `${at.eventName} at block ${at.blockNumber} log ${at.logIndex} changes ${this.table.name} ${String(key)}, which does not exist`,
      );
    }
    this.#remember(key, row, at);
    return row;
  }

  /** Deletes the row with this key, if there is one. */
  delete(key: Key, keyRow: Partial<RowOf<T>>, at: ChangeAt): void {
    const current = this.rows.get(key);
    if (current === null) return;
    this.#remember(key, keyRow as RowOf<T>, at);
    this.rows.set(key, null);
  }

  #remember(key: Key, keyRow: RowOf<T>, at: ChangeAt): void {
    const current = this.rows.get(key);
    const undo = at.blockNumber > this.undo.above;
    if (current === undefined && undo) {
      throw new NonRetryableError(
        "INTERNAL",
        `${at.eventName} at block ${at.blockNumber} writes ${this.table.name} ${String(key)} unloaded: its image for the undo log is unknown (keys() in reduce.ts must name it)`,
      );
    }
    // A row never loaded, written in a final block, is taken as new.
    const before = current ?? null;
    if (!this.touched.has(key)) {
      this.touched.add(key);
      this.before.set(key, before === null ? null : ({ ...before } as RowOf<T>));
    }
    if (undo) this.undo.record(this.table, key, current ?? keyRow, before === null ? null : before, at);
  }
}

/** Rows of an append-only table, encoded into COPY text as they are added. */
export class AppendRows<T extends AnyTable> {
  readonly writer = new CopyWriter();

  readonly table: T;

  constructor(table: T) {
    this.table = table;
  }

  add(row: RowOf<T>): void {
    this.table.encode(this.writer, row);
  }

  get count(): number {
    return this.writer.rows;
  }
}

type Tables = typeof TABLE;
export type EntityTables = { readonly [N in EntityName]: EntityRows<Tables[N]> };
export type AppendTables = { readonly [N in AppendName]: AppendRows<Tables[N]> };

/** A file to queue for verification; `invalid` is the reason when the CID cannot be one. */
export interface QueuedFile {
  cid: string;
  invalid: string | null;
}

export interface BatchState {
  readonly tables: EntityTables & AppendTables;
  readonly undo: UndoRecorder;
  /** CIDs of attached files, for the verification queue. */
  readonly files: Map<string, QueuedFile>;
  /** Blocks already given their event_block row. */
  readonly blocks: Set<bigint>;
  readonly eventCounts: Map<string, number>;
}

/** An `undoAbove` no block reaches: nothing is undo-logged. */
export const NO_UNDO = (1n << 63n) - 1n;

/** A batch over `maps` (the entity cache, or maps of its own); undo images above `undoAbove`. */
export function createBatchState(maps: EntityMaps = createEntityMaps(), undoAbove = NO_UNDO): BatchState {
  const undo = new UndoRecorder(undoAbove);
  const tables: Record<string, unknown> = {};
  for (const name of ENTITY_NAMES) tables[name] = new EntityRows(TABLE[name], maps[name] as never, undo);
  for (const name of APPEND_NAMES) tables[name] = new AppendRows(TABLE[name]);
  return {
    tables: tables as unknown as EntityTables & AppendTables,
    undo,
    files: new Map(),
    blocks: new Set(),
    eventCounts: new Map(),
  };
}

/** The keys a batch changed, per table: they stay cached until the batch is written. */
export function pendingKeys(state: BatchState): PendingKeys {
  return Object.fromEntries(ENTITY_NAMES.map((n) => [n, state.tables[n].touched])) as PendingKeys;
}
