-- De-identified datasets become releases (graphql/analytics/datasets): one anonymized, frozen
-- release per closed period, from which analysts select whole equivalence classes. The ad-hoc
-- datasets of 20261125123000_analytics go; they are dropped from whichever schema holds them
-- (the API's tables moved to schema "api" in 20261208120000_api_schema_roles; the new ones are created there).
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT schemaname, tablename FROM pg_tables
            WHERE tablename IN ('analytics_dataset_row', 'analytics_dataset') ORDER BY tablename DESC
  LOOP
    EXECUTE format('DROP TABLE %I.%I CASCADE', t.schemaname, t.tablename);
  END LOOP;
END $$;

-- CreateTable
CREATE TABLE "api"."dataset_release" (
    "id" UUID NOT NULL,
    "period_kind" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "cut_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "snapshot_block" BIGINT NOT NULL,
    "snapshot_hash" TEXT NOT NULL,
    "finalized_block" BIGINT NOT NULL,
    "k" INTEGER NOT NULL,
    "l" INTEGER NOT NULL,
    "levels" INTEGER[],
    "row_count" INTEGER NOT NULL,
    "class_count" INTEGER NOT NULL,
    "chapter_rows" INTEGER NOT NULL,
    "suppressed_rows_rounded" INTEGER NOT NULL,
    "rounding_base" INTEGER NOT NULL,
    "info_loss" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "dataset_release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api"."dataset_release_class" (
    "release_id" UUID NOT NULL,
    "class_no" INTEGER NOT NULL,
    "age_band" TEXT NOT NULL,
    "sex" TEXT NOT NULL,
    "state_code" SMALLINT,
    "district_code" SMALLINT,
    "period" TEXT NOT NULL,
    "first_seq" INTEGER NOT NULL,
    "rows" INTEGER NOT NULL,
    "diagnoses" INTEGER NOT NULL,
    "info_loss" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "dataset_release_class_pkey" PRIMARY KEY ("release_id","class_no")
);

-- CreateTable
CREATE TABLE "api"."dataset_release_row" (
    "release_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "class_no" INTEGER NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "age_band" TEXT NOT NULL,
    "sex" TEXT NOT NULL,
    "state_code" SMALLINT,
    "district_code" SMALLINT,
    "period" TEXT NOT NULL,
    "diagnosis" TEXT,
    "diagnosis_level" TEXT NOT NULL,
    "stage" "stage" NOT NULL,
    "length_of_stay_days" INTEGER,
    "vitals_count" INTEGER NOT NULL,
    "max_temperature_centi_c" SMALLINT,
    "min_spo2_permille" SMALLINT,
    "mean_heart_rate_bpm" DOUBLE PRECISION,
    "max_systolic_mmhg" SMALLINT,
    "max_diastolic_mmhg" SMALLINT,
    "verified_attachments" INTEGER NOT NULL,

    CONSTRAINT "dataset_release_row_pkey" PRIMARY KEY ("release_id","seq")
);

-- CreateTable
CREATE TABLE "api"."dataset_selection" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "release_id" UUID NOT NULL,
    "selection" JSONB NOT NULL,
    "class_nos" INTEGER[],
    "row_count" INTEGER NOT NULL,
    "class_count" INTEGER NOT NULL,
    "info_loss" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "dataset_selection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api"."dataset_export" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "viewer" TEXT NOT NULL,
    "dataset_id" UUID NOT NULL,
    "rows" INTEGER NOT NULL,

    CONSTRAINT "dataset_export_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dataset_release_period_start_key" ON "api"."dataset_release"("period_start");

-- CreateIndex
CREATE INDEX "dataset_selection_created_by_created_at_idx" ON "api"."dataset_selection"("created_by", "created_at" DESC);

-- CreateIndex
CREATE INDEX "dataset_export_viewer_at_idx" ON "api"."dataset_export"("viewer", "at" DESC);

-- AddForeignKey
ALTER TABLE "api"."dataset_release_class" ADD CONSTRAINT "dataset_release_class_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "api"."dataset_release"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api"."dataset_release_row" ADD CONSTRAINT "dataset_release_row_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "api"."dataset_release"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api"."dataset_selection" ADD CONSTRAINT "dataset_selection_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "api"."dataset_release"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api"."dataset_export" ADD CONSTRAINT "dataset_export_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "api"."dataset_selection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Append-only (hand-written; Prisma does not model triggers): a release is frozen once cut, and
-- the selection and export ledgers are what the per-account limits count. The trigger function is
-- the publications' (20261208130000_case_publications).

CREATE TRIGGER "dataset_release_no_update_delete" BEFORE UPDATE OR DELETE ON "api"."dataset_release"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_release_no_truncate" BEFORE TRUNCATE ON "api"."dataset_release"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_release_class_no_update_delete" BEFORE UPDATE OR DELETE ON "api"."dataset_release_class"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_release_class_no_truncate" BEFORE TRUNCATE ON "api"."dataset_release_class"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_release_row_no_update_delete" BEFORE UPDATE OR DELETE ON "api"."dataset_release_row"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_release_row_no_truncate" BEFORE TRUNCATE ON "api"."dataset_release_row"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_selection_no_update_delete" BEFORE UPDATE OR DELETE ON "api"."dataset_selection"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_selection_no_truncate" BEFORE TRUNCATE ON "api"."dataset_selection"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_export_no_update_delete" BEFORE UPDATE OR DELETE ON "api"."dataset_export"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "dataset_export_no_truncate" BEFORE TRUNCATE ON "api"."dataset_export"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
