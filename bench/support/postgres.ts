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

/**
 * Sized for this machine (24 GiB) as a production server would be: a quarter of memory for
 * shared buffers holds the clinical tables and their indexes (about 1.3 GB at 1M treatments),
 * so a warm API reads no page from the kernel.
 */
const SETTINGS = {
  shared_buffers: "6GB",
  effective_cache_size: "16GB",
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
