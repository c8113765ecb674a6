-- Storage that scales (issue 12 §6), part one (hashes, addresses and references stay text here;
-- a later migration turns them into bytea).
--
-- 1. No column repeats event_block: a block's hash and time live there once. event_record loses
--    block_hash and block_time; attachment, patient_history and access_history lose block_time.
--    The views event_log and vital_event (migration 20261203120000, replaced here) join
--    event_block for them.
-- 2. vital and event_record, the two tables that grow with every event, are partitioned by block
--    range (native declarative partitioning), with a BRIN index on block_number: a reorg deletes
--    above a block from the last partitions only, and old partitions can be moved or archived
--    whole. The indexer creates partitions ahead of the block it is writing
--    (ensure_block_partitions below, called from indexer/store/partitions.ts).
--    vital's primary key (block_number, log_index) goes: its unique index on (treatment_id,
--    block_number, log_index), the timeline's, identifies a row as well (one index less on the
--    largest table).
-- 3. treatment keeps the indexes a query uses (docs/storage.md has the plans): (patient_ref,
--    opened_at) for a patient's treatments and a doctor's patients, (hospital_id, opened_at) for a
--    hospital's, and for de-identified datasets (a range of days with a diagnosis filter)
--    (diagnosis_category, opened_at) and (opened_at, id). Dropped: (stage, opened_at), which no
--    query can use (they compare stage::text), and (diagnosis, opened_at), whose only use was a
--    worse plan for a search by code (ANDed with the hospital's index). A stage change then
--    updates no indexed column and can be a HOT update; every stage change used to write all six.

-- ------------------------------------------------------------------------------- the views, first

DROP VIEW "event_log";
DROP VIEW "vital_event";

-- ------------------------------------------------------------------------------- partitions

-- Creates the partitions of `parent` (partitioned by range of a block number) that rows of blocks
-- `from_block` to `upto` need, each `blocks` blocks wide: after the highest existing one, or from
-- `from_block` rounded down to a multiple of `blocks` when that is higher (a chain deployed at
-- block 20,000,000 gets no empty partitions below it). Returns the upper bound (exclusive) of the
-- highest partition. A partition is created as a plain table, then attached: attaching takes a
-- SHARE UPDATE EXCLUSIVE lock on the parent, which neither reads nor the indexer's writes wait
-- for (CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE). Two callers at once (two
-- indexers) take turns on a transaction-level advisory lock per parent.
CREATE FUNCTION "ensure_block_partitions"(parent regclass, from_block bigint, upto bigint, blocks bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  hi bigint;
  start bigint;
  part text;
BEGIN
  IF blocks < 1 THEN
    RAISE EXCEPTION 'ensure_block_partitions: blocks must be positive, got %', blocks;
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
    EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', parent, part, hi, hi + blocks);
    hi := hi + blocks;
  END LOOP;
  RETURN hi;
END;
$$;

-- ------------------------------------------------------------------------------- event_record

ALTER TABLE "event_record" RENAME TO "event_record_unpartitioned";
ALTER TABLE "event_record_unpartitioned" RENAME CONSTRAINT "event_record_pkey" TO "event_record_unpartitioned_pkey";
ALTER INDEX "event_record_treatment_id_block_number_log_index_idx" RENAME TO "event_record_unpartitioned_timeline_idx";

CREATE TABLE "event_record" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "name" "event_name" NOT NULL,
    "actor" TEXT,
    "treatment_id" BIGINT,
    "patient_ref" TEXT,
    "hospital_id" INTEGER,
    "account" TEXT,
    "args" JSON NOT NULL,

    CONSTRAINT "event_record_pkey" PRIMARY KEY ("block_number","log_index")
) PARTITION BY RANGE ("block_number");

CREATE INDEX "event_record_treatment_id_block_number_log_index_idx" ON "event_record"("treatment_id", "block_number", "log_index");
CREATE INDEX "event_record_block_number_idx" ON "event_record" USING BRIN ("block_number");

-- Partitions for the rows there are, or the first one.
SELECT "ensure_block_partitions"('event_record', coalesce(min("block_number"), 0), coalesce(max("block_number"), 0), 1000000)
  FROM "event_record_unpartitioned";

INSERT INTO "event_record" ("block_number", "log_index", "tx_hash", "name", "actor", "treatment_id", "patient_ref",
                            "hospital_id", "account", "args")
SELECT "block_number", "log_index", "tx_hash", "name", "actor", "treatment_id", "patient_ref", "hospital_id", "account", "args"
  FROM "event_record_unpartitioned";

-- Blocks whose events were indexed before event_block existed for all of them keep their hash
-- and time (every event row has its block there since 20261203120000; this is belt and braces).
INSERT INTO "event_block" ("number", "hash", "time")
SELECT DISTINCT ON ("block_number") "block_number", "block_hash", "block_time"
  FROM "event_record_unpartitioned"
 ORDER BY "block_number"
ON CONFLICT ("number") DO NOTHING;

DROP TABLE "event_record_unpartitioned";

-- ------------------------------------------------------------------------------- vital

ALTER TABLE "vital" RENAME TO "vital_unpartitioned";
ALTER TABLE "vital_unpartitioned" RENAME CONSTRAINT "vital_pkey" TO "vital_unpartitioned_pkey";
ALTER INDEX "vital_treatment_id_measured_at_idx" RENAME TO "vital_unpartitioned_measured_idx";
ALTER INDEX "vital_treatment_id_block_number_log_index_idx" RENAME TO "vital_unpartitioned_timeline_idx";

CREATE TABLE "vital" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "treatment_id" BIGINT NOT NULL,
    "patient_ref" TEXT NOT NULL,
    "recorder" TEXT NOT NULL,
    "measured_at" TIMESTAMPTZ(0) NOT NULL,
    "temperature_centi_c" SMALLINT,
    "systolic_mmhg" SMALLINT,
    "diastolic_mmhg" SMALLINT,
    "heart_rate_bpm" SMALLINT,
    "spo2_permille" SMALLINT
) PARTITION BY RANGE ("block_number");

