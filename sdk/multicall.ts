/** Several DocTel calls in one transaction (OpenZeppelin Multicall): all succeed or none. */
import type { DocTelContext } from "./context.ts";
import type { Calldata } from "./encoders/abi.ts";
import { encodeMulticall } from "./encoders/multicall.ts";
import { type TxResult, transact } from "./transact.ts";

/** Simulates and sends `calls` (from the encoders) as one multicall; the first failing call's error is reported. */
export function sendMulticall(ctx: DocTelContext, calls: readonly Calldata[]): Promise<TxResult> {
  return transact(ctx, encodeMulticall(calls), "multicall");
}
