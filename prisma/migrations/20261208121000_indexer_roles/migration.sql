-- The roles of 20261208120000_api_schema_roles for what the store (20261208100000-100200) and the
-- indexer's failover and verifier processes (20261208110000-110200) added: their tables are in
-- schema `public` and follow its convention (doctel_indexer reads and writes, doctel_api reads),
-- with these exceptions (hand-written; test/graphql/roles.test.ts checks them):

-- ------------------------------------------------------------------------------- partitions ahead

-- The indexer creates partitions of vital and event_record at run time (indexer/store/partitions.ts),
-- but it owns no table and may not create any (no CREATE on schema public): that would let it
-- alter or drop what it writes. ensure_block_partitions therefore runs as its owner, the migrating
-- role (SECURITY DEFINER, with a fixed search_path), and creates nothing but partitions of a
-- partitioned table of schema public. The partitions it creates belong to the migrating role, and
-- the default privileges of schema public grant them as every other table there.
CREATE OR REPLACE FUNCTION "ensure_block_partitions"(parent regclass, from_block bigint, upto bigint, blocks bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  hi bigint;
  start bigint;
  part text;
BEGIN
  IF blocks < 1 THEN
    RAISE EXCEPTION 'ensure_block_partitions: blocks must be positive, got %', blocks;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
     WHERE p.partrelid = parent AND c.relnamespace = 'public'::regnamespace
  ) THEN
    RAISE EXCEPTION 'ensure_block_partitions: % is not a partitioned table of schema public', parent
      USING ERRCODE = 'wrong_object_type';
  END IF;
  PERFORM pg_advisory_xact_lock(x'0D0C7E11'::integer, (parent::oid::bigint % 2147483648)::integer);
  SELECT max((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''?(-?\d+)''?\)'))[1]::bigint)
    INTO hi
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = parent;
  start := greatest(from_block, 0) - greatest(from_block, 0) % blocks;
  IF hi IS NULL OR hi < start THEN
    hi := start;
  END IF;
  WHILE hi <= upto LOOP
    part := format('%s_p%s', (SELECT relname FROM pg_class WHERE oid = parent), hi);
    EXECUTE format('CREATE TABLE public.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION public.%I FOR VALUES FROM (%s) TO (%s)', parent, part, hi, hi + blocks);
    hi := hi + blocks;
  END LOOP;
  RETURN hi;
END;
$$;

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
