/**
 * The database roles DocTel's processes log in as (prisma/migrations/20261208120000_api_schema_roles
 * grants them; docs/operations.md explains them):
 *
 * | group              | login users (compose, embedded) | may                                                                  |
 * | ------------------ | ------------------------------- | -------------------------------------------------------------------- |
 * | (migrating role)   | `doctel` / the superuser        | own and migrate every schema and table; no serving process           |
 * | `doctel_indexer`   | `indexer` (indexer, verifiers)  | read and write schema `public` (chain-derived); nothing in `api`     |
 * | `doctel_api`       | `api`                           | read `public` but API_UNREAD_TABLES; SELECT, INSERT in `api`, below  |
 * | `doctel_reporting` | `grafana`                       | SELECT on the views of schema `reporting`, nothing else              |
 *
 * The indexer's group also runs ensure_block_partitions (partitions created ahead, as the function's
 * owner: the indexer may create no table) and indexer_fence(), and may create temporary tables
 * (reorg rollbacks); prisma/migrations/20261208121000_indexer_roles grants that. The verification
 * workers (`npm run verifier`, the indexer's own) log in as the indexer's login.
 *
 * Groups are NOLOGIN and fixed by name (the migrations grant to them); login users are members,
 * created by whoever runs the cluster: docker/postgres-init/10-doctel-users.sh, the embedded stack
 * (cli/start/), the test harness.
 */
import type pg from "pg";

export const DB_GROUPS = {
  indexer: "doctel_indexer",
  api: "doctel_api",
  reporting: "doctel_reporting",
} as const;

export type DbGroup = (typeof DB_GROUPS)[keyof typeof DB_GROUPS];

/**
 * The tables of schema `api` that the API may change after inserting a row, and why; every other
 * table there is append-only for the API (SELECT and INSERT). The migrations grant exactly this,
 * and test/graphql/roles.test.ts compares the database's grants with it.
 *
 * The publication job (graphql/analytics/publications), which runs in the API process, needs no
 * more than that: it appends a closed week with its cells (case_publication, case_publication_cell)
 * in one transaction and never changes them; noisy answers append to noisy_answer and
 * privacy_ledger. A run that fails rolls back; a published week stays as published.
 */
export const API_TABLE_WRITES: Readonly<
  Record<string, { update: readonly string[] | "all"; delete: boolean; why: string }>
> = {
  auth_nonce: {
    update: ["consumed_at", "consumed_by"],
    delete: true,
    why: "a nonce is consumed once, and deleted once expired",
  },
  api_session: {
    update: ["revoked_at"],
    delete: true,
    why: "signOut revokes a session; expired ones are deleted",
  },
  rate_limit_bucket: {
    update: "all",
    delete: true,
    why: "a token bucket is a counter updated in place; idle buckets are deleted",
  },
};

/**
 * The tables of schema `public` that the API does not read, and why: the indexer's bookkeeping,
 * not data the API serves. The migrations revoke the API's SELECT on exactly these, and
 * test/graphql/roles.test.ts compares the database's grants with it.
 */
export const API_UNREAD_TABLES: Readonly<Record<string, string>> = {
  undo_log: "before-images of rows changed in unfinalized blocks, kept for reorgs",
  verifier_instance: "the verification workers' registry (claims are fenced to an instance)",
};

/** Creates the NOLOGIN groups when missing (as the migrations do), so a later GRANT … TO finds them. */
export async function ensureGroups(client: pg.ClientBase): Promise<void> {
  for (const group of Object.values(DB_GROUPS)) {
    await client.query(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${group}') THEN
           CREATE ROLE ${group} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
         END IF;
       END $$`,
    );
  }
}

/**
 * Creates login `name` as a member of `group`, or resets its password and membership if it exists.
 * Needs CREATEROLE (the cluster's superuser in the embedded stack and the tests).
 */
export async function ensureLogin(
  client: pg.ClientBase,
  login: { name: string; password: string; group: DbGroup },
): Promise<void> {
  const name = client.escapeIdentifier(login.name);
  const password = client.escapeLiteral(login.password);
  const { rows } = await client.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [login.name]);
  if (rows.length === 0) {
    await client.query(
      `CREATE ROLE ${name} LOGIN PASSWORD ${password} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    );
  } else {
    await client.query(`ALTER ROLE ${name} LOGIN PASSWORD ${password}`);
  }
  await client.query(`GRANT ${client.escapeIdentifier(login.group)} TO ${name}`);
}

/** `url` with another user and password (same server and database). */
export function urlAsLogin(url: string, login: { name: string; password: string }): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(login.name);
  parsed.password = encodeURIComponent(login.password);
  return parsed.toString();
}
