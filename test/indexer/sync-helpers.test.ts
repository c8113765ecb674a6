import { describe, expect, it } from "vitest";
import { ReorgPastFinalityError } from "../../indexer/errors.ts";
import type { BlockRef } from "../../indexer/rpc/types.ts";
import { createAdaptiveRange } from "../../indexer/sync/adaptive-range.ts";
import { createBlockWindow } from "../../indexer/sync/block-window.ts";
import { findCommonAncestor } from "../../indexer/sync/find-common-ancestor.ts";
import { prefetch } from "../../indexer/sync/prefetch.ts";

const block = (n: number, fork = "a"): BlockRef => ({
  number: BigInt(n),
  hash: `0x${fork}${n.toString(16).padStart(63, "0")}` as `0x${string}`,
  parentHash: `0x${fork}${(n - 1).toString(16).padStart(63, "0")}` as `0x${string}`,
  timestamp: n,
});

describe("the adaptive eth_getLogs range", () => {
  it("doubles while full ranges return few logs, so sparse history is read in few requests", () => {
    const r = createAdaptiveRange({ initial: 100, min: 1, max: 1000, targetLogs: 1000 });
    r.succeeded(100, 10);
    expect(r.size).toBe(200);
    r.succeeded(200, 10);
    r.succeeded(400, 10);
    r.succeeded(800, 10);
    expect(r.size).toBe(1000);
  });

  it("does not grow on a short tail range, which says nothing about density", () => {
    const r = createAdaptiveRange({ initial: 100, min: 1, max: 1000, targetLogs: 1000 });
    r.succeeded(3, 0);
    expect(r.size).toBe(100);
  });

  it("halves on a refusal, takes a provider's suggestion, and reports when it cannot shrink further", () => {
    const r = createAdaptiveRange({ initial: 8, min: 1, max: 1000, targetLogs: 1000 });
    expect(r.shrink(8)).toBe(true);
    expect(r.size).toBe(4);
    expect(r.shrink(4, 1)).toBe(true);
    expect(r.size).toBe(1);
    expect(r.shrink(1)).toBe(false);
  });

  it("halves the span that was refused, not its nominal size, when the head cut the request short", () => {
    const r = createAdaptiveRange({ initial: 64, min: 1, max: 1000, targetLogs: 1000 });
    expect(r.shrink(26)).toBe(true);
    expect(r.size).toBe(13);
  });

  it("shrinks after a dense range so responses stay near the target size", () => {
    const r = createAdaptiveRange({ initial: 100, min: 1, max: 1000, targetLogs: 1000 });
    r.succeeded(100, 5000);
    expect(r.size).toBe(50);
  });
});

describe("finding the common ancestor of a reorg", () => {
  it("walks parent hashes back to the first block that is still canonical", async () => {
    const window = createBlockWindow([1, 2, 3, 4, 5].map((n) => block(n)));
    const canonical = (n: bigint) => Promise.resolve(n <= 3n ? block(Number(n)) : block(Number(n), "b"));
    const ancestor = await findCommonAncestor({ window, from: 5n, finalized: 1n, canonicalAt: canonical });
    expect(ancestor.number).toBe(3n);
  });

  it("fails loudly when the reorg reaches the finalized block, because final data cannot be undone", async () => {
    const window = createBlockWindow([1, 2, 3].map((n) => block(n)));
    const canonical = (n: bigint) => Promise.resolve(block(Number(n), "b"));
    await expect(
      findCommonAncestor({ window, from: 3n, finalized: 2n, canonicalAt: canonical }),
    ).rejects.toThrow(ReorgPastFinalityError);
    await expect(
      findCommonAncestor({ window, from: 3n, finalized: 2n, canonicalAt: canonical }),
    ).rejects.toThrow(/block 2 was 0xa0+2 and is now 0xb0+2/);
  });

  it("fails loudly when the chain now ends below the finalized block", async () => {
    const window = createBlockWindow([4, 5].map((n) => block(n)));
    const canonical = (n: bigint) => Promise.resolve(block(Number(n), "b"));
    await expect(
      findCommonAncestor({ window, from: 3n, finalized: 4n, canonicalAt: canonical }),
    ).rejects.toThrow("reorg past finality: block 4 was final, but the chain now ends at block 3");
  });

  it("fails loudly when the reorg goes below the blocks the indexer kept", async () => {
    const window = createBlockWindow([4, 5].map((n) => block(n)));
    const canonical = (n: bigint) => Promise.resolve(block(Number(n), "b"));
    await expect(
      findCommonAncestor({ window, from: 5n, finalized: 0n, canonicalAt: canonical }),
    ).rejects.toThrow(/reaches block 3, below the 2 recent blocks/);
  });
});

describe("prefetching a generator", () => {
  it("yields every item in order while running at most `depth` items ahead", async () => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < 20; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const v of prefetch(source(), 3)) {
      await new Promise((r) => setTimeout(r, 1));
      consumed++;
      seen.push(v);
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it("surfaces a producer error at the consumer, after the items produced before it", async () => {
    async function* source() {
      yield 1;
      throw new Error("node went away");
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of prefetch(source(), 2)) seen.push(v);
      })(),
    ).rejects.toThrow("node went away");
    expect(seen).toEqual([1]);
  });
});
