import { type AbiEvent, getAbiItem, toEventSelector } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import type { IndexerSettings } from "../../indexer/indexer.ts";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { captureLogger } from "../helpers/capture-logger.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { cleanIndex, clearIndex, dumpIndex, headOf, startIndexer } from "../helpers/indexer.ts";
import { startRpcProxy } from "../helpers/rpc-proxy.ts";
import { spawnMain, waitForCheckpoint } from "./main-process.ts";
import { type Cast, seedNetwork } from "./scenario.ts";

const chain = useTestChain();
const faulty = useTestDatabase();
const clean = useTestDatabase();
let cast: Cast;

beforeAll(async () => {
  cast = await seedNetwork(chain);
  await cleanIndex({
    pool: clean.pool,
    rpcUrl: chain.rpcUrl,
    address: cast.address,
    deployBlock: cast.deployBlock,
  });
});

describe("an unreliable node", () => {
  it("retries failed, dropped and erroring RPC calls and still indexes everything, with no gap", async () => {
    await clearIndex(faulty.pool);
    const proxy = await startRpcProxy(chain.rpcUrl);
    // Every third request fails in one of three ways; some log requests as anvil answers a range
    // past a head that moved back (-32602, where Hardhat answers []).
    proxy.setFault((method, _params, n) =>
      n % 3 === 0
        ? [{ http500: true }, { drop: true }, { rpcError: { code: -32603, message: "internal error" } }][
            (n / 3) % 3
          ]
        : method === "eth_getLogs" && n % 5 === 1
          ? {
              rpcError: {
                code: -32602,
                message: "BlockOutOfRangeError: block height is 9 but requested was 12",
              },
            }
          : undefined,
    );
    const run = startIndexer({
      pool: faulty.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { getLogs: { initial: 3, min: 1, max: 3, targetLogs: 1000 } },
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();
    await proxy.close();
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
    const failures = (
      await run.metrics.registry.getSingleMetric("doctel_indexer_rpc_requests_total")?.get()
    )?.values.filter((v) => v.labels.outcome !== "ok");
    expect(failures?.reduce((s, v) => s + v.value, 0)).toBeGreaterThan(5);
  });

  it("reads an eth_getLogs answer again when its body is cut mid-stream (undici's TypeError: terminated), and never dies of it", async () => {
    await clearIndex(faulty.pool);
    const proxy = await startRpcProxy(chain.rpcUrl);
    // The first answer for each of four ranges is cut; the retry of the same range passes.
    let cut = 0;
    const cutRanges = new Set<string>();
    proxy.setFault((method, params) => {
      const key = JSON.stringify(params);
      if (method !== "eth_getLogs" || cut >= 4 || cutRanges.has(key)) return undefined;
      cutRanges.add(key);
      cut++;
      return { cutBody: 0.5 };
    });
    const head = await headOf(chain.rpcUrl);
    const main = spawnMain({
      DATABASE_URL: faulty.url,
      RPC_URL: proxy.url,
      CHAIN_ID: "31337",
      CONTRACT_ADDRESS: cast.address,
      START_BLOCK: cast.deployBlock.toString(),
      GETLOGS_INITIAL_RANGE: "3",
      GETLOGS_MAX_RANGE: "3",
      RPC_RETRY_BASE_MS: "20",
    });
    await waitForCheckpoint(faulty.pool, (b) => b >= head, [main]);
    expect(await main.stop()).toBe(0);
    await proxy.close();
    expect(cut).toBe(4);
    const retried = main
      .lines()
      .filter((l) => l.msg === "retrying after error" && l.operation === "eth_getLogs");
    expect(retried).toHaveLength(4);
    for (const line of retried) {
      expect((line.err as { message: string }).message).toMatch(/the answer was cut short \(terminated/);
      expect((line.err as { code: string }).code).toBe("RPC_UNAVAILABLE");
    }
    expect(main.lines().filter((l) => l.level === 60)).toEqual([]);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("shrinks the eth_getLogs range when the node refuses large ranges, as hosted providers do", async () => {
    await clearIndex(faulty.pool);
    const proxy = await startRpcProxy(chain.rpcUrl);
    const spans: number[] = [];
    proxy.setFault((method, params) => {
      if (method !== "eth_getLogs") return undefined;
      const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
      const span = Number(BigInt(toBlock) - BigInt(fromBlock)) + 1;
      spans.push(span);
      return span > 4
        ? { rpcError: { code: -32005, message: "query returned more than 10000 results" } }
        : undefined;
    });
    const run = startIndexer({
      pool: faulty.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { getLogs: { initial: 64, min: 1, max: 64, targetLogs: 1000 } },
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();
    await proxy.close();
    expect(spans[0]).toBeGreaterThan(4);
    expect(Math.max(...spans.slice(-5))).toBeLessThanOrEqual(4);
    // A refused range is never asked again as it was: the next request is already smaller.
    spans.forEach((span, i) => {
      if (span > 4 && i + 1 < spans.length) expect(spans[i + 1]).toBeLessThan(span);
    });
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("shrinks the range, without retrying it as it was, when a response exceeds RPC_MAX_RESPONSE_BYTES", async () => {
    await clearIndex(faulty.pool);
    const proxy = await startRpcProxy(chain.rpcUrl);
    const asked: string[] = [];
    proxy.setFault((method, params) => {
      if (method !== "eth_getLogs") return undefined;
      const { fromBlock, toBlock } = params[0] as { fromBlock: string; toBlock: string };
      asked.push(`${BigInt(fromBlock)}-${BigInt(toBlock)}`);
      return undefined;
    });
    // A limit that the busiest block's logs fit under, and the whole chain's logs do not.
    const head = await headOf(chain.rpcUrl);
    const bytes = async (from: bigint, to: bigint) => {
      const response = await fetch(chain.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "eth_getLogs",
          params: [
            { address: cast.address, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
          ],
        }),
      });
      return (await response.arrayBuffer()).byteLength;
    };
    let busiest = 0;
    for (let n = cast.deployBlock; n <= head; n++) busiest = Math.max(busiest, await bytes(n, n));
    const limit = busiest + 512;
    expect(await bytes(cast.deployBlock, head)).toBeGreaterThan(limit);
    const run = startIndexer({
      pool: faulty.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: {
        getLogs: { initial: 1000, min: 1, max: 1000, targetLogs: 1000 },
        rpcMaxResponseBytes: limit,
      },
    });
    await run.waitFor(head);
    await run.stop();
    await proxy.close();
    const span = (range: string) => {
      const [from, to] = range.split("-").map(Number) as [number, number];
      return to - from + 1;
    };
    expect(asked.length).toBeGreaterThan(2);
    expect(span(asked[0]!)).toBeGreaterThan(span(asked[1]!));
    expect(asked.filter((range, i) => asked.indexOf(range) !== i)).toEqual([]);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("reads logs however the node formats its JSON (key order, spacing, escapes, extra or null fields), as JSON allows", async () => {
    await clearIndex(faulty.pool);
    const proxy = await startRpcProxy(chain.rpcUrl);
    let rewritten = 0;
    proxy.setFault((method, _params, n) => {
      if (method !== "eth_getLogs") return undefined;
      return {
        rewrite(body) {
          const reply = JSON.parse(body) as { result: Record<string, unknown>[] };
          rewritten++;
          const logs = reply.result.map((log) => {
            // Keys in reverse, a field the indexer does not know, no block time (headers say it).
            const odd: Record<string, unknown> = { extra: { nested: [1, { deep: "x" }], flag: true } };
            for (const key of Object.keys(log).reverse()) odd[key] = log[key];
            odd.blockTimestamp = null;
            odd.blockHash = String(log.blockHash).toUpperCase().replace(/^0X/, "0x");
            return odd;
          });
          const text = JSON.stringify({ id: 1, result: logs, jsonrpc: "2.0" }, null, 2);
          // Every other answer spells its first digit as a JSON escape: the same string.
          return n % 2 === 0
            ? text.replace(/"0x([0-9a-fA-F])/, (_m, d: string) => `"0x\\u00${d.charCodeAt(0).toString(16)}`)
            : text;
        },
      };
    });
    const run = startIndexer({
      pool: faulty.pool,
      rpcUrl: proxy.url,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { getLogs: { initial: 4, min: 1, max: 4, targetLogs: 1000 } },
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();
    await proxy.close();
    expect(rewritten).toBeGreaterThan(3);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("reads a range again when a block's logs come with two hashes, a stale fork's among them, and keeps nothing of the fork", async () => {
    // Every block stays unfinalized: the indexer holds each one's header and knows its hash.
    const { forked, lines } = await indexThroughForkingNode({
      pick: () => true,
      settings: { getLogs: { initial: 4, min: 1, max: 4, targetLogs: 1000 }, finalityDepth: 100_000 },
    });
    expect(forked).toBe(1);
    expect(
      lines.filter((l) => l.msg === "log from a block that is no longer canonical, refetching"),
    ).toHaveLength(1);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("stops the batch and resumes from its checkpoint when a final block's logs come with two hashes, which no header settles", async () => {
    const { forked, lines } = await indexThroughForkingNode({
      // Not the range's last block: the indexer reads that one's header.
      pick: (block, toBlock) => block < toBlock,
      settings: { getLogs: { initial: 8, min: 1, max: 8, targetLogs: 1000 }, finalityDepth: 1 },
    });
    expect(forked).toBe(1);
    const interrupted = lines.filter((l) => l.msg === "indexing failed; resuming from the checkpoint");
    expect(interrupted).toHaveLength(1);
    expect(String(interrupted[0]!.reason)).toMatch(/has logs of two hashes in one eth_getLogs answer/);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });
});

/**
 * Indexes the chain from scratch into `faulty` through a proxy that forks the first eth_getLogs
 * answer holding a block `pick` accepts (given the range's last block); returns how many answers
 * it forked and what the indexer logged.
 */
async function indexThroughForkingNode(args: {
  pick: (block: number, toBlock: number) => boolean;
  settings: Partial<IndexerSettings>;
}): Promise<{ forked: number; lines: Record<string, unknown>[] }> {
  await clearIndex(faulty.pool);
  const proxy = await startRpcProxy(chain.rpcUrl);
  let forked = 0;
  proxy.setFault((method, params) => {
    if (method !== "eth_getLogs" || forked > 0) return undefined;
    const toBlock = Number(BigInt((params[0] as { toBlock: string }).toBlock));
    return {
      rewrite(body) {
        const out = forkLaterLog(body, (block) => args.pick(block, toBlock));
        if (out !== body) forked++;
        return out;
      },
    };
  });
  const { logger, lines } = captureLogger();
  const run = startIndexer({
    pool: faulty.pool,
    rpcUrl: proxy.url,
    address: cast.address,
    deployBlock: cast.deployBlock,
    settings: args.settings,
    logger,
  });
  await run.waitFor(await headOf(chain.rpcUrl));
  await run.stop();
  await proxy.close();
  return { forked, lines };
}

const VITALS_TOPIC = toEventSelector(getAbiItem({ abi: docTelAbi, name: "VitalsRecorded" }) as AbiEvent);

/**
 * The eth_getLogs answer with the later logs of the first block that has several (and passes
 * `pick`) given another block hash, as a node might serve logs of a block it has just dropped.
 * Not a vital's: those keep no hash of their own, so their rows would not show the fork.
 */
function forkLaterLog(body: string, pick: (block: number) => boolean): string {
  const reply = JSON.parse(body) as {
    result: Array<{ blockNumber: string; blockHash: string; topics: string[] }>;
  };
  const logs = reply.result;
  const i = logs.findIndex(
    (log, k) =>
      k > 0 &&
      log.blockNumber === logs[k - 1]!.blockNumber &&
      log.topics[0] !== VITALS_TOPIC &&
      pick(Number(BigInt(log.blockNumber))),
  );
  if (i < 0) return body;
  for (let k = i; k < logs.length && logs[k]!.blockNumber === logs[i]!.blockNumber; k++) {
    logs[k]!.blockHash = `0x${"f0".repeat(32)}`;
  }
  return JSON.stringify(reply);
}
