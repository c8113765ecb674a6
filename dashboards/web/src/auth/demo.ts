/**
 * Demo mode: the server's GET /demo/accounts (404 unless DEMO_MODE=true) lists the simulator's
 * actors with their seed-derived keys; the browser signs the SIWE message locally with one.
 */
import type { DemoAccounts, DemoActor } from "../../../demo-types.ts";
import type { Signer } from "./sign-in.ts";

export type { DemoAccounts, DemoActor };

/** The demo accounts, or null when demo mode is off; throws with the server's reason otherwise. */
export async function fetchDemoAccounts(signal?: AbortSignal): Promise<DemoAccounts | null> {
  const res = await fetch("/demo/accounts", {
    headers: { accept: "application/json" },
    ...(signal ? { signal } : {}),
  });
  if (res.ok) return (await res.json()) as DemoAccounts;
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (res.status === 404 && body?.error?.message === "demo mode is off") return null;
  throw new Error(`Demo accounts are unavailable: ${body?.error?.message ?? `HTTP ${res.status}`}`);
}

export async function demoSigner(actor: DemoActor): Promise<Signer> {
  // viem's signing code is loaded only when a demo account is used.
  const { privateKeyToAccount } = await import("viem/accounts");
  const account = privateKeyToAccount(actor.privateKey);
  return { address: account.address, signMessage: (message) => account.signMessage({ message }) };
}
