/**
 * Development-chain controls: the simulator mines its own blocks at the timestamps of the
 * simulated hours, so it needs a node that lets it (Hardhat's, or anvil). A real chain is
 * refused: its blocks follow the wall clock and cannot replay a year.
 */
import { ConfigError } from "../shared/errors.ts";
import { redactUrl } from "../shared/redact.ts";
import type { Hex } from "./model.ts";
import type { RpcClient } from "./rpc.ts";

export interface DevChain {
  readonly client: string;
  readonly chainId: number;
  /** "hardhat_" or "anvil_": the prefix of the node's own methods. */
  readonly prefix: "hardhat" | "anvil";
  /** Whether the node mined a block per transaction before the run (restored afterwards). */
  readonly automineBefore: boolean;
  setAutomine(on: boolean): Promise<void>;
  fund(addresses: readonly Hex[], wei: bigint): Promise<void>;
  latestBlock(): Promise<{ number: number; timestamp: number; gasLimit: number }>;
  /** The base fee of the next block: 0 keeps fees from climbing while blocks are full. */
  zeroBaseFeeCall(): readonly [string, readonly unknown[]];
  mine(timestamp: number): Promise<void>;
}

export async function connectDevChain(rpc: RpcClient): Promise<DevChain> {
  const [client, chainIdHex] = await Promise.all([
    rpc.request<string>("web3_clientVersion").catch(() => "unknown"),
    rpc.request<string>("eth_chainId"),
  ]);
  let prefix: DevChain["prefix"] | undefined;
  let automineBefore = true;
  for (const candidate of ["hardhat", "anvil"] as const) {
    try {
      automineBefore = await rpc.request<boolean>(`${candidate}_getAutomine`);
      prefix = candidate;
      break;
    } catch {
      // not this kind of node
    }
  }
  if (!prefix) {
    throw new ConfigError(
      `the node at ${redactUrl(rpc.url)} (${client}) is not a development chain: the simulator mines its own blocks to replay a year (evm_mine with timestamps) and refuses real chains. Run it against Hardhat's node (npx hardhat node) or the embedded stack.`,
    );
  }
  const p = prefix;
  return {
    client,
    chainId: Number(chainIdHex),
    prefix: p,
    automineBefore,
    async setAutomine(on) {
      await rpc.request("evm_setAutomine", [on]);
    },
    async fund(addresses, wei) {
      const hex = `0x${wei.toString(16)}`;
      for (let i = 0; i < addresses.length; i += 500) {
        const answers = await rpc.batch(
          addresses.slice(i, i + 500).map((a) => [`${p}_setBalance`, [a, hex]] as const),
        );
        const failed = answers.find((a) => !a.ok);
        if (failed && !failed.ok) throw new ConfigError(`${p}_setBalance failed: ${failed.error.message}`);
      }
    },
    async latestBlock() {
      const block = await rpc.request<{ number: string; timestamp: string; gasLimit: string }>(
        "eth_getBlockByNumber",
        ["latest", false],
      );
      return {
        number: Number(block.number),
        timestamp: Number(block.timestamp),
        gasLimit: Number(block.gasLimit),
      };
    },
    zeroBaseFeeCall: () => [`${p}_setNextBlockBaseFeePerGas`, ["0x0"]] as const,
    async mine(timestamp) {
      await rpc.request("evm_mine", [timestamp]);
    },
  };
}
