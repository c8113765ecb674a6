/** What every SDK action needs: the clients, the contract address, and how to report. */
import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";
import type { Logger } from "../shared/logger.ts";
import type { Address } from "./encoders/fields.ts";

/** A wallet client that can sign: it has an account. */
export type SigningWalletClient = WalletClient<Transport, Chain | undefined, Account>;

export interface DocTelContext {
  publicClient: PublicClient;
  walletClient?: SigningWalletClient | undefined;
  address: Address;
  /** For messages about an unreachable node; redacted before use. */
  rpcUrl?: string | undefined;
  logger: Logger;
  /** Blocks to wait for after inclusion (1 = the including block). */
  confirmations: number;
  /** How often to poll for a receipt; the public client's own interval when unset. */
  pollingIntervalMs?: number | undefined;
  /** How long to wait for a receipt before giving up (RpcUnavailableError). */
  receiptTimeoutMs: number;
}

/** The URL behind an HTTP/WebSocket transport, for error messages. */
export function transportUrl(client: { transport: unknown }): string | undefined {
  const url = (client.transport as { url?: unknown }).url;
  return typeof url === "string" ? url : undefined;
}
