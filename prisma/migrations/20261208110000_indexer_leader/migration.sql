-- Indexer failover: several indexer processes may run against one database; one leads, holding
-- a session-level advisory lock, the others wait. Each new leader moves `leader_epoch` on when it
-- opens the checkpoint, and every transaction that writes the read model starts with
-- indexer_fence(): a process whose epoch is over, or whose lock's session is gone, writes nothing.
ALTER TABLE "indexer_state" ADD COLUMN "leader_epoch" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "leader_name" TEXT,
ADD COLUMN "leader_since" TIMESTAMPTZ(3);

-- Locks the checkpoint row first, so a new leader's epoch bump and an old leader's batch never
-- interleave: whichever comes second waits for the first to commit, then sees it. Raises
-- SQLSTATE DT001 (the indexer's LeadershipLostError) when the caller no longer leads.
CREATE FUNCTION "indexer_fence"(epoch BIGINT, lock_pid INTEGER, lock_class INTEGER, lock_object INTEGER)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  current_epoch BIGINT;
BEGIN
  SELECT leader_epoch INTO current_epoch FROM indexer_state WHERE id = 1 FOR NO KEY UPDATE;
  IF current_epoch IS DISTINCT FROM epoch THEN
    RAISE EXCEPTION 'indexer epoch % is over: another indexer process leads (epoch %)', epoch, current_epoch
      USING ERRCODE = 'DT001';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND pid = lock_pid
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid::bigint = lock_class AND objid::bigint = lock_object AND objsubid = 2
  ) THEN
    RAISE EXCEPTION 'indexer epoch %: the session holding its leader lock (backend %) is gone', epoch, lock_pid
      USING ERRCODE = 'DT001';
  END IF;
END
$$;
