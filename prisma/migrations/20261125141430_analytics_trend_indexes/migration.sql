-- Covering indexes for caseTrends (graphql/analytics/trends): index-only scans of one category
-- nationally or within a state. The state index replaces (system, state_code, diagnosis_category,
-- week_start), of which it is a superset.

-- DropIndex
DROP INDEX "case_trend_weekly_system_state_code_diagnosis_category_week_idx";

-- CreateIndex
CREATE INDEX "case_trend_weekly_system_diagnosis_category_week_start_stat_idx" ON "case_trend_weekly"("system", "diagnosis_category", "week_start", "state_code", "district_code", "count");

-- CreateIndex
CREATE INDEX "case_trend_weekly_system_state_code_diagnosis_category_week_idx" ON "case_trend_weekly"("system", "state_code", "diagnosis_category", "week_start", "district_code", "count");
