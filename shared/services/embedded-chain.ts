/**
 * The embedded stack's chain: Hardhat's EDR simulated chain in-process, behind a small
 * JSON-RPC server (HTTP, single and batch requests) that journals every state change so the
 * chain survives a restart (see chain-journal.ts). Real deployments point RPC_URL at a real node.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Hex } from "viem";
import type { Logger } from "../logger.ts";
import {
  type JournalEntry,
  openJournal,
  type RpcTransaction,
  rawTransaction,
  readJournal,
} from "./chain-journal.ts";

export interface EmbeddedChainOptions {
  /** Folder of the genesis settings and the journal. */
  dir: string;
  hostname?: string;
  port: number;
  chainId?: number;
  /** Genesis time of a new chain (default: a year ago, so a simulated year ends near today). */
  initialDate?: Date;
  logger?: Logger;
}

export interface EmbeddedChain {
  rpcUrl: string;
  chainId: number;
  /** Blocks replayed from the journal at start. */
  replayedBlocks: number;
  close(): Promise<void>;
}

interface Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** Calls that change state outside blocks: journaled, replayed in order. */
const STATE_CALLS = new Set([
  "hardhat_setBalance",
  "hardhat_setCode",
  "hardhat_setNonce",
  "hardhat_setStorageAt",
  "hardhat_setNextBlockBaseFeePerGas",
  "hardhat_setCoinbase",
  "hardhat_setPrevRandao",
  "hardhat_setMinGasPrice",
  "evm_setAutomine",
  "evm_setBlockGasLimit",
  "evm_setNextBlockTimestamp",
  "evm_increaseTime",
]);
/** Calls that may mine blocks: the new blocks are journaled after them. */
const MINING_CALLS = new Set(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine", "hardhat_mine"]);
/** Calls the journal cannot represent. */
const REFUSED = new Set([
  "evm_snapshot",
  "evm_revert",
  "hardhat_reset",
  "hardhat_dropTransaction",
  "hardhat_setLoggingEnabled",
]);

const DAY_MS = 86_400_000;

export async function startEmbeddedChain(options: EmbeddedChainOptions): Promise<EmbeddedChain> {
  await mkdir(options.dir, { recursive: true });
  const genesisFile = path.join(options.dir, "genesis.json");
  const journalFile = path.join(options.dir, "journal.ndjson");
  const genesis = await readGenesis(genesisFile, {
    chainId: options.chainId ?? 31337,
    initialDate: (options.initialDate ?? new Date(Date.now() - 365 * DAY_MS)).toISOString(),
  });
  const { network } = await import("hardhat");
  const connection = await network.create({
    network: "node",
    override: { chainId: genesis.chainId, initialDate: new Date(genesis.initialDate) },
  });
  const provider = connection.provider as unknown as Provider;
  const call = (method: string, params: unknown[] = []) => provider.request({ method, params });

  const replayedBlocks = await replay(call, await readJournal(journalFile), options.logger);
  const journal = await openJournal(journalFile);
  let recorded = BigInt((await call("eth_blockNumber")) as string);

  // State-changing calls run one at a time, each followed by journaling what it did.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function journalNewBlocks(): Promise<JournalEntry[]> {
    const head = BigInt((await call("eth_blockNumber")) as string);
    const entries: JournalEntry[] = [];
    for (let n = recorded + 1n; n <= head; n++) {
      const block = (await call("eth_getBlockByNumber", [`0x${n.toString(16)}`, true])) as {
        timestamp: Hex;
        hash: Hex;
        baseFeePerGas?: Hex;
        transactions: RpcTransaction[];
      };
      entries.push({
        t: "block",
        n: Number(n),
        ts: Number(block.timestamp),
        baseFee: block.baseFeePerGas ?? null,
        hash: block.hash,
        txs: block.transactions.map(rawTransaction),
      });
    }
    recorded = head;
    return entries;
  }

  async function handle(request: { method?: unknown; params?: unknown; id?: unknown }): Promise<object> {
    const id = request.id ?? null;
    const method = typeof request.method === "string" ? request.method : "";
    const params = Array.isArray(request.params) ? request.params : [];
    if (REFUSED.has(method)) {
      return {
        jsonrpc: "2.0",
        id,
        error: {
          code: -32601,
          message: `${method} is not available on the embedded chain (its journal could not replay it)`,
        },
      };
    }
    try {
      let result: unknown;
      if (STATE_CALLS.has(method)) {
        result = await serially(async () => {
          const r = await call(method, params);
          await journal.append([{ t: "call", method, params }]);
          return r;
        });
      } else if (MINING_CALLS.has(method)) {
        // A call that fails may still have mined: a transaction that reverts under automine is
        // in a block, and the node answers with the revert. Its block is journaled now, before
        // any later call, so the journal keeps the chain's order.
        result = await serially(async () => {
          try {
            return await call(method, params);
          } finally {
            await journal.append(await journalNewBlocks());
          }
        });
      } else {
        result = await call(method, params);
      }
      return { jsonrpc: "2.0", id, result: result ?? null };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id,
        error: {
          code: typeof e.code === "number" ? e.code : -32603,
          message: e.message ?? String(error),
          ...(e.data !== undefined ? { data: e.data } : {}),
        },
      };
    }
  }

  const server: Server = createServer((req, res) => void serve(req, res));
  // Clients (the simulator, the indexer) keep connections alive and close idle ones after the
  // server's advertised timeout less a second. With Node's 5 s default, a busy event loop (mining
  // in this very process) can let the server close a socket a client is just reusing: the POST
  // then fails with "other side closed". Idle sockets are left to the clients to close.
  server.keepAliveTimeout = 60_000;
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
      return;
    }
    const answer = Array.isArray(body)
      ? await Promise.all(body.map((r) => handle(r as Record<string, unknown>)))
      : await handle(body as Record<string, unknown>);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answer));
  }

  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, hostname, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const rpcUrl = `http://${hostname}:${port}`;
  options.logger?.info(
    { rpc_url: rpcUrl, chain_id: genesis.chainId, replayed_blocks: replayedBlocks },
    "embedded chain started",
  );
  return {
    rpcUrl,
    chainId: genesis.chainId,
    replayedBlocks,
    async close() {
      await queue.catch(() => undefined);
      await journal.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await connection.close();
    },
  };
}

