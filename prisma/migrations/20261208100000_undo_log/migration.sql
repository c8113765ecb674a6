-- The undo log of reorgs (indexer/store/undo images, rollback.ts; docs/reorgs.md): the image of
-- each current-state row an event in an unfinalized block changed, as it was before. Only the
-- unfinalized window is kept: the indexer prunes it as finality moves.

-- CreateTable
CREATE TABLE "undo_log" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "table_name" TEXT NOT NULL,
    "key" JSON NOT NULL,
    "image" JSON,

    CONSTRAINT "undo_log_pkey" PRIMARY KEY ("block_number","log_index","seq")
);
