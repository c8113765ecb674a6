import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, createWalletClient, encodeFunctionData, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docTelAbi, docTelBytecode } from "../../shared/abi/generated/DocTel.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { startEmbeddedChain } from "../../shared/services/embedded-chain.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "doctel-embedded-chain-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rpc = async (url: string, method: string, params: unknown[] = []) => {
  const res = (await (
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    })
  ).json()) as { result?: unknown; error?: { message: string } };
  if (res.error) throw new Error(res.error.message);
  return res.result;
};

/** Governance's wallet and a public client on `rpcUrl`, and DocTel deployed by governance. */
async function withDocTel(rpcUrl: string) {
  const transport = http(rpcUrl);
  const governance = privateKeyToAccount(DEV_PRIVATE_KEYS[0]);
  const wallet = createWalletClient({ account: governance, chain: hardhat, transport });
  const client = createPublicClient({ chain: hardhat, transport });
  const hash = await wallet.deployContract({
    abi: docTelAbi,
    bytecode: docTelBytecode,
    args: [0, governance.address, referenceKeyId(Buffer.alloc(32, 1))],
  });
  const { contractAddress } = await client.waitForTransactionReceipt({ hash });
  return { governance, wallet, client, contractAddress };
}

describe("the embedded chain", () => {
  it("comes back after a restart with the same blocks, hashes and state, from its journal", async () => {
    const first = await startEmbeddedChain({ dir, port: 0 });
    const { governance, wallet, client, contractAddress } = await withDocTel(first.rpcUrl);
    // Dev-chain state outside blocks, as the simulator uses it.
    const fresh = "0x00000000000000000000000000000000000b0b00";
    await rpc(first.rpcUrl, "hardhat_setBalance", [fresh, "0x3635c9adc5dea00000"]);
    await rpc(first.rpcUrl, "evm_setAutomine", [false]);
    await wallet.writeContract({
      address: contractAddress!,
      abi: docTelAbi,
      functionName: "registerHospital",
      args: ["A", 7, 94],
    });
    await wallet.writeContract({
      address: contractAddress!,
      abi: docTelAbi,
      functionName: "registerHospital",
      args: ["B", 27, 490],
    });
    await rpc(first.rpcUrl, "evm_mine", [Math.floor(Date.now() / 1000) + 3600]);
    await rpc(first.rpcUrl, "evm_setAutomine", [true]);
    await wallet.sendTransaction({ to: fresh, value: parseEther("1") });
    const head = await client.getBlockNumber();
    const hashes = await Promise.all(
      Array.from({ length: Number(head) + 1 }, (_, i) =>
        client.getBlock({ blockNumber: BigInt(i) }).then((b) => b.hash),
      ),
    );
    const balance = await client.getBalance({ address: fresh });
    await first.close();

    const second = await startEmbeddedChain({ dir, port: 0 });
    const again = createPublicClient({ chain: hardhat, transport: http(second.rpcUrl) });
    expect(second.replayedBlocks).toBe(Number(head));
    expect(await again.getBlockNumber()).toBe(head);
    for (let i = 0; i <= Number(head); i++)
      expect((await again.getBlock({ blockNumber: BigInt(i) })).hash).toBe(hashes[i]);
    expect(await again.getBalance({ address: fresh })).toBe(balance);
    expect(
      await again.readContract({ address: contractAddress!, abi: docTelAbi, functionName: "hospitalCount" }),
    ).toBe(2);
    // Automine state came back too: a new transaction is mined at once.
    const more = createWalletClient({ account: governance, chain: hardhat, transport: http(second.rpcUrl) });
    await again.waitForTransactionReceipt({ hash: await more.sendTransaction({ to: fresh, value: 1n }) });
    expect(await again.getBlockNumber({ cacheTime: 0 })).toBe(head + 1n);
    await second.close();
  });

  it("journals a reverted transaction's block at once, in chain order, so a restart replays the same chain", async () => {
    const own = await mkdtemp(path.join(tmpdir(), "doctel-embedded-chain-revert-"));
    try {
      const first = await startEmbeddedChain({ dir: own, port: 0 });
      const { wallet, client, contractAddress } = await withDocTel(first.rpcUrl);
      const stranger = createWalletClient({
        account: privateKeyToAccount(DEV_PRIVATE_KEYS[1]),
        chain: hardhat,
        transport: http(first.rpcUrl),
      });
      // Only governance registers hospitals: with the gas given (no estimate to refuse it), the
      // transaction is mined and reverts; the node answers with the revert.
      await expect(
        stranger.sendTransaction({
          to: contractAddress!,
          data: encodeFunctionData({ abi: docTelAbi, functionName: "registerHospital", args: ["X", 7, 94] }),
          gas: 300_000n,
        }),
      ).rejects.toThrow(/revert/i);
      const reverted = await client.getBlock({ blockTag: "latest", includeTransactions: true });
      expect(reverted.transactions).toHaveLength(1);
      expect((await client.getTransactionReceipt({ hash: reverted.transactions[0]!.hash })).status).toBe(
        "reverted",
      );
      // State set outside blocks right after: it must be journaled after the reverted block.
      await rpc(first.rpcUrl, "hardhat_setBalance", [stranger.account.address, "0x3635c9adc5dea00000"]);
      await wallet.writeContract({
        address: contractAddress!,
        abi: docTelAbi,
        functionName: "registerHospital",
        args: ["A", 7, 94],
      });
      const head = await client.getBlockNumber({ cacheTime: 0 });
      const headHash = (await client.getBlock({ blockNumber: head })).hash;
      await first.close();

      const second = await startEmbeddedChain({ dir: own, port: 0 });
      const again = createPublicClient({ chain: hardhat, transport: http(second.rpcUrl) });
      expect(second.replayedBlocks).toBe(Number(head));
      expect((await again.getBlock({ blockNumber: reverted.number })).hash).toBe(reverted.hash);
      expect((await again.getBlock({ blockNumber: head })).hash).toBe(headHash);
      await second.close();
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it("refuses snapshots and reverts, which its journal could not replay", async () => {
    const chain = await startEmbeddedChain({ dir, port: 0 });
    await expect(rpc(chain.rpcUrl, "evm_snapshot")).rejects.toThrow(
      "evm_snapshot is not available on the embedded chain",
    );
    await chain.close();
  });

  it("refuses to start on a journal that does not match its genesis, rather than serve a different chain", async () => {
    const genesis = JSON.parse(await readFile(path.join(dir, "genesis.json"), "utf8"));
    await writeFile(
      path.join(dir, "genesis.json"),
      JSON.stringify({ ...genesis, initialDate: "2020-01-01T00:00:00.000Z" }),
    );
    await expect(startEmbeddedChain({ dir, port: 0 })).rejects.toThrow(
      /embedded chain replay: block \d+ hash 0x[0-9a-f]{64} expected, got/,
    );
  });
});
