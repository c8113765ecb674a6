-- DropIndex
DROP INDEX "vital_patient_ref_measured_at_idx";
