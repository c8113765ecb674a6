-- Nothing missing goes unseen: the contract numbers every event (seq), and the indexer checks
-- that the numbers it reads go on from the last one committed. NULL: not known (an index started
-- past the deployment on a node that cannot tell the count there); the next number is taken.
ALTER TABLE "indexer_state" ADD COLUMN "last_event_seq" BIGINT;

-- The last number at the end of each unfinalized block: where numbering resumes after a reorg.
ALTER TABLE "chain_block" ADD COLUMN "event_seq" BIGINT;
