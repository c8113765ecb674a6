/**
 * A chain of its own for each test file, viem clients for its development accounts, snapshots
 * for reorgs, and DocTel deployment. The node follows TEST_SERVICES / TEST_CHAIN
 * (test/helpers/services.ts): Hardhat's JSON-RPC server in-process on a free port (the default),
 * anvil as a child process, an anvil container, or the shared node at RPC_URL.
 */
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hash,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll } from "vitest";
import { docTelAbi, docTelBytecode } from "../../shared/abi/generated/DocTel.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { DEV_PRIVATE_KEYS, startLocalChain } from "../../shared/services/chain.ts";
import { startAnvil } from "./anvil.ts";
import { assertDockerAnswers, startAnvilContainer } from "./containers.ts";
import { planServices, readTestServices } from "./services.ts";

export type TestWalletClient = WalletClient<Transport, Chain, PrivateKeyAccount>;

export interface DeployDocTelOptions {
  /** The reference pepper; its key id goes into the contract. */
  pepper: Uint8Array;
  /** Delay before a default-admin transfer takes effect (uint48 seconds); 0 by default. */
  initialDelay?: number;
  /** The governance (default admin) account; the deployer's by default. */
  governance?: Hex;
  /** Deploys from this wallet; the first development account by default. */
  from?: TestWalletClient;
}

/** A JSON-RPC node for one test file. */
export interface TestNode {
  /** Which implementation: "hardhat" or "anvil" (an external node: "external"). */
  kind: "hardhat" | "anvil" | "external";
  rpcUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** Starts the node the services switch asks for. */
export async function startTestNode(): Promise<TestNode> {
  const services = readTestServices();
  switch (planServices(services).chain) {
    case "hardhat": {
      const node = await startLocalChain({ port: 0 });
      return { kind: "hardhat", rpcUrl: node.rpcUrl, wsUrl: node.wsUrl, close: node.close };
    }
    case "anvil":
      return { kind: "anvil", ...(await startAnvil()) };
    case "container": {
      await assertDockerAnswers();
      const container = await startAnvilContainer(services.TEST_ANVIL_IMAGE);
      return { kind: "anvil", rpcUrl: container.url, wsUrl: toWs(container.url), close: container.stop };
    }
    case "external":
      return {
        kind: "external",
        rpcUrl: services.RPC_URL!,
        wsUrl: toWs(services.RPC_URL!),
        close: async () => {},
      };
  }
}

function toWs(url: string): string {
  return url.replace(/^http/, "ws");
}

export interface TestChain {
  /** The node's implementation. */
  readonly kind: TestNode["kind"];
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly chain: Chain;
  readonly publicClient: PublicClient<Transport, Chain>;
  /** One wallet client per development account, in the node's order. */
  readonly wallets: readonly TestWalletClient[];
  /** `evm_snapshot`: the id to revert to. */
  snapshot(): Promise<Hex>;
  /** `evm_revert`: back to the snapshot's state (the snapshot is used up). */
  revert(id: Hex): Promise<void>;
  /** Mines `blocks` empty blocks one `evm_mine` at a time, so each links to its parent. */
  mine(blocks?: number): Promise<void>;
  deployDocTel(options: DeployDocTelOptions): Promise<{ address: Hex; deployBlock: bigint; txHash: Hash }>;
}

export function useTestChain(): TestChain {
  let state:
    | {
        node: TestNode;
        chain: Chain;
        publicClient: PublicClient<Transport, Chain>;
        wallets: TestWalletClient[];
      }
    | undefined;
  const get = () => {
    if (!state) throw new Error("useTestChain(): the chain exists only from beforeAll on");
    return state;
  };
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> =>
    (await get().publicClient.request({ method, params } as never)) as T;

  beforeAll(async () => {
    const node = await startTestNode();
    const chainId = await createPublicClient({ transport: http(node.rpcUrl) }).getChainId();
    const chain = defineChain({
      id: chainId,
      name: "DocTel test chain",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [node.rpcUrl], webSocket: [node.wsUrl] } },
    });
    const transport = http(node.rpcUrl);
    // cacheTime 0: tests read the head right after writing; a cached one would be from before.
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50, cacheTime: 0 });
    const wallets = DEV_PRIVATE_KEYS.map((key) =>
      createWalletClient({ account: privateKeyToAccount(key), chain, transport }),
    );
    state = { node, chain, publicClient, wallets };
  });

  afterAll(async () => {
    const node = state?.node;
    state = undefined;
    await node?.close();
  });

  return {
    get kind() {
      return get().node.kind;
    },
    get rpcUrl() {
      return get().node.rpcUrl;
    },
    get wsUrl() {
      return get().node.wsUrl;
    },
    get chain() {
      return get().chain;
    },
    get publicClient() {
      return get().publicClient;
    },
    get wallets() {
      return get().wallets;
    },
    snapshot: () => rpc<Hex>("evm_snapshot"),
    async revert(id) {
      const reverted = await rpc<boolean>("evm_revert", [id]);
      if (!reverted) throw new Error(`evm_revert(${id}) failed: unknown or already used snapshot`);
    },
    async mine(blocks = 1) {
      for (let i = 0; i < blocks; i++) await rpc("evm_mine");
    },
    async deployDocTel(options) {
      const { publicClient, wallets } = get();
      const wallet = options.from ?? wallets[0]!;
      const txHash = await wallet.deployContract({
        abi: docTelAbi,
        bytecode: docTelBytecode as Hex,
        args: [
          options.initialDelay ?? 0,
          options.governance ?? wallet.account.address,
          referenceKeyId(options.pepper),
        ],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
      if (receipt.status !== "success" || !receipt.contractAddress) {
        throw new Error(`DocTel deployment ${txHash} failed (status ${receipt.status})`);
      }
      return { address: receipt.contractAddress, deployBlock: receipt.blockNumber, txHash };
    },
  };
}
