import { describe, expect, it } from "vitest";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { useTestChain } from "../helpers/chain.ts";
import { planServices, readTestServices } from "../helpers/services.ts";

const pepper = new Uint8Array(32).fill(7);

describe("useTestChain", () => {
  const chain = useTestChain();

  it("deploys DocTel with the pepper's key id, at a block the chain reports", async () => {
    const { address, deployBlock } = await chain.deployDocTel({ pepper });
    const code = await chain.publicClient.getCode({ address });
    expect(code?.length).toBeGreaterThan(2);
    expect(await chain.publicClient.getBlockNumber()).toBe(deployBlock);
    const keyId = await chain.publicClient.readContract({
      address,
      abi: docTelAbi,
      functionName: "referenceKeyId",
    });
    expect(keyId).toBe(referenceKeyId(pepper));
  });

  it("runs on the node the services switch names (TEST_SERVICES, TEST_CHAIN), so each node's run is real", async () => {
    const version = await chain.publicClient.request({ method: "web3_clientVersion" });
    const planned = planServices(readTestServices()).chain;
    expect(chain.kind).toBe(planned === "container" ? "anvil" : planned);
    if (chain.kind === "anvil") expect(version).toMatch(/^anvil\//);
    if (chain.kind === "hardhat") expect(version).toMatch(/^HardhatNetwork\//);
  });

  it("has funded wallet clients for the development accounts", async () => {
    expect(chain.wallets.length).toBe(10);
    const balance = await chain.publicClient.getBalance({ address: chain.wallets[1]!.account.address });
    expect(balance).toBeGreaterThan(0n);
  });

  it("mines blocks that each link to their parent", async () => {
    const start = await chain.publicClient.getBlockNumber();
    await chain.mine(3);
    const blocks = await Promise.all(
      [1n, 2n, 3n].map((offset) => chain.publicClient.getBlock({ blockNumber: start + offset })),
    );
    expect(blocks[0]!.number).toBe(start + 1n);
    expect(blocks[1]!.parentHash).toBe(blocks[0]!.hash);
    expect(blocks[2]!.parentHash).toBe(blocks[1]!.hash);
  });

  it("reorgs with snapshot and revert: same heights, different hashes, and the chain stays linked", async () => {
    const base = await chain.publicClient.getBlock();
    const id = await chain.snapshot();
    await chain.mine(2);
    const before = await chain.publicClient.getBlock();
    await chain.revert(id);
    expect(await chain.publicClient.getBlockNumber()).toBe(base.number);
    // A different timestamp makes the replacement blocks differ even when they are empty.
    await chain.publicClient.request({
      method: "evm_setNextBlockTimestamp",
      params: [Number(before.timestamp) + 100],
    } as never);
    await chain.mine(2);
    const after = await chain.publicClient.getBlock();
    expect(after.number).toBe(before.number);
    expect(after.hash).not.toBe(before.hash);
    const firstAfter = await chain.publicClient.getBlock({ blockNumber: base.number + 1n });
    expect(firstAfter.parentHash).toBe(base.hash);
  });

  it("refuses to revert to a snapshot twice, because evm_revert uses it up", async () => {
    const id = await chain.snapshot();
    await chain.revert(id);
    await expect(chain.revert(id)).rejects.toThrow(/evm_revert/);
  });
});
