import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, createWalletClient, http, parseEther } from "viem";
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

describe("the embedded chain", () => {
  it("comes back after a restart with the same blocks, hashes and state, from its journal", async () => {
    const first = await startEmbeddedChain({ dir, port: 0 });
    const transport = http(first.rpcUrl);
    const governance = privateKeyToAccount(DEV_PRIVATE_KEYS[0]);
    const wallet = createWalletClient({ account: governance, chain: hardhat, transport });
    const client = createPublicClient({ chain: hardhat, transport });
    const hash = await wallet.deployContract({
      abi: docTelAbi,
      bytecode: docTelBytecode,
      args: [0, governance.address, referenceKeyId(Buffer.alloc(32, 1))],
    });
    const { contractAddress } = await client.waitForTransactionReceipt({ hash });
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
