-- Boundaries the database enforces: the indexer and the API log in as different roles, and what
-- must be append-only is append-only by privilege (hand-written; Prisma models no roles or grants).
--
-- Three kinds of role:
--   * the migrating role (whoever applies these migrations: `doctel` in docker compose, the cluster's
--     superuser in the embedded stack and the tests) owns every table and schema, and is the only one
--     that may change or drop them. No serving process logs in as it.
--   * doctel_indexer (NOLOGIN group): reads and writes the chain-derived tables of schema `public`.
--     Nothing in schema `api`.
--   * doctel_api (NOLOGIN group): reads `public`; in schema `api` (its own tables) SELECT and INSERT,
--     and UPDATE/DELETE only where a table needs them (below, table by table). It owns nothing, so
--     it can neither alter nor drop a table, nor disable the append-only triggers.
-- Login users are made members of a group (docker/postgres-init/10-doctel-users.sh, the embedded
-- stack in cli/start/, the test harness); docs/operations.md lists them. Roles are cluster-wide:
-- as for doctel_reporting, a group is created here only when missing, so that an init script may
-- create it first and a migrating user without CREATEROLE still works.
--
-- Adding a table (the convention; test/graphql/roles.test.ts checks every table against it):
--   * chain-derived: schema `public` (`@@schema("public")`). Default privileges below give the
--     indexer SELECT/INSERT/UPDATE/DELETE and the API SELECT; nothing to write by hand.
--   * written by the API: schema `api` (`@@schema("api")`, `CREATE TABLE "api"."…"`). Default
--     privileges give the API SELECT and INSERT only. Grant UPDATE or DELETE in the same migration,
--     with a comment saying why, only if the table cannot be an append-only ledger; then add it to
--     API_TABLE_WRITES in shared/db/roles.ts.

-- ------------------------------------------------------------------------------- the groups

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_indexer') THEN
    CREATE ROLE doctel_indexer NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_api') THEN
    CREATE ROLE doctel_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;

-- ------------------------------------------------------------------------------- schema api

CREATE SCHEMA "api";
REVOKE ALL ON SCHEMA "api" FROM PUBLIC;

-- The API's tables move (with their indexes, constraints, sequences and triggers).
ALTER TYPE "audit_record_type" SET SCHEMA "api";
ALTER TABLE "auth_nonce" SET SCHEMA "api";
ALTER TABLE "api_session" SET SCHEMA "api";
ALTER TABLE "access_audit_log" SET SCHEMA "api";
ALTER TABLE "analytics_release" SET SCHEMA "api";
ALTER TABLE "analytics_dataset" SET SCHEMA "api";
ALTER TABLE "analytics_dataset_row" SET SCHEMA "api";
ALTER FUNCTION "access_audit_log_append_only"() SET SCHEMA "api";
ALTER FUNCTION "analytics_release_append_only"() SET SCHEMA "api";

-- ------------------------------------------------------------------------------- public: the indexer writes, the API reads

REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;
GRANT USAGE ON SCHEMA "public" TO doctel_indexer, doctel_api;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO doctel_indexer;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "public" TO doctel_indexer;
GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO doctel_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO doctel_indexer;
ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO doctel_indexer;
ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT ON TABLES TO doctel_api;

-- The migration history is the migrating role's: the others may only read it (prisma/migrate.ts
-- checks it, so that a process started after the migration finds nothing to do).
REVOKE ALL ON "_prisma_migrations" FROM doctel_indexer, doctel_api;
GRANT SELECT ON "_prisma_migrations" TO doctel_indexer, doctel_api;

-- ------------------------------------------------------------------------------- api: the API appends

GRANT USAGE ON SCHEMA "api" TO doctel_api;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "api" TO doctel_api;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA "api" TO doctel_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA "api" GRANT SELECT, INSERT ON TABLES TO doctel_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA "api" GRANT USAGE ON SEQUENCES TO doctel_api;

-- access_audit_log, analytics_release, analytics_dataset_row: SELECT and INSERT only (append-only by
-- privilege; the triggers stay as a second lock that even the owner must drop on purpose).

-- A nonce is consumed once (consumed_at, consumed_by) and deleted once expired.
GRANT UPDATE ("consumed_at", "consumed_by"), DELETE ON "api"."auth_nonce" TO doctel_api;
-- A session is revoked by signOut (revoked_at) and deleted once expired.
GRANT UPDATE ("revoked_at"), DELETE ON "api"."api_session" TO doctel_api;
-- A dataset's statistics are known only after its rows are inserted, in the same transaction
-- (graphql/analytics/datasets/build-dataset.ts).
GRANT UPDATE ("row_count", "suppressed_rows", "classes", "achieved_k", "min_class_rows",
  "min_distinct_diagnoses", "info_loss") ON "api"."analytics_dataset" TO doctel_api;
