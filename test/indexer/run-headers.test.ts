import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcClient } from "../../indexer/rpc/client.ts";
import { logBatchFromObjects } from "../../indexer/rpc/log-batch.ts";
import type { RpcBlockHeader } from "../../indexer/rpc/types.ts";
import { createHeaderFetcher } from "../../indexer/sync/header-fetcher.ts";
import { headersForRun } from "../../indexer/sync/run-headers.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { type LocalChain, startLocalChain } from "../../shared/services/chain.ts";

const hex = (n: number) => `0x${n.toString(16)}`;
/** Logs of blocks `blocks` (two per block), with or without the block's timestamp. */
function logsIn(blocks: number[], withTimestamp: boolean) {
  const logs = blocks.flatMap((b) =>
    [0, 1].map((i) => ({
      address: `0x${"11".repeat(20)}`,
      topics: [`0x${"22".repeat(32)}`],
      data: "0x",
      blockNumber: hex(b),
      blockHash: `0x${b.toString(16).padStart(64, "a")}`,
      ...(withTimestamp ? { blockTimestamp: hex(1_700_000_000 + b) } : {}),
      transactionHash: `0x${"33".repeat(32)}`,
      transactionIndex: "0x0",
      logIndex: hex(i),
      removed: false,
    })),
  );
  const batch = logBatchFromObjects(logs);
  if (!batch) throw new Error("test logs did not parse");
  return batch;
}
const numbers = (ns: bigint[]) => ns.map(Number);

describe("the headers a run of logs needs", () => {
  it("asks for no header of a final block whose logs carry its number, hash and time", () => {
    const run = headersForRun(logsIn([12, 15, 20], true), 10n, 20n, 100n);
    expect(numbers(run.numbers)).toEqual([]);
  });

  it("asks for the run's last final block when no log is in it, for the checkpoint's hash", () => {
    const run = headersForRun(logsIn([12, 15], true), 10n, 20n, 100n);
    expect(numbers(run.numbers)).toEqual([20]);
  });

  it("asks for each final block with logs when the node's logs carry no timestamp", () => {
    const run = headersForRun(logsIn([12, 15], false), 10n, 20n, 100n);
    expect(numbers(run.numbers)).toEqual([12, 15, 20]);
    expect(numbers(headersForRun(logsIn([12, 20], false), 10n, 20n, 100n).numbers)).toEqual([12, 20]);
  });

  it("asks for every block from the final one up, logs or not, because reorg detection links them by parent hash", () => {
    const run = headersForRun(logsIn([12, 96, 98], true), 10n, 100n, 95n);
    expect(run.firstUnfinal).toBe(95n);
    expect(numbers(run.numbers)).toEqual([95, 96, 97, 98, 99, 100]);
    const untimed = headersForRun(logsIn([12, 96], false), 10n, 100n, 95n);
    expect(numbers(untimed.numbers)).toEqual([12, 95, 96, 97, 98, 99, 100]);
  });
});

describe("header batches", () => {
  let chain: LocalChain;
  beforeAll(async () => {
    chain = await startLocalChain({ port: 0 });
    await rpcOf().request("hardhat_mine", [hex(40)]);
  });
  afterAll(async () => {
    await chain?.close();
  });
  const rpcOf = () => createRpcClient({ url: chain.rpcUrl, timeoutMs: 10_000, maxResponseBytes: 1 << 20 });
  const fetcher = (batchSize: number) =>
    createHeaderFetcher({
      rpc: rpcOf(),
      retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      logger: createSilentLogger(),
      batchSize,
    });

  it("returns the headers of several batches in flight in the order asked, each the node's block", async () => {
    const rpc = rpcOf();
    const headers = fetcher(3);
    const asked = [1n, 2n, 5n, 8n, 9n, 13n, 21n, 22n, 23n, 30n, 34n, 40n];
    const got = await headers.many(asked);
    expect(got.map((h) => h.number)).toEqual(asked);
    for (const h of got) {
      const one = await rpc.request<RpcBlockHeader>("eth_getBlockByNumber", [hex(Number(h.number)), false]);
      expect(h.hash).toBe(one.hash.toLowerCase());
      expect(h.parentHash).toBe(one.parentHash.toLowerCase());
    }
  });

  it("fails the whole request, loudly, when one block of one batch is missing", async () => {
    const headers = fetcher(2);
    await expect(headers.many([1n, 2n, 3n, 4n, 5_000n, 6n])).rejects.toThrow(
      "block 5000 is not available from the node yet",
    );
  });
});
