-- Verification claims fenced to a process instance: each verification worker registers an
-- instance and holds a session-level advisory lock on its id (pg_advisory_lock(0x446f6356, id))
-- for as long as it lives. A claim names its instance; a claim whose instance holds no lock
-- belongs to a dead worker and is taken over at once, not after its lease (deadline + 60 s).

-- One row per worker start (the indexer's in-process worker, each `npm run verifier` process).
CREATE TABLE "verifier_instance" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "verifier_instance_pkey" PRIMARY KEY ("id")
);

-- The instance whose worker has the row now (null when no worker has it).
ALTER TABLE "file_verification" ADD COLUMN "claimed_by" INTEGER;

CREATE INDEX "file_verification_claimed_by_idx" ON "file_verification"("claimed_by");
