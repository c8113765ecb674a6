-- The roles of 20261208120000_api_schema_roles for what the store (20261208100000-100200) and the
-- indexer's failover and verifier processes (20261208110000-110200) added: their tables are in
-- schema `public` and follow its convention (doctel_indexer reads and writes, doctel_api reads),
-- with these exceptions (hand-written; test/graphql/roles.test.ts checks them):

-- ------------------------------------------------------------------------------- partitions ahead

-- The indexer creates partitions of vital and event_record at run time (indexer/store/partitions.ts),
-- but it owns no table and may not create any (no CREATE on schema public): that would let it
-- alter or drop what it writes. ensure_block_partitions (20261208100100_storage) therefore runs as
-- its owner, the migrating role, with a fixed search_path. It creates nothing that lasts but
-- partitions: each table it makes is attached to `parent` in the same statement, and anything
-- else (a table that is not partitioned, one the caller cannot name) fails and rolls it back. The
-- partitions belong to the migrating role, and the default privileges of schema public grant them
-- as every other table there.
ALTER FUNCTION "ensure_block_partitions"(regclass, bigint, bigint, bigint)
  SECURITY DEFINER SET search_path = public, pg_temp;

REVOKE ALL ON FUNCTION "ensure_block_partitions"(regclass, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "ensure_block_partitions"(regclass, bigint, bigint, bigint) TO doctel_indexer;

-- ------------------------------------------------------------------------------- the leader's fence

-- Only indexers fence their writes (every write transaction of the store starts with it).
REVOKE ALL ON FUNCTION "indexer_fence"(bigint, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "indexer_fence"(bigint, integer, integer, integer) TO doctel_indexer;

-- ------------------------------------------------------------------------------- reorg rollbacks

-- A rollback restores the undo log's images through a temporary table (indexer/store/rollback.ts).
-- The init script of docker compose revokes every database privilege from PUBLIC; the indexer's
-- group gets TEMPORARY back here (and nothing else: it still cannot create a table that lasts).
DO $$
BEGIN
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO doctel_indexer', current_database());
END
$$;

-- ------------------------------------------------------------------------------- what the API does not read

-- The undo log (before-images of rows, kept for reorgs) and the verification workers' registry
-- are the indexer's bookkeeping: the API serves neither (shared/db/roles.ts API_UNREAD_TABLES).
REVOKE SELECT ON "undo_log", "verifier_instance" FROM doctel_api;
