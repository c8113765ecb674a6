/**
 * Nothing missing goes unseen: a node that drops logs from its eth_getLogs answers (a proxy
 * here) is caught by the contract's event numbers, before anything after the gap is written.
 */
import { type AbiEvent, getAbiItem, toEventSelector } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import type { IndexerSettings } from "../../indexer/indexer.ts";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { captureLogger } from "../helpers/capture-logger.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import {
  cleanIndex,
  clearIndex,
  dumpIndex,
  headOf,
  type RunningIndexer,
  startIndexer,
} from "../helpers/indexer.ts";
import { startRpcProxy } from "../helpers/rpc-proxy.ts";
import { indexedBlock } from "./main-process.ts";
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

interface RpcLogJson {
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
  topics: string[];
}

const topicOf = (name: "VitalsRecorded" | "RoleGranted") =>
  toEventSelector(getAbiItem({ abi: docTelAbi, name } as never) as AbiEvent);

/**
 * Indexes the chain into `faulty` through a proxy whose eth_getLogs answers lose the logs that
 * `drop` picks (indexes into the answer's logs; none: the answer passes), in up to `times` answers.
 */
async function indexThroughDroppingNode(args: {
  drop: (logs: RpcLogJson[]) => number[];
  times: number;
  settings?: Partial<IndexerSettings>;
}) {
  await clearIndex(faulty.pool);
  const proxy = await startRpcProxy(chain.rpcUrl);
  const dropped: RpcLogJson[] = [];
  let answers = 0;
  proxy.setFault((method) => {
    if (method !== "eth_getLogs" || answers >= args.times) return undefined;
    return {
      rewrite(body) {
        const reply = JSON.parse(body) as { result: RpcLogJson[] };
        const picked = answers < args.times ? args.drop(reply.result) : [];
        if (picked.length === 0) return body;
        answers++;
        dropped.push(...picked.map((i) => reply.result[i]!));
        reply.result = reply.result.filter((_, i) => !picked.includes(i));
        return JSON.stringify(reply);
      },
    };
  });
  const { logger, lines } = captureLogger();
  const run = startIndexer({
    pool: faulty.pool,
    rpcUrl: proxy.url,
    address: cast.address,
    deployBlock: cast.deployBlock,
    settings: { getLogs: { initial: 3, min: 1, max: 3, targetLogs: 1000 }, ...args.settings },
    logger,
  });
  return { run, proxy, dropped, lines };
}

/** The sixth of the twenty readings of the vitals batch, when the answer holds it. */
function sixthReading(logs: RpcLogJson[], topic: string): number[] {
  const first = logs.findIndex((l) => l.topics[0] === topic);
  return first >= 0 && logs.filter((l) => l.topics[0] === topic).length >= 10 ? [first + 5] : [];
}

async function gapsCounted(run: RunningIndexer): Promise<number> {
  const metric = await run.metrics.registry.getSingleMetric("doctel_indexer_errors_total")?.get();
  return metric?.values.find((v) => v.labels.code === "EVENT_SEQUENCE_GAP")?.value ?? 0;
}

const gapLines = (lines: Record<string, unknown>[]) =>
  lines.filter(
    (l) => l.msg === "indexing failed; resuming from the checkpoint" && l.code === "EVENT_SEQUENCE_GAP",
  );

