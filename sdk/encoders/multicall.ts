/**
 * DocTel inherits OpenZeppelin Multicall: `multicall(bytes[])` runs several calls in one
 * transaction, each as the sender, all or nothing. Mind the per-transaction gas cap
 * (16,777,216 on current Hardhat/Osaka rules) when packing many calls.
 */
import { encodeFunctionData } from "viem";
import { ValidationError } from "../../shared/errors.ts";
import { type Calldata, docTelAbi } from "./abi.ts";

export function encodeMulticall(calls: readonly Calldata[]): Calldata {
  if (calls.length === 0) throw new ValidationError("invalid multicall: give at least one call");
  for (const [index, call] of calls.entries()) {
    if (!/^0x([0-9a-fA-F]{2}){4,}$/.test(call)) {
      throw new ValidationError(
        `invalid multicall: calls[${index}] is not calldata (0x, a selector, arguments)`,
      );
    }
  }
  return encodeFunctionData({ abi: docTelAbi, functionName: "multicall", args: [calls] });
}
