-- CreateTable
CREATE TABLE "api"."case_publication" (
    "id" SERIAL NOT NULL,
    "system" "public"."week_system" NOT NULL,
    "level" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "first_day" DATE NOT NULL,
    "last_day" DATE NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "indexed_through" TIMESTAMPTZ(0),
    "cells" INTEGER NOT NULL,
    "suppressed_cells" INTEGER NOT NULL,
    "audit" JSONB,

    CONSTRAINT "case_publication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api"."case_publication_cell" (
    "publication_id" INTEGER NOT NULL,
    "level" TEXT NOT NULL,
    "first_day" DATE NOT NULL,
    "region" TEXT NOT NULL,
    "diagnosis" TEXT NOT NULL,
    "age" TEXT NOT NULL,
    "sex" TEXT NOT NULL,
    "count" INTEGER,

    CONSTRAINT "case_publication_cell_pkey" PRIMARY KEY ("level","region","diagnosis","age","sex","first_day")
);

-- CreateTable
CREATE TABLE "api"."noisy_answer" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "question" JSONB NOT NULL,
    "answer" JSONB NOT NULL,
    "epsilon" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,

    CONSTRAINT "noisy_answer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api"."privacy_ledger" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "viewer" TEXT NOT NULL,
    "answer_id" UUID NOT NULL,
    "week_start" DATE NOT NULL,
    "epsilon" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "privacy_ledger_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "case_publication_system_level_first_day_key" ON "api"."case_publication"("system", "level", "first_day");

-- CreateIndex
CREATE INDEX "case_publication_cell_publication_id_idx" ON "api"."case_publication_cell"("publication_id");

-- CreateIndex
CREATE UNIQUE INDEX "noisy_answer_key_key" ON "api"."noisy_answer"("key");

-- CreateIndex
CREATE INDEX "privacy_ledger_week_start_idx" ON "api"."privacy_ledger"("week_start");

-- CreateIndex
CREATE INDEX "privacy_ledger_viewer_week_start_idx" ON "api"."privacy_ledger"("viewer", "week_start");

-- Append-only (hand-written; Prisma does not model triggers): a published week is frozen, a stored
-- noisy answer is the answer forever, and the privacy ledger is the accounting of every epsilon
-- spent. All four are in schema "api": the API writes them (the publication job runs in the API
-- process) with the default privileges of 20261208120000_api_schema_roles, SELECT and INSERT,
-- never UPDATE or DELETE; these triggers are a second lock that even the owner must drop on purpose.
-- "api"."append_only"() serves every append-only table of schema api that comes after it.
CREATE FUNCTION "api"."append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "case_publication_append_only" BEFORE UPDATE OR DELETE ON "api"."case_publication"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "case_publication_no_truncate" BEFORE TRUNCATE ON "api"."case_publication"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "case_publication_cell_append_only" BEFORE UPDATE OR DELETE ON "api"."case_publication_cell"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "case_publication_cell_no_truncate" BEFORE TRUNCATE ON "api"."case_publication_cell"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "noisy_answer_append_only" BEFORE UPDATE OR DELETE ON "api"."noisy_answer"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "noisy_answer_no_truncate" BEFORE TRUNCATE ON "api"."noisy_answer"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "privacy_ledger_append_only" BEFORE UPDATE OR DELETE ON "api"."privacy_ledger"
  FOR EACH ROW EXECUTE FUNCTION "api"."append_only"();
CREATE TRIGGER "privacy_ledger_no_truncate" BEFORE TRUNCATE ON "api"."privacy_ledger"
  FOR EACH STATEMENT EXECUTE FUNCTION "api"."append_only"();
