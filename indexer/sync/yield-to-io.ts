/**
 * Lets pending I/O run (socket writes to PostgreSQL, responses from the node) in the middle of a
 * long synchronous loop: a batch's COPY must not wait for the next batch to finish decoding.
 */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Items processed between two yields in the indexer's per-event loops. */
export const YIELD_EVERY = 128;
