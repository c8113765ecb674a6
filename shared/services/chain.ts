/**
 * A local development chain: Hardhat's EDR simulated network behind Hardhat's own JSON-RPC
 * server (the server `hardhat node` runs), started in-process on any port (0 = a free one).
 * Used by the embedded stack and by tests; a real external node replaces it through RPC_URL.
 */
import type { Logger } from "../logger.ts";

export interface LocalChainOptions {
  hostname?: string;
  /** 0 picks a free port. */
  port?: number;
  chainId?: number;
  /** Timestamp of the genesis block; later blocks follow the wall clock unless told otherwise. */
  initialDate?: Date;
  logger?: Logger;
}

export interface LocalChain {
  rpcUrl: string;
  wsUrl: string;
  port: number;
  chainId: number;
  /** The node's prefunded development accounts (their keys are public knowledge). */
  accounts: readonly `0x${string}`[];
  close(): Promise<void>;
}

/** Hardhat's default mnemonic accounts: test keys, never for real funds. */
export const DEV_PRIVATE_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
] as const satisfies readonly `0x${string}`[];

export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  const hostname = options.hostname ?? "127.0.0.1";
  const chainId = options.chainId ?? 31337;
  const { network } = await import("hardhat");
  const server = await network.createServer(
    {
      network: "node",
      override: {
        chainId,
        ...(options.initialDate ? { initialDate: options.initialDate } : {}),
      },
    },
    hostname,
    options.port ?? 0,
  );
  const { port } = await server.listen();
  const rpcUrl = `http://${hostname}:${port}`;
  const wsUrl = `ws://${hostname}:${port}`;
  const accounts = (await rpc(rpcUrl, "eth_accounts", [])) as `0x${string}`[];
  options.logger?.info({ rpc_url: rpcUrl, chain_id: chainId }, "local chain started");
  return {
    rpcUrl,
    wsUrl,
    port,
    chainId,
    accounts,
    close: () => server.close(),
  };
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method} failed: ${body.error.message}`);
  return body.result;
}
