-- CreateTable
CREATE TABLE "analytics_release" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request_id" TEXT NOT NULL,
    "viewer" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "mechanism" TEXT NOT NULL,
    "epsilon" DOUBLE PRECISION,
    "sensitivity" INTEGER,
    "cells" INTEGER NOT NULL,
    "suppressed_cells" INTEGER NOT NULL,

    CONSTRAINT "analytics_release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analytics_dataset" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "snapshot_block" BIGINT,
    "k" INTEGER NOT NULL,
    "levels" INTEGER[],
    "candidate_rows" INTEGER NOT NULL,
    "row_count" INTEGER NOT NULL,
    "suppressed_rows" INTEGER NOT NULL,
    "classes" INTEGER NOT NULL,
    "achieved_k" INTEGER,
    "min_class_rows" INTEGER,
    "min_distinct_diagnoses" INTEGER,
    "info_loss" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "analytics_dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analytics_dataset_row" (
    "dataset_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "age_band" TEXT NOT NULL,
    "sex" TEXT NOT NULL,
    "state_code" SMALLINT,
    "district_code" SMALLINT,
    "period" TEXT NOT NULL,
    "diagnosis" TEXT,
    "stage" "stage" NOT NULL,
    "length_of_stay_days" INTEGER,
    "vitals_count" INTEGER NOT NULL,
    "max_temperature_centi_c" SMALLINT,
    "min_spo2_permille" SMALLINT,
    "mean_heart_rate_bpm" DOUBLE PRECISION,
    "max_systolic_mmhg" SMALLINT,
    "max_diastolic_mmhg" SMALLINT,
    "verified_attachments" INTEGER NOT NULL,

    CONSTRAINT "analytics_dataset_row_pkey" PRIMARY KEY ("dataset_id","seq")
);

-- CreateIndex
CREATE INDEX "analytics_release_viewer_at_idx" ON "analytics_release"("viewer", "at" DESC);

-- CreateIndex
CREATE INDEX "analytics_release_at_idx" ON "analytics_release"("at" DESC);

-- CreateIndex
CREATE INDEX "analytics_dataset_created_by_created_at_idx" ON "analytics_dataset"("created_by", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "analytics_dataset_row" ADD CONSTRAINT "analytics_dataset_row_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "analytics_dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Append-only release log (hand-written; Prisma does not model triggers). It is the privacy
-- accounting of every release: epsilon spent and what was asked must not be rewritten afterwards.
CREATE FUNCTION "analytics_release_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'analytics_release is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "analytics_release_no_update_delete"
  BEFORE UPDATE OR DELETE ON "analytics_release"
  FOR EACH ROW EXECUTE FUNCTION "analytics_release_append_only"();

CREATE TRIGGER "analytics_release_no_truncate"
  BEFORE TRUNCATE ON "analytics_release"
  FOR EACH STATEMENT EXECUTE FUNCTION "analytics_release_append_only"();
