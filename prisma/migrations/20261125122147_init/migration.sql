-- CreateEnum
CREATE TYPE "event_name" AS ENUM ('HospitalRegistered', 'StaffRegistered', 'DoctorRegistered', 'DeviceRegistered', 'MemberRevoked', 'PatientRegistered', 'PatientUpdated', 'TreatmentOpened', 'DoctorAssigned', 'DoctorUnassigned', 'DiagnosisRecorded', 'FileAttached', 'StageAdvanced', 'VitalsRecorded', 'RoleGranted', 'RoleRevoked', 'RoleAdminChanged', 'DefaultAdminTransferScheduled', 'DefaultAdminTransferCanceled', 'DefaultAdminDelayChangeScheduled', 'DefaultAdminDelayChangeCanceled');

-- CreateEnum
CREATE TYPE "member_kind" AS ENUM ('STAFF', 'DOCTOR', 'DEVICE');

-- CreateEnum
CREATE TYPE "global_role" AS ENUM ('GOVERNANCE', 'ANALYST', 'PUBLIC_HEALTH', 'AUDITOR', 'OTHER');

-- CreateEnum
CREATE TYPE "access_action" AS ENUM ('GRANTED', 'REVOKED');

-- CreateEnum
CREATE TYPE "sex" AS ENUM ('UNKNOWN', 'FEMALE', 'MALE', 'OTHER');

-- CreateEnum
CREATE TYPE "blood_group" AS ENUM ('UNKNOWN', 'A_POS', 'A_NEG', 'B_POS', 'B_NEG', 'AB_POS', 'AB_NEG', 'O_POS', 'O_NEG');

-- CreateEnum
CREATE TYPE "stage" AS ENUM ('ADMITTED', 'DIAGNOSED', 'IN_TREATMENT', 'DISCHARGED', 'CLOSED');

-- CreateEnum
CREATE TYPE "file_kind" AS ENUM ('PRESCRIPTION', 'LAB_REPORT', 'IMAGING', 'DISCHARGE_SUMMARY', 'OTHER');

-- CreateEnum
CREATE TYPE "verification_status" AS ENUM ('PENDING', 'VERIFIED', 'INVALID', 'UNAVAILABLE');

-- CreateEnum
CREATE TYPE "week_system" AS ENUM ('ISO', 'MMWR');

-- CreateTable
CREATE TABLE "indexer_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "chain_id" INTEGER NOT NULL,
    "contract_address" TEXT NOT NULL,
    "deploy_block" BIGINT NOT NULL,
    "indexed_block" BIGINT NOT NULL,
    "indexed_block_hash" TEXT NOT NULL,
    "finalized_block" BIGINT NOT NULL,
    "head_block" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "indexer_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chain_block" (
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parent_hash" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(0) NOT NULL,

    CONSTRAINT "chain_block_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "event_log" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "block_hash" TEXT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "block_time" TIMESTAMPTZ(0) NOT NULL,
    "name" "event_name" NOT NULL,
    "actor" TEXT,
    "treatment_id" BIGINT,
    "patient_ref" TEXT,
    "hospital_id" INTEGER,
    "account" TEXT,
    "args" JSONB NOT NULL,

    CONSTRAINT "event_log_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "hospital" (
    "id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "state_code" SMALLINT NOT NULL,
    "district_code" SMALLINT NOT NULL,
    "registered_by" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(0) NOT NULL,
    "registered_block" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,

    CONSTRAINT "hospital_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member" (
    "account" TEXT NOT NULL,
    "kind" "member_kind" NOT NULL,
    "hospital_id" INTEGER NOT NULL,
    "person_ref" TEXT,
    "specialty" SMALLINT,
    "device_patient_ref" TEXT,
    "active" BOOLEAN NOT NULL,
    "registered_by" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(0) NOT NULL,
    "registered_block" BIGINT NOT NULL,
    "revoked_by" TEXT,
    "revoked_at" TIMESTAMPTZ(0),
    "revoked_block" BIGINT,

    CONSTRAINT "member_pkey" PRIMARY KEY ("account")
);

-- CreateTable
CREATE TABLE "role_grant" (
    "account" TEXT NOT NULL,
    "role" "global_role" NOT NULL,
    "role_id" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL,
    "granted_by" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(0) NOT NULL,
    "granted_block" BIGINT NOT NULL,
    "revoked_by" TEXT,
    "revoked_at" TIMESTAMPTZ(0),
    "revoked_block" BIGINT,

    CONSTRAINT "role_grant_pkey" PRIMARY KEY ("account","role_id")
);

-- CreateTable
CREATE TABLE "access_history" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "account" TEXT NOT NULL,
    "action" "access_action" NOT NULL,
    "member_kind" "member_kind",
    "role" "global_role",
    "role_id" TEXT,
    "hospital_id" INTEGER,
    "actor" TEXT NOT NULL,
    "block_time" TIMESTAMPTZ(0) NOT NULL,
    "tx_hash" TEXT NOT NULL,

    CONSTRAINT "access_history_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "patient" (
    "ref" TEXT NOT NULL,
    "weight_grams" INTEGER NOT NULL,
    "height_cm" SMALLINT NOT NULL,
    "sex" "sex" NOT NULL,
    "blood_group" "blood_group" NOT NULL,
    "birth_date" DATE NOT NULL,
    "state_code" SMALLINT NOT NULL,
    "district_code" SMALLINT NOT NULL,
    "registered_hospital_id" INTEGER NOT NULL,
    "registered_by" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(0) NOT NULL,
    "registered_block" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(0) NOT NULL,
    "updated_block" BIGINT NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "patient_pkey" PRIMARY KEY ("ref")
);

