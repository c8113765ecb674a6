/**
 * keccak-256 of a text, as 0x-prefixed hex: event selectors and role ids. From @noble/hashes
 * (what viem uses), so that the indexer does not load all of viem for two hashes.
 */
import { keccak_256 } from "@noble/hashes/sha3";

export function keccak256Text(text: string): `0x${string}` {
  return `0x${Buffer.from(keccak_256(new TextEncoder().encode(text))).toString("hex")}`;
}
