/**
 * The PostgreSQL server of the API and analytics benchmarks: sized for a large dataset, and kept
 * in `dataDir` when given so the next run reuses the generated data (generation is most of the
 * time); a throwaway server otherwise.
 */
import path from "node:path";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
  startTemporaryPostgres,
} from "../../shared/services/postgres.ts";

const SETTINGS = {
  shared_buffers: "1GB",
  effective_cache_size: "4GB",
  work_mem: "16MB",
  max_wal_size: "4GB",
};

export function startBenchPostgres(dataDir: string | undefined): Promise<EmbeddedPostgres> {
  return dataDir
    ? startEmbeddedPostgres({
        dataDir: path.join(dataDir, "pg"),
        fsync: false,
        synchronousCommit: false,
        settings: SETTINGS,
      })
    : startTemporaryPostgres({ settings: SETTINGS });
}