describe("a node that drops logs", () => {
  it("notices a log missing from the middle of an answer, reads the range again, and ends equal to a clean index", async () => {
    const vitals = topicOf("VitalsRecorded");
    const { run, proxy, dropped, lines } = await indexThroughDroppingNode({
      // The sixth of the twenty readings of one batch: the next one's number shows the gap.
      drop: (logs) => sixthReading(logs, vitals),
      times: 1,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();
    await proxy.close();
    expect(dropped).toHaveLength(1);
    const reported = gapLines(lines);
    expect(reported).toHaveLength(1);
    expect(String(reported[0]!.reason)).toMatch(
      /event sequence gap: expected event #\d+, the node sent #\d+ at block \d+ log \d+: 1 event\(s\) missing/,
    );
    expect(await gapsCounted(run)).toBe(1);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("notices the chain's last transaction missing, where no later number shows the gap, by the contract's own count", async () => {
    const head = await headOf(chain.rpcUrl);
    const { run, proxy, dropped, lines } = await indexThroughDroppingNode({
      // Every log of the head block (revokeRole: RoleRevoked and the number after it).
      drop: (logs) => logs.flatMap((l, i) => (BigInt(l.blockNumber) === head ? [i] : [])),
      times: 1,
    });
    await run.waitFor(head);
    await run.stop();
    await proxy.close();
    expect(dropped).toHaveLength(2);
    const reported = gapLines(lines);
    expect(reported).toHaveLength(1);
    expect(String(reported[0]!.reason)).toMatch(
      new RegExp(
        `the contract numbered \\d+ events up to block ${head}, but the node's logs end at #\\d+: 1 event\\(s\\) missing`,
      ),
    );
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("notices a missing OpenZeppelin access-control event, which carries no number, by the count of the number after it", async () => {
    const granted = topicOf("RoleGranted");
    const { run, proxy, dropped, lines } = await indexThroughDroppingNode({
      // Not the constructor's grant: one of the later grantRole calls.
      drop: (logs) => {
        const i = logs.findIndex((l) => l.topics[0] === granted && BigInt(l.blockNumber) > cast.deployBlock);
        return i < 0 ? [] : [i];
      },
      times: 1,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();
    await proxy.close();
    expect(dropped.map((l) => l.topics[0])).toEqual([granted]);
    const reported = gapLines(lines);
    expect(reported).toHaveLength(1);
    expect(String(reported[0]!.reason)).toMatch(
      /AccessControlSequenced #\d+ at block \d+ log \d+ numbers 1 access-control event\(s\), but 0 come right before it/,
    );
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("stops loudly on a gap that does not heal: writes nothing past it, turns /ready and /health red, and keeps counting", async () => {
    const vitals = topicOf("VitalsRecorded");
    let gapBlock = -1n;
    const { run, proxy } = await indexThroughDroppingNode({
      drop: (logs) => {
        const picked = sixthReading(logs, vitals);
        if (picked.length > 0) gapBlock = BigInt(logs[picked[0]!]!.blockNumber);
        return picked;
      },
      times: Number.POSITIVE_INFINITY,
      settings: { restartMaxDelayMs: 50 },
    });
    // Wait on state: the gap seen, and retried, three times.
    for (let i = 0; i < 4000 && (await gapsCounted(run)) < 3; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await gapsCounted(run)).toBeGreaterThanOrEqual(3);
    expect(gapBlock).toBeGreaterThan(0n);
    expect(await indexedBlock(faulty.pool)).toBeLessThan(gapBlock);
    expect(run.indexer.isReady()).toBe(false);
    expect(run.indexer.isHealthy()).toBe(false);
    expect(run.indexer.status().reason).toMatch(/^failing: event sequence gap/);
    await run.stop();
    await proxy.close();
  });

  it("starts the restart backoff over once indexing has progressed again, so a later failure waits little", async () => {
    const vitals = topicOf("VitalsRecorded");
    const granted = topicOf("RoleGranted");
    let vitalDrops = 0;
    const { run, proxy, lines } = await indexThroughDroppingNode({
      // The same gap three times in a row (three restarts without progress), then, much later in
      // the chain, another one.
      drop: (logs) => {
        const reading = sixthReading(logs, vitals);
        if (reading.length > 0 && vitalDrops < 3) {
          vitalDrops++;
          return reading;
        }
        const i = logs.findIndex((l) => l.topics[0] === granted && BigInt(l.blockNumber) > cast.deployBlock);
        return i < 0 || vitalDrops < 3 ? [] : [i];
      },
      times: 4,
      settings: { restartMaxDelayMs: 100 },
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();
    await proxy.close();
    const restarts = lines
      .filter((l) => l.msg === "resuming from the checkpoint after the backoff")
      .map((l) => l.restart);
    expect(restarts).toEqual([1, 2, 3, 1]);
    expect(await dumpIndex(faulty.pool)).toEqual(await dumpIndex(clean.pool));
  });
});
