/**
 * Signs the simulator's transactions locally (EIP-1559), nonces counted here. Within a block,
 * the priority tip falls by one wei per position, so the node's mempool orders the block exactly
 * as planned: treatment ids, which the contract hands out in execution order, are known
 * before sending.
 */
import type { PrivateKeyAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Actor, Hex } from "./model.ts";

/** Fees: the simulator zeroes the base fee of each block it mines, so only the tip is paid. */
export const MAX_FEE_PER_GAS = 1_000_000_000_000n;
export const BASE_TIP = 1_000_000n;

export interface SignedTx {
  raw: Hex;
  from: Hex;
  nonce: number;
}

export interface Signer {
  setNonce(actor: Actor, nonce: number): void;
  sign(
    actor: Actor,
    tx: { to: Hex; data: Hex; gas: number; position: number; blockSize: number },
  ): Promise<SignedTx>;
}

export function createSigner(chainId: number): Signer {
  const accounts = new Map<Actor, PrivateKeyAccount>();
  const nonces = new Map<Actor, number>();
  return {
    setNonce(actor, nonce) {
      nonces.set(actor, nonce);
    },
    async sign(actor, tx) {
      let account = accounts.get(actor);
      if (!account) {
        if (!actor.key) throw new Error(`no signing key for ${actor.label} (${actor.address})`);
        account = privateKeyToAccount(actor.key);
        accounts.set(actor, account);
      }
      const nonce = nonces.get(actor);
      if (nonce === undefined) throw new Error(`no nonce known for ${actor.label}`);
      nonces.set(actor, nonce + 1);
      const raw = await account.signTransaction({
        type: "eip1559",
        chainId,
        nonce,
        to: tx.to,
        data: tx.data,
        gas: BigInt(tx.gas),
        maxFeePerGas: MAX_FEE_PER_GAS,
        maxPriorityFeePerGas: BASE_TIP + BigInt(tx.blockSize - tx.position),
      });
      // The hash comes back from eth_sendRawTransaction: no second keccak over the calldata here.
      return { raw, from: actor.address, nonce };
    },
  };
}