-- CreateTable
CREATE TABLE "patient_history" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "patient_ref" TEXT NOT NULL,
    "registration" BOOLEAN NOT NULL,
    "weight_grams" INTEGER NOT NULL,
    "height_cm" SMALLINT NOT NULL,
    "sex" "sex" NOT NULL,
    "blood_group" "blood_group" NOT NULL,
    "birth_date" DATE NOT NULL,
    "state_code" SMALLINT NOT NULL,
    "district_code" SMALLINT NOT NULL,
    "hospital_id" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "block_time" TIMESTAMPTZ(0) NOT NULL,
    "tx_hash" TEXT NOT NULL,

    CONSTRAINT "patient_history_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "treatment" (
    "id" BIGINT NOT NULL,
    "patient_ref" TEXT NOT NULL,
    "hospital_id" INTEGER NOT NULL,
    "stage" "stage" NOT NULL,
    "diagnosis" TEXT,
    "diagnosis_category" TEXT,
    "diagnosis_chapter" SMALLINT,
    "diagnosed_by" TEXT,
    "diagnosed_at" TIMESTAMPTZ(0),
    "opened_by" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(0) NOT NULL,
    "opened_block" BIGINT NOT NULL,
    "discharged_at" TIMESTAMPTZ(0),
    "closed_at" TIMESTAMPTZ(0),
    "updated_at" TIMESTAMPTZ(0) NOT NULL,
    "updated_block" BIGINT NOT NULL,
    "patient_sex" "sex" NOT NULL,
    "patient_age_band" TEXT NOT NULL,
    "patient_age_years" SMALLINT NOT NULL,
    "patient_state" SMALLINT NOT NULL,
    "patient_district" SMALLINT NOT NULL,

    CONSTRAINT "treatment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "treatment_doctor" (
    "treatment_id" BIGINT NOT NULL,
    "doctor" TEXT NOT NULL,
    "assigned_by" TEXT NOT NULL,
    "assigned_at" TIMESTAMPTZ(0) NOT NULL,
    "assigned_block" BIGINT NOT NULL,

    CONSTRAINT "treatment_doctor_pkey" PRIMARY KEY ("treatment_id","doctor")
);

-- CreateTable
CREATE TABLE "attachment" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "treatment_id" BIGINT NOT NULL,
    "kind" "file_kind" NOT NULL,
    "cid" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "block_time" TIMESTAMPTZ(0) NOT NULL,
    "tx_hash" TEXT NOT NULL,

    CONSTRAINT "attachment_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "file_verification" (
    "cid" TEXT NOT NULL,
    "status" "verification_status" NOT NULL DEFAULT 'PENDING',
    "size_bytes" BIGINT,
    "content_type" TEXT,
    "blocks" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verified_at" TIMESTAMPTZ(3),

    CONSTRAINT "file_verification_pkey" PRIMARY KEY ("cid")
);

-- CreateTable
CREATE TABLE "vital" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "treatment_id" BIGINT NOT NULL,
    "patient_ref" TEXT NOT NULL,
    "recorder" TEXT NOT NULL,
    "measured_at" TIMESTAMPTZ(0) NOT NULL,
    "temperature_centi_c" SMALLINT,
    "systolic_mmhg" SMALLINT,
    "diastolic_mmhg" SMALLINT,
    "heart_rate_bpm" SMALLINT,
    "spo2_permille" SMALLINT,

    CONSTRAINT "vital_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "case_count_daily" (
    "day" DATE NOT NULL,
    "diagnosis" TEXT NOT NULL,
    "diagnosis_category" TEXT NOT NULL,
    "diagnosis_chapter" SMALLINT NOT NULL,
    "state_code" SMALLINT NOT NULL,
    "district_code" SMALLINT NOT NULL,
    "age_band" TEXT NOT NULL,
    "sex" "sex" NOT NULL,
    "hospital_id" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "case_count_daily_pkey" PRIMARY KEY ("day","diagnosis","state_code","district_code","age_band","sex","hospital_id")
);

