/**
 * Requests the next eth_getLogs range while the caller is still working on the last one, so the
 * node computes a response while the indexer decodes and writes the previous one. Only the range
 * that directly follows the one returned is requested ahead; a call for any other start (a reorg
 * moved back, a restart) drops it. Only final blocks are read ahead: an unfinalized block's logs
 * are read right before its header, since a reorg in between could swap a block without our logs
 * for one with them, unseen (its header would check out, and no log would contradict it).
 */
import type { LogChunk, LogFetcher } from "./log-fetcher.ts";

interface Pending {
  from: bigint;
  limit: bigint;
  controller: AbortController;
  chunk: Promise<LogChunk>;
}

export function withReadAhead(fetcher: LogFetcher): LogFetcher {
  let ahead: Pending | null = null;

  function launch(from: bigint, limit: bigint, signal?: AbortSignal): Pending {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const chunk = fetcher
      .next(from, limit, controller.signal)
      .finally(() => signal?.removeEventListener("abort", onAbort));
    // A range requested ahead and then dropped must not fail the process: its error, if any, is
    // seen only by the call that uses it.
    chunk.catch(() => undefined);
    return { from, limit, controller, chunk };
  }

  return {
    async next(from, limit, signal, finalized) {
      let current = ahead;
      ahead = null;
      // A range asked for with a higher limit than now may run past it (the head moved back).
      if (!current || current.from !== from || current.limit > limit) {
        current?.controller.abort();
        current = launch(from, limit, signal);
      }
      const chunk = await current.chunk;
      const until = finalized !== undefined && finalized < limit ? finalized : limit;
      if (chunk.toBlock < until) ahead = launch(chunk.toBlock + 1n, until, signal);
      return chunk;
    },
  };
}