async function readGenesis(file: string, fresh: { chainId: number; initialDate: string }) {
  try {
    return JSON.parse(await readFile(file, "utf8")) as typeof fresh;
  } catch {
    await writeFile(file, `${JSON.stringify(fresh, null, 2)}\n`);
    return fresh;
  }
}

/** Rebuilds the chain from the journal; every block must come out with its recorded hash. */
async function replay(
  call: (method: string, params?: unknown[]) => Promise<unknown>,
  entries: JournalEntry[],
  logger?: Logger,
): Promise<number> {
  if (entries.length === 0) return 0;
  const started = performance.now();
  let automine = true;
  let blocks = 0;
  for (const entry of entries) {
    if (entry.t === "call") {
      if (entry.method === "evm_setAutomine") automine = entry.params[0] === true;
      await call(entry.method, entry.params);
      continue;
    }
    await call("evm_setAutomine", [false]);
    for (const raw of entry.txs) await call("eth_sendRawTransaction", [raw]);
    if (entry.baseFee) await call("hardhat_setNextBlockBaseFeePerGas", [entry.baseFee]);
    await call("evm_mine", [entry.ts]);
    const block = (await call("eth_getBlockByNumber", ["latest", false])) as { number: Hex; hash: Hex };
    if (Number(block.number) !== entry.n || block.hash !== entry.hash) {
      throw new Error(
        `embedded chain replay: block ${entry.n} hash ${entry.hash} expected, got block ${Number(block.number)} hash ${block.hash}; the journal does not match this genesis (delete .doctel to start over)`,
      );
    }
    blocks++;
  }
  await call("evm_setAutomine", [automine]);
  logger?.info(
    { blocks, duration_ms: Math.round(performance.now() - started) },
    "embedded chain replayed its journal",
  );
  return blocks;
}
