import { describe, expect, it } from "vitest";
import { MissingEntityError } from "../../indexer/errors.ts";
import { createCommitSlot } from "../../indexer/store/commit-slot.ts";
import { DatabaseUnavailableError } from "../../shared/errors.ts";

/** Settles after `ms` with what `fn` returns or throws. */
const later = <T>(ms: number, fn: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    }, ms),
  );

describe("the commit that runs while the next batch is prepared", () => {
  it("is the error reported when it failed, not the next batch's error that its failure caused", async () => {
    const slot = createCommitSlot();
    slot.hold(
      later(20, () => {
        throw new DatabaseUnavailableError("batch write failed: blocks 10-12");
      }),
    );
    // The failed commit cleared the state cache under the next batch's fold.
    const fold = new MissingEntityError("treatment 7 was never opened");
    await expect(slot.fail(fold)).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });

  it("is waited for before the other error is reported, so no commit runs behind a restart", async () => {
    const slot = createCommitSlot();
    let committed = false;
    slot.hold(
      later(20, () => {
        committed = true;
      }),
    );
    const rpc = new Error("eth_getLogs failed");
    await expect(slot.fail(rpc)).rejects.toBe(rpc);
    expect(committed).toBe(true);
  });

  it("throws a failed commit once, at settle, and is empty afterwards", async () => {
    const slot = createCommitSlot();
    slot.hold(Promise.reject(new DatabaseUnavailableError("batch write failed")));
    await expect(slot.settle()).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(slot.settle()).resolves.toBeUndefined();
    slot.hold(Promise.resolve());
    await slot.settle();
  });

  it("refuses a second commit while one is held: batches commit one at a time, in order", () => {
    const slot = createCommitSlot();
    slot.hold(new Promise(() => {}));
    expect(() => slot.hold(Promise.resolve())).toThrow(/already held/);
  });

  it("tells onFailure of a failed commit the moment it fails, before anyone settles it", async () => {
    const seen: unknown[] = [];
    const slot = createCommitSlot((error) => seen.push(error));
    const failure = new DatabaseUnavailableError("writing blocks 10-12: database unavailable");
    let fail!: (e: unknown) => void;
    slot.hold(new Promise<void>((_resolve, reject) => (fail = reject)));
    expect(seen).toEqual([]);
    fail(failure);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([failure]);
    await expect(slot.settle()).rejects.toBe(failure);
  });
});
