/** An injected wallet (EIP-1193 window.ethereum): eth_requestAccounts, then personal_sign. */
import { stringToHex } from "viem";
import type { Signer } from "./sign-in.ts";

interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

function provider(): Eip1193Provider | null {
  const candidate = (window as { ethereum?: Eip1193Provider }).ethereum;
  return candidate && typeof candidate.request === "function" ? candidate : null;
}

export function hasInjectedWallet(): boolean {
  return provider() !== null;
}

export async function connectInjectedWallet(): Promise<Signer> {
  const eth = provider();
  if (!eth)
    throw new Error("No browser wallet found (EIP-1193 window.ethereum). Install one, or use demo mode.");
  const accounts = (await eth.request({ method: "eth_requestAccounts" })) as string[];
  const address = accounts[0] as `0x${string}` | undefined;
  if (!address) throw new Error("The wallet shared no account.");
  return {
    address,
    async signMessage(message) {
      return (await eth.request({
        method: "personal_sign",
        params: [stringToHex(message), address],
      })) as `0x${string}`;
    },
  };
}
