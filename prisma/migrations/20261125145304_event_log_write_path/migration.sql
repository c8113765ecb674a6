-- DropIndex
DROP INDEX "event_log_account_block_number_log_index_idx";

-- DropIndex
DROP INDEX "event_log_hospital_id_block_number_log_index_idx";

-- DropIndex
DROP INDEX "event_log_patient_ref_block_number_log_index_idx";
