/**
 * What a command needs, built lazily from the configuration: clients, the contract address
 * (CONTRACT_ADDRESS or the deployment record, checked against the node's chain id), the DocTel
 * client, and output in human or --json form.
 */
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  ChainMismatchError,
  createDocTelClient,
  type DocTelClient,
  type SigningWalletClient,
  toDocTelError,
} from "../sdk/index.ts";
import type { Env } from "../shared/config.ts";
import { readDeployment } from "../shared/deployment.ts";
import { ConfigError } from "../shared/errors.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import type { CliConfig } from "./config.ts";
import { type CliIo, toJson } from "./io.ts";

export interface GlobalFlags {
  json?: boolean;
  debug?: boolean;
}

export interface CliContext {
  readonly io: CliIo;
  readonly env: Env;
  /** Set once, before the command's action runs (main.ts preAction hook). */
  config: CliConfig | undefined;
  flags: GlobalFlags;
  settings(): CliConfig;
  logger(): Logger;
  publicClient(): PublicClient;
  /** Throws ConfigError when no key is configured. */
  walletClient(): SigningWalletClient;
  /** The DocTel contract address, from CONTRACT_ADDRESS or the deployment record. */
  contractAddress(): Promise<`0x${string}`>;
  /** A DocTel client; `sign` needs a key, `ipfs` connects the IPFS API. */
  docTel(options?: { sign?: boolean; ipfs?: boolean }): Promise<DocTelClient>;
  /** Prints a result: `data` as one JSON line with --json, else the human lines. */
  print(data: Record<string, unknown>, human: string | string[]): void;
}

const NEEDS_KEY = "this command signs a transaction: set DOCTEL_PRIVATE_KEY or pass --key-file <file>";

export function createCliContext(io: CliIo, env: Env): CliContext {
  let logger: Logger | undefined;
  let publicClient: PublicClient | undefined;
  let walletClient: SigningWalletClient | undefined;
  let address: Promise<`0x${string}`> | undefined;

  const ctx: CliContext = {
    io,
    env,
    config: undefined,
    flags: {},
    settings() {
      if (!ctx.config) throw new Error("configuration not loaded");
      return ctx.config;
    },
    logger() {
      logger ??= createLogger({ level: ctx.settings().logLevel, format: "json", service: "doctel-cli" });
      return logger;
    },
    publicClient() {
      publicClient ??= createPublicClient({
        transport: http(ctx.settings().rpcUrl, { retryCount: 1, timeout: 60_000 }),
        pollingInterval: 250,
      }) as PublicClient;
      return publicClient;
    },
    walletClient() {
      const key = ctx.settings().privateKey;
      if (!key) throw new ConfigError(NEEDS_KEY);
      walletClient ??= createWalletClient({
        account: privateKeyToAccount(key),
        transport: http(ctx.settings().rpcUrl, { retryCount: 1, timeout: 60_000 }),
      }) as SigningWalletClient;
      return walletClient;
    },
    contractAddress() {
      address ??= resolveAddress(ctx);
      return address;
    },
    async docTel(options = {}) {
      const s = ctx.settings();
      return createDocTelClient({
        publicClient: ctx.publicClient(),
        walletClient: options.sign ? ctx.walletClient() : s.privateKey ? ctx.walletClient() : undefined,
        address: await ctx.contractAddress(),
        pepper: s.pepper,
        ipfs: options.ipfs ? { url: s.ipfsApiUrl, timeoutMs: s.ipfsTimeoutMs } : undefined,
        maxFileBytes: s.maxFileBytes,
        logger: ctx.logger(),
        pollingIntervalMs: 250,
      });
    },
    print(data, human) {
      if (ctx.flags.json) io.stdout.write(`${toJson(data)}\n`);
      else io.stdout.write(`${(Array.isArray(human) ? human : [human]).join("\n")}\n`);
    },
  };
  return ctx;
}

async function resolveAddress(ctx: CliContext): Promise<`0x${string}`> {
  const s = ctx.settings();
  if (s.contractAddress) return s.contractAddress;
  const record = await readDeployment(s.deploymentFile);
  let chainId: number;
  try {
    chainId = await ctx.publicClient().getChainId();
  } catch (error) {
    throw toDocTelError(error, { action: "reading the chain id", rpcUrl: s.rpcUrl });
  }
  if (chainId !== record.chainId) {
    throw new ChainMismatchError(
      `the deployment record ${s.deploymentFile} is for chain ${record.chainId}, but ${redactUrl(s.rpcUrl)} serves chain ${chainId}`,
    );
  }
  return record.address;
}