CREATE UNIQUE INDEX "vital_treatment_id_block_number_log_index_key" ON "vital"("treatment_id", "block_number", "log_index");
CREATE INDEX "vital_treatment_id_measured_at_idx" ON "vital"("treatment_id", "measured_at");
CREATE INDEX "vital_block_number_idx" ON "vital" USING BRIN ("block_number");

SELECT "ensure_block_partitions"('vital', coalesce(min("block_number"), 0), coalesce(max("block_number"), 0), 1000000)
  FROM "vital_unpartitioned";

INSERT INTO "vital" ("block_number", "log_index", "tx_hash", "treatment_id", "patient_ref", "recorder", "measured_at",
                     "temperature_centi_c", "systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_permille")
SELECT "block_number", "log_index", "tx_hash", "treatment_id", "patient_ref", "recorder", "measured_at",
       "temperature_centi_c", "systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_permille"
  FROM "vital_unpartitioned";

DROP TABLE "vital_unpartitioned";

-- ------------------------------------------------------------------------------- block times kept once

ALTER TABLE "attachment" DROP COLUMN "block_time";
ALTER TABLE "patient_history" DROP COLUMN "block_time";
ALTER TABLE "access_history" DROP COLUMN "block_time";

-- ------------------------------------------------------------------------------- treatment indexes

DROP INDEX "treatment_stage_opened_at_idx";
DROP INDEX "treatment_diagnosis_opened_at_idx";

-- ------------------------------------------------------------------------------- the views, again

-- The VitalsRecorded events: a vital's args are its decoded fields, key for key (a reading not
-- taken is 0 on-chain and NULL in `vital`). Without block hash and time: join event_block.
CREATE VIEW "vital_event" AS
SELECT v."block_number", v."log_index", v."tx_hash", 'VitalsRecorded'::"event_name" AS "name", v."recorder" AS "actor",
       v."treatment_id", v."patient_ref", t."hospital_id", NULL::text AS "account",
       json_build_object(
         'treatmentId', v."treatment_id"::text,
         'recorder', v."recorder",
         'measuredAt', extract(epoch FROM v."measured_at")::bigint,
         'temperatureCentiC', coalesce(v."temperature_centi_c", 0),
         'systolicMmHg', coalesce(v."systolic_mmhg", 0),
         'diastolicMmHg', coalesce(v."diastolic_mmhg", 0),
         'heartRateBpm', coalesce(v."heart_rate_bpm", 0),
         'spo2Permille', coalesce(v."spo2_permille", 0)
       ) AS "args"
FROM "vital" v
LEFT JOIN "treatment" t ON t."id" = v."treatment_id";

-- Every event, in the columns event_log always had (its block's hash and time from event_block).
CREATE VIEW "event_log" AS
SELECT e."block_number", e."log_index", b."hash" AS "block_hash", e."tx_hash", b."time" AS "block_time", e."name",
       e."actor", e."treatment_id", e."patient_ref", e."hospital_id", e."account", e."args"
FROM (
  SELECT r."block_number", r."log_index", r."tx_hash", r."name", r."actor", r."treatment_id", r."patient_ref",
         r."hospital_id", r."account", r."args"
    FROM "event_record" r
  UNION ALL
  SELECT * FROM "vital_event"
) e
JOIN "event_block" b ON b."number" = e."block_number";
