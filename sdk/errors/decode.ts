/**
 * Turns whatever viem, the node or the wallet threw into one DocTelError with a human message:
 * a decoded custom error (revert-messages.ts), an unreachable node (RpcUnavailableError with the
 * redacted URL), or an UnexpectedError naming the action. Never raw revert data or a stack.
 */
import {
  BaseError,
  ContractFunctionZeroDataError,
  decodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  TimeoutError,
  WebSocketRequestError,
} from "viem";
import { DocTelError, NotFoundError } from "../../shared/errors.ts";
import { redactUrl } from "../../shared/redact.ts";
import { docTelAbi } from "../encoders/abi.ts";
import { ContractRevertedError, RpcUnavailableError, UnexpectedError } from "./classes.ts";
import { describeRevert } from "./revert-messages.ts";

export interface DecodeContext {
  /** What was being done, for messages: "registerPatient", "reading the contract". */
  action: string;
  /** The JSON-RPC URL (redacted before use). */
  rpcUrl?: string | undefined;
  /** The contract address, for "no contract there" messages. */
  address?: string | undefined;
}

type Hex = `0x${string}`;

/** The revert data anywhere in a viem error chain: RawContractError.data, CallExecutionError.data… */
export function findRevertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  let found: Hex | undefined;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    const hex = typeof data === "string" ? data : (data as { data?: unknown } | undefined)?.data;
    if (typeof hex === "string" && /^0x[0-9a-fA-F]{8}/.test(hex)) {
      found = hex as Hex;
      return true;
    }
    return false;
  });
  return found;
}

function networkDetail(error: BaseError): string | undefined {
  const hit = error.walk(
    (e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError,
  );
  if (!hit) return undefined;
  if (hit instanceof TimeoutError) return "it did not answer in time";
  if (hit instanceof HttpRequestError && hit.status !== undefined) {
    return hit.status >= 500 || hit.status === 429 ? `it answered HTTP ${hit.status}` : undefined;
  }
  let code: string | undefined;
  let current: unknown = hit;
  for (let depth = 0; current && depth < 6; depth++) {
    code ??= (current as { code?: string }).code;
    current = (current as { cause?: unknown }).cause;
  }
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ECONNRESET") return "connection reset";
  return "the request failed";
}

function decodeRevert(data: Hex, cause: unknown): DocTelError | undefined {
  try {
    const decoded = decodeErrorResult({ abi: docTelAbi, data }) as {
      errorName: string;
      args?: readonly unknown[];
    };
    const first = String(decoded.args?.[0]);
    if (decoded.errorName === "Error") {
      return new ContractRevertedError(`the contract rejected the call: ${first}`, { cause });
    }
    if (decoded.errorName === "Panic")
      return new ContractRevertedError(`the contract panicked (code ${first})`, { cause });
    return describeRevert(decoded.errorName, decoded.args ?? [], { cause });
  } catch {
    return undefined;
  }
}

export function toDocTelError(error: unknown, context: DecodeContext): DocTelError {
  if (error instanceof DocTelError) return error;
  if (error instanceof BaseError) {
    const data = findRevertData(error);
    const decoded = data ? decodeRevert(data, error) : undefined;
    if (decoded) return decoded;
    if (data)
      return new ContractRevertedError(
        `the contract rejected ${context.action} (unknown error ${data.slice(0, 10)})`,
        { cause: error },
      );
    const network = networkDetail(error);
    if (network) {
      const url = context.rpcUrl ? redactUrl(context.rpcUrl) : "(unknown URL)";
      return new RpcUnavailableError(`cannot reach the JSON-RPC node at ${url}: ${network}`, url, {
        cause: error,
      });
    }
    if (error.walk((e) => e instanceof ContractFunctionZeroDataError)) {
      return new NotFoundError(
        `no DocTel contract answers at ${context.address ?? "that address"} (${context.action} returned no data): wrong address or chain?`,
        { cause: error },
      );
    }
    if (error.walk((e) => e instanceof InsufficientFundsError)) {
      return new UnexpectedError(`${context.action}: the sending account has too little ETH to pay for gas`, {
        cause: error,
      });
    }
    return new UnexpectedError(`${context.action} failed: ${error.shortMessage}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UnexpectedError(`${context.action} failed: ${message}`, { cause: error });
}
