/**
 * V8 flags the indexer process runs with (npm run indexer, docker-compose.yml, the benchmark).
 *
 * - A small young generation (8 MB semi-spaces): decoded events die young, and RSS stays low.
 * - An old generation that starts at 64 MB instead of growing from a few: fewer full collections
 *   during backfill (measured: docs/benchmarks.md, bench:indexer).
 * - A 256 MB ceiling, well above a backfill's heap.
 */
export const INDEXER_NODE_FLAGS = [
  "--max-old-space-size=256",
  "--max-semi-space-size=8",
  "--initial-old-space-size=64",
] as const;
