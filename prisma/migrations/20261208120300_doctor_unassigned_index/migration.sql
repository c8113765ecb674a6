-- A doctor's access to a patient lasts until their assignment ends (DoctorUnassigned) or the
-- treatment closes, plus a grace period (DOCTOR_ACCESS_GRACE_HOURS, graphql/auth/policy.ts). The
-- unassignments of one doctor are found through this index; they are few, so it is small and
-- costs the indexer's bulk writes nothing for the other events (hand-written: a partial index).
CREATE INDEX "event_record_doctor_unassigned_idx" ON "event_record" ("account", "block_number")
  WHERE "name" = 'DoctorUnassigned';
