import { describe, expect, it } from "vitest";
import type { LogBatch } from "../../indexer/rpc/log-batch.ts";
import type { LogChunk, LogFetcher } from "../../indexer/sync/log-fetcher.ts";
import { withReadAhead } from "../../indexer/sync/read-ahead.ts";

/** A fetcher that answers ranges of `span` blocks and records what it was asked, when. */
function scripted(span: bigint) {
  const asked: string[] = [];
  const fetcher: LogFetcher = {
    async next(from, limit) {
      asked.push(`${from}-${limit}`);
      await new Promise((r) => setTimeout(r, 5));
      const to = from + span - 1n < limit ? from + span - 1n : limit;
      return { fromBlock: from, toBlock: to, logs: { count: 0 } as LogBatch } satisfies LogChunk;
    },
  };
  return { fetcher, asked };
}

describe("reading the next eth_getLogs range ahead", () => {
  it("asks for the range after the one it returns while the caller works, and hands it over next", async () => {
    const { fetcher, asked } = scripted(10n);
    const logs = withReadAhead(fetcher);
    const first = await logs.next(1n, 100n);
    expect([first.fromBlock, first.toBlock]).toEqual([1n, 10n]);
    expect(asked).toEqual(["1-100", "11-100"]);
    const second = await logs.next(11n, 100n);
    expect([second.fromBlock, second.toBlock]).toEqual([11n, 20n]);
    expect(asked).toEqual(["1-100", "11-100", "21-100"]);
  });

  it("drops the range read ahead when the caller asks for another start, as after a reorg", async () => {
    const { fetcher, asked } = scripted(10n);
    const logs = withReadAhead(fetcher);
    await logs.next(1n, 100n);
    const again = await logs.next(5n, 100n);
    expect([again.fromBlock, again.toBlock]).toEqual([5n, 14n]);
    expect(asked).toEqual(["1-100", "11-100", "5-100", "15-100"]);
  });

  it("drops the range read ahead when the limit moved back below it, so no block past the limit is returned", async () => {
    const { fetcher, asked } = scripted(10n);
    const logs = withReadAhead(fetcher);
    await logs.next(1n, 100n);
    const capped = await logs.next(11n, 15n);
    expect([capped.fromBlock, capped.toBlock]).toEqual([11n, 15n]);
    expect(asked).toEqual(["1-100", "11-100", "11-15"]);
  });

  it("reads nothing ahead at the limit (following the head, there is nothing ahead)", async () => {
    const { fetcher, asked } = scripted(10n);
    const logs = withReadAhead(fetcher);
    await logs.next(95n, 100n);
    expect(asked).toEqual(["95-100"]);
  });

  it("reads ahead only final blocks, so an unfinalized block's logs are read right before its header", async () => {
    const { fetcher, asked } = scripted(10n);
    const logs = withReadAhead(fetcher);
    await logs.next(1n, 100n, undefined, 15n);
    expect(asked).toEqual(["1-100", "11-15"]);
    const upToFinal = await logs.next(11n, 100n, undefined, 15n);
    expect([upToFinal.fromBlock, upToFinal.toBlock]).toEqual([11n, 15n]);
    // Past the finalized block: nothing read ahead, each range read when it is asked for.
    await logs.next(16n, 100n, undefined, 15n);
    expect(asked).toEqual(["1-100", "11-15", "16-100"]);
  });

  it("raises a failed range read ahead only when it is used, and not when it is dropped", async () => {
    let n = 0;
    const failing: LogFetcher = {
      async next(from, limit) {
        n++;
        if (n === 2) throw new Error("node down");
        return {
          fromBlock: from,
          toBlock: from + 9n < limit ? from + 9n : limit,
          logs: { count: 0 } as LogBatch,
        };
      },
    };
    const logs = withReadAhead(failing);
    await logs.next(1n, 100n);
    await expect(logs.next(11n, 100n)).rejects.toThrow("node down");
    const dropped = withReadAhead(failing);
    n = 0;
    await dropped.next(1n, 100n);
    await expect(dropped.next(50n, 100n)).resolves.toMatchObject({ fromBlock: 50n });
  });
});