-- CreateTable
CREATE TABLE "case_trend_weekly" (
    "system" "week_system" NOT NULL,
    "week_start" DATE NOT NULL,
    "diagnosis_category" TEXT NOT NULL,
    "state_code" SMALLINT NOT NULL,
    "district_code" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "case_trend_weekly_pkey" PRIMARY KEY ("system","diagnosis_category","state_code","district_code","week_start")
);

-- CreateIndex
CREATE INDEX "event_log_treatment_id_block_number_log_index_idx" ON "event_log"("treatment_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "event_log_patient_ref_block_number_log_index_idx" ON "event_log"("patient_ref", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "event_log_account_block_number_log_index_idx" ON "event_log"("account", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "event_log_hospital_id_block_number_log_index_idx" ON "event_log"("hospital_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "hospital_state_code_district_code_idx" ON "hospital"("state_code", "district_code");

-- CreateIndex
CREATE INDEX "member_hospital_id_kind_active_idx" ON "member"("hospital_id", "kind", "active");

-- CreateIndex
CREATE INDEX "member_kind_specialty_active_idx" ON "member"("kind", "specialty", "active");

-- CreateIndex
CREATE INDEX "member_person_ref_idx" ON "member"("person_ref");

-- CreateIndex
CREATE INDEX "member_device_patient_ref_idx" ON "member"("device_patient_ref");

-- CreateIndex
CREATE INDEX "role_grant_role_active_idx" ON "role_grant"("role", "active");

-- CreateIndex
CREATE INDEX "access_history_account_block_number_idx" ON "access_history"("account", "block_number");

-- CreateIndex
CREATE INDEX "patient_state_code_district_code_idx" ON "patient"("state_code", "district_code");

-- CreateIndex
CREATE INDEX "patient_history_patient_ref_block_number_log_index_idx" ON "patient_history"("patient_ref", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "treatment_patient_ref_opened_at_idx" ON "treatment"("patient_ref", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "treatment_hospital_id_opened_at_idx" ON "treatment"("hospital_id", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "treatment_stage_opened_at_idx" ON "treatment"("stage", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "treatment_diagnosis_category_opened_at_idx" ON "treatment"("diagnosis_category", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "treatment_diagnosis_opened_at_idx" ON "treatment"("diagnosis", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "treatment_opened_at_id_idx" ON "treatment"("opened_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "treatment_doctor_doctor_treatment_id_idx" ON "treatment_doctor"("doctor", "treatment_id");

-- CreateIndex
CREATE INDEX "attachment_treatment_id_block_number_log_index_idx" ON "attachment"("treatment_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "attachment_cid_idx" ON "attachment"("cid");

-- CreateIndex
CREATE INDEX "file_verification_status_next_attempt_at_idx" ON "file_verification"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "vital_patient_ref_measured_at_idx" ON "vital"("patient_ref", "measured_at");

-- CreateIndex
CREATE INDEX "vital_treatment_id_measured_at_idx" ON "vital"("treatment_id", "measured_at");

-- CreateIndex
CREATE INDEX "case_count_daily_diagnosis_category_day_idx" ON "case_count_daily"("diagnosis_category", "day");

-- CreateIndex
CREATE INDEX "case_count_daily_state_code_district_code_day_idx" ON "case_count_daily"("state_code", "district_code", "day");

-- CreateIndex
CREATE INDEX "case_trend_weekly_system_state_code_diagnosis_category_week_idx" ON "case_trend_weekly"("system", "state_code", "diagnosis_category", "week_start");

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_hospital_id_fkey" FOREIGN KEY ("hospital_id") REFERENCES "hospital"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_history" ADD CONSTRAINT "patient_history_patient_ref_fkey" FOREIGN KEY ("patient_ref") REFERENCES "patient"("ref") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "treatment" ADD CONSTRAINT "treatment_patient_ref_fkey" FOREIGN KEY ("patient_ref") REFERENCES "patient"("ref") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "treatment" ADD CONSTRAINT "treatment_hospital_id_fkey" FOREIGN KEY ("hospital_id") REFERENCES "hospital"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "treatment_doctor" ADD CONSTRAINT "treatment_doctor_treatment_id_fkey" FOREIGN KEY ("treatment_id") REFERENCES "treatment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_treatment_id_fkey" FOREIGN KEY ("treatment_id") REFERENCES "treatment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_cid_fkey" FOREIGN KEY ("cid") REFERENCES "file_verification"("cid") ON DELETE RESTRICT ON UPDATE CASCADE;
