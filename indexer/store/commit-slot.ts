/**
 * The one commit that runs while the next batch is prepared. `settle` waits for it and throws
 * its failure. `fail` is for an error of the work that ran alongside it: a commit that failed
 * meanwhile is the error to report (its failure clears the state cache the next batch was
 * folding onto, so that batch's error is only a consequence), and the commit is never left
 * running behind a restart.
 */
export interface CommitSlot {
  /** Holds a commit; the previous one must have been settled. */
  hold(commit: Promise<void>): void;
  settle(): Promise<void>;
  /** Waits for the held commit, then throws its failure if it failed, else `error`. */
  fail(error: unknown): Promise<never>;
}

/**
 * `onFailure` is told of a failed commit the moment it fails, not at the next settle (which, at
 * the head of an idle chain, may be a long time coming): the indexer reports it and stops
 * waiting for the next block.
 */
export function createCommitSlot(onFailure?: (error: unknown) => void): CommitSlot {
  let held: Promise<void> | null = null;
  const settle = async () => {
    const commit = held;
    held = null;
    await commit;
  };
  return {
    hold(commit) {
      if (held) throw new Error("a commit is already held: settle it first");
      // Its failure surfaces at settle() or fail() (and to onFailure at once), not as an
      // unhandled rejection.
      commit.catch((error: unknown) => onFailure?.(error));
      held = commit;
    },
    settle,
    async fail(error) {
      await settle();
      throw error;
    },
  };
}
