import type { Column } from "./bulk.ts";

/** Column lists shared by the reducer (row order), the writer and the rollback. */
/** event_record: every event but VitalsRecorded (those are rows of `vital`). */
export const EVENT_RECORD_COLUMNS = [
  "block_number",
  "log_index",
  "block_hash",
  "tx_hash",
  "block_time",
  "name",
  "actor",
  "treatment_id",
  "patient_ref",
  "hospital_id",
  "account",
  "args",
] as const;

export const VITAL_COLUMNS = [
  "block_number",
  "log_index",
  "tx_hash",
  "treatment_id",
  "patient_ref",
  "recorder",
  "measured_at",
  "temperature_centi_c",
  "systolic_mmhg",
  "diastolic_mmhg",
  "heart_rate_bpm",
  "spo2_permille",
] as const;

export const ATTACHMENT_COLUMNS = [
  "block_number",
  "log_index",
  "treatment_id",
  "kind",
  "cid",
  "actor",
  "block_time",
  "tx_hash",
] as const;

export const PATIENT_HISTORY_COLUMNS = [
  "block_number",
  "log_index",
  "patient_ref",
  "registration",
  "weight_grams",
  "height_cm",
  "sex",
  "blood_group",
  "birth_date",
  "state_code",
  "district_code",
  "hospital_id",
  "actor",
  "block_time",
  "tx_hash",
] as const;

export const ACCESS_HISTORY_COLUMNS = [
  "block_number",
  "log_index",
  "account",
  "action",
  "member_kind",
  "role",
  "role_id",
  "hospital_id",
  "actor",
  "block_time",
  "tx_hash",
] as const;

export const EVENT_BLOCK_COLUMNS: Column[] = [
  { name: "number", type: "bigint" },
  { name: "hash", type: "text" },
  { name: "time", type: "timestamptz" },
];

export const HOSPITAL_COLUMNS: Column[] = [
  { name: "id", type: "int" },
  { name: "name", type: "text" },
  { name: "state_code", type: "smallint" },
  { name: "district_code", type: "smallint" },
  { name: "registered_by", type: "text" },
  { name: "registered_at", type: "timestamptz" },
  { name: "registered_block", type: "bigint" },
  { name: "tx_hash", type: "text" },
];

export const MEMBER_COLUMNS: Column[] = [
  { name: "account", type: "text" },
  { name: "kind", type: "member_kind" },
  { name: "hospital_id", type: "int" },
  { name: "person_ref", type: "text" },
  { name: "specialty", type: "smallint" },
  { name: "device_patient_ref", type: "text" },
  { name: "active", type: "boolean" },
  { name: "registered_by", type: "text" },
  { name: "registered_at", type: "timestamptz" },
  { name: "registered_block", type: "bigint" },
  { name: "revoked_by", type: "text" },
  { name: "revoked_at", type: "timestamptz" },
  { name: "revoked_block", type: "bigint" },
];

export const ROLE_GRANT_COLUMNS: Column[] = [
  { name: "account", type: "text" },
  { name: "role", type: "global_role" },
  { name: "role_id", type: "text" },
  { name: "active", type: "boolean" },
  { name: "granted_by", type: "text" },
  { name: "granted_at", type: "timestamptz" },
  { name: "granted_block", type: "bigint" },
  { name: "revoked_by", type: "text" },
  { name: "revoked_at", type: "timestamptz" },
  { name: "revoked_block", type: "bigint" },
];

export const PATIENT_COLUMNS: Column[] = [
  { name: "ref", type: "text" },
  { name: "weight_grams", type: "int" },
  { name: "height_cm", type: "smallint" },
  { name: "sex", type: "sex" },
  { name: "blood_group", type: "blood_group" },
  { name: "birth_date", type: "date" },
  { name: "state_code", type: "smallint" },
  { name: "district_code", type: "smallint" },
  { name: "registered_hospital_id", type: "int" },
  { name: "registered_by", type: "text" },
  { name: "registered_at", type: "timestamptz" },
  { name: "registered_block", type: "bigint" },
  { name: "updated_at", type: "timestamptz" },
  { name: "updated_block", type: "bigint" },
  { name: "version", type: "int" },
];

export const TREATMENT_COLUMNS: Column[] = [
  { name: "id", type: "bigint" },
  { name: "patient_ref", type: "text" },
  { name: "hospital_id", type: "int" },
  { name: "stage", type: "stage" },
  { name: "diagnosis", type: "text" },
  { name: "diagnosis_category", type: "text" },
  { name: "diagnosis_chapter", type: "smallint" },
  { name: "diagnosed_by", type: "text" },
  { name: "diagnosed_at", type: "timestamptz" },
  { name: "opened_by", type: "text" },
  { name: "opened_at", type: "timestamptz" },
  { name: "opened_block", type: "bigint" },
  { name: "discharged_at", type: "timestamptz" },
  { name: "closed_at", type: "timestamptz" },
  { name: "updated_at", type: "timestamptz" },
  { name: "updated_block", type: "bigint" },
  { name: "patient_sex", type: "sex" },
  { name: "patient_age_band", type: "text" },
  { name: "patient_age_years", type: "smallint" },
  { name: "patient_state", type: "smallint" },
  { name: "patient_district", type: "smallint" },
];

export const TREATMENT_DOCTOR_COLUMNS: Column[] = [
  { name: "treatment_id", type: "bigint" },
  { name: "doctor", type: "text" },
  { name: "assigned_by", type: "text" },
  { name: "assigned_at", type: "timestamptz" },
  { name: "assigned_block", type: "bigint" },
];

export const CASE_DAILY_COLUMNS: Column[] = [
  { name: "day", type: "date" },
  { name: "diagnosis", type: "text" },
  { name: "diagnosis_category", type: "text" },
  { name: "diagnosis_chapter", type: "smallint" },
  { name: "state_code", type: "smallint" },
  { name: "district_code", type: "smallint" },
  { name: "age_band", type: "text" },
  { name: "sex", type: "sex" },
  { name: "hospital_id", type: "int" },
  { name: "count", type: "int" },
];

export const CASE_TREND_COLUMNS: Column[] = [
  { name: "system", type: "week_system" },
  { name: "week_start", type: "date" },
  { name: "diagnosis_category", type: "text" },
  { name: "state_code", type: "smallint" },
  { name: "district_code", type: "smallint" },
  { name: "count", type: "int" },
];
