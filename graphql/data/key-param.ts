/**
 * The keys of a DataLoader batch as the first parameter of a prepared statement.
 *
 * PostgreSQL estimates an array parameter at 10 elements, so a statement over `unnest($1)` or
 * `= ANY($1)` sees its generic plan cost about ten times a custom plan for one key, and plans
 * again on every execution. One key (the hot path: one patient's history, one treatment) is
 * therefore a plain parameter: the statement then keeps one generic plan after its first five
 * runs (planning dominated the history statement's CPU: docs/benchmarks.md, bench:api).
 * Several keys stay an array (one statement per batch; planning is shared by the batch).
 */
export interface KeyParam {
  /** The value to bind as $1: the key itself, or the array of keys. */
  value: unknown;
  /** `= $1::type` or `= ANY($1::type[])`, to follow a column. */
  match: string;
  /** A one-column FROM item: `(VALUES ($1::type)) AS alias(column)` or `unnest($1::type[]) AS alias(column)`. */
  table(alias: string, column: string): string;
}

export function keyParam(keys: readonly unknown[], type: string): KeyParam {
  if (keys.length === 1) {
    return {
      value: keys[0],
      match: `= $1::${type}`,
      table: (alias, column) => `(VALUES ($1::${type})) AS ${alias}(${column})`,
    };
  }
  return {
    value: keys,
    match: `= ANY($1::${type}[])`,
    table: (alias, column) => `unnest($1::${type}[]) AS ${alias}(${column})`,
  };
}
