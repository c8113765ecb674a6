/**
 * Deterministic actor keys: keccak256 of the seed, the role and an index. Anyone who knows the
 * seed knows the keys: they are for development chains and demos only.
 */
import { keccak256, stringToBytes } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import type { Hex } from "./model.ts";

/** secp256k1's group order: a private key must be in [1, n-1]. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export function deriveKey(seed: string, role: string, index: number): Hex {
  for (let attempt = 0; ; attempt++) {
    const key = keccak256(stringToBytes(`doctel/simulator/v1/${seed}/${role}/${index}/${attempt}`));
    const n = BigInt(key);
    if (n > 0n && n < CURVE_ORDER) return key;
  }
}

export function addressOfKey(key: Hex): Hex {
  return privateKeyToAddress(key);
}
