/**
 * Same seed, same sizes, same start, same genesis: the same chain, block hash for block hash.
 * Two fresh chains with one genesis date, the contract deployed at the same timestamp by the same
 * key, and one simulation on each.
 */
import { createPublicClient, createWalletClient, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDocTel, docTelAbi, type SigningWalletClient } from "../../sdk/index.ts";
import { DEV_PRIVATE_KEYS, type LocalChain, startLocalChain } from "../../shared/services/chain.ts";
import { connectDevChain } from "../../simulator/devchain.ts";
import { runSimulation, type SimulationSummary } from "../../simulator/index.ts";
import { connectRpc } from "../../simulator/rpc.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";

const PEPPER = Buffer.alloc(32, 0x5a);
const GENESIS = new Date("2025-03-01T00:00:00Z");
const ipfs = useTestIpfs();

interface Run {
  node: LocalChain;
  publicClient: PublicClient;
  contract: Hex;
  summary: SimulationSummary;
}
const runs: Run[] = [];

async function simulateOnFreshChain(): Promise<Run> {
  const node = await startLocalChain({ port: 0, initialDate: GENESIS });
  const rpc = await connectRpc(node.rpcUrl);
  // The deployment block's timestamp would follow the wall clock: pin it.
  await rpc.request("evm_setNextBlockTimestamp", [GENESIS.getTime() / 1000 + 60]);
  await rpc.close();
  const transport = http(node.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport }) as PublicClient;
  const account = privateKeyToAccount(DEV_PRIVATE_KEYS[0]);
  const walletClient = createWalletClient({ account, transport }) as SigningWalletClient;
  const { record } = await deployDocTel({
    publicClient,
    walletClient,
    governance: account.address,
    pepper: PEPPER,
    adminDelaySeconds: 0,
  });
  const summary = await runSimulation({
    rpcUrl: node.rpcUrl,
    ipfsApiUrl: ipfs.apiUrl,
    deployment: record,
    governanceKey: DEV_PRIVATE_KEYS[0],
    pepper: PEPPER,
    seed: "determinism",
    targetEvents: 1_200,
    hospitals: 2,
    days: 40,
    filesFraction: 0.2,
    start: new Date("2025-03-02T00:00:00Z"),
    castFile: false,
  });
  return { node, publicClient, contract: record.address, summary };
}

beforeAll(async () => {
  runs.push(await simulateOnFreshChain());
  runs.push(await simulateOnFreshChain());
}, 600_000);

afterAll(async () => {
  for (const run of runs) await run.node.close();
});

describe("a simulation's determinism", { timeout: 120_000 }, () => {
  it("produces the same blocks, hash for hash, on two fresh chains with the same genesis", async () => {
    const [a, b] = runs as [Run, Run];
    expect(b.summary.firstBlock).toBe(a.summary.firstBlock);
    expect(b.summary.lastBlock).toBe(a.summary.lastBlock);
    expect(a.summary.blocks).toBeGreaterThan(50);
    for (let n = a.summary.firstBlock; n <= a.summary.lastBlock; n++) {
      const [x, y] = await Promise.all([
        a.publicClient.getBlock({ blockNumber: BigInt(n) }),
        b.publicClient.getBlock({ blockNumber: BigInt(n) }),
      ]);
      expect(y.hash, `block ${n}`).toBe(x.hash);
    }
  });

  it("produces the same decoded events in the same order", async () => {
    const [a, b] = runs as [Run, Run];
    const events = async (run: Run) =>
      (
        await run.publicClient.getContractEvents({ address: run.contract, abi: docTelAbi, fromBlock: 0n })
      ).map((e) => ({ name: e.eventName, args: e.args, block: e.blockNumber, index: e.logIndex }));
    const [x, y] = await Promise.all([events(a), events(b)]);
    // + the deployment's RoleGranted; AccessControlSequenced numbers OpenZeppelin's events.
    expect(x.filter((e) => e.name !== "AccessControlSequenced").length).toBe(a.summary.events + 1);
    expect(y).toEqual(x);
    expect(new Set(x.map((e) => e.name)).size).toBeGreaterThan(10);
  });

  it("gives the node back its automine setting afterwards", async () => {
    const rpc = await connectRpc(runs[0]!.node.rpcUrl);
    try {
      const chain = await connectDevChain(rpc);
      expect(chain.automineBefore).toBe(true);
    } finally {
      await rpc.close();
    }
  });
});
