-- DropIndex
DROP INDEX "analytics_release_viewer_at_idx";

-- CreateIndex
CREATE INDEX "analytics_release_viewer_epsilon_at_idx" ON "analytics_release"("viewer", "epsilon", "at");
