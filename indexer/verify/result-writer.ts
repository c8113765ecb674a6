/**
 * Group commit for verification results: one write in flight at a time; results that arrive
 * meanwhile go together in the next statement. Idle, a result is written at once; busy, the
 * batches grow by themselves and the database sees a few statements instead of one per file.
 */
import {
  type Queryable,
  type RecordOptions,
  type RecordOutcome,
  type ResultToRecord,
  recordVerifications,
} from "./queue.ts";

export interface ResultWriter {
  /** Resolves once the result is written (or known to be fenced out). */
  write(entry: ResultToRecord): Promise<RecordOutcome>;
}

interface Waiting {
  entry: ResultToRecord;
  resolve: (outcome: RecordOutcome) => void;
  reject: (reason: unknown) => void;
}

export function createResultWriter(
  db: Queryable,
  options: RecordOptions & { maxBatch: number },
): ResultWriter {
  const pending: Waiting[] = [];
  let writing = false;

  const flush = async (): Promise<void> => {
    writing = true;
    try {
      while (pending.length > 0) {
        const batch = pending.splice(0, options.maxBatch);
        try {
          const outcomes = await recordVerifications(
            db,
            batch.map((w) => w.entry),
            options,
          );
          for (const [i, waiting] of batch.entries()) waiting.resolve(outcomes[i]!);
        } catch (err) {
          for (const waiting of batch) waiting.reject(err);
        }
      }
    } finally {
      writing = false;
    }
  };

  return {
    write(entry) {
      return new Promise<RecordOutcome>((resolve, reject) => {
        pending.push({ entry, resolve, reject });
        if (!writing) void flush();
      });
    },
  };
}
