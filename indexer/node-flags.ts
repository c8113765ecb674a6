/**
 * V8 flags the indexer process runs with (npm run indexer, docker-compose.yml, the benchmark).
 *
 * - A small young generation (8 MB semi-spaces): decoded events die young, and RSS stays low.
 * - An old generation that starts at 64 MB instead of growing from a few: V8 otherwise sizes it
 *   from the ~20 MB that survive each full collection and ran one every 50-250 ms of backfill
 *   (about 150 in a 1M-event backfill, a third of the indexer's CPU); with it, about 40.
 * - A 256 MB ceiling: the heap of a backfill stays near 60 MB; peak RSS stays under 350 MB.
 */
export const INDEXER_NODE_FLAGS = [
  "--max-old-space-size=256",
  "--max-semi-space-size=8",
  "--initial-old-space-size=64",
] as const;
