/**
 * Deploys DocTel: the governance account, the admin handover delay and the pepper's public
 * fingerprint (referenceKeyId) go to the constructor. Simulated first; returns the deployment
 * record and writes it when `deploymentFile` is given.
 */
import { encodeDeployData, getAddress, type PublicClient } from "viem";
import { type DeploymentRecord, writeDeployment } from "../shared/deployment.ts";
import { ConfigError, ValidationError } from "../shared/errors.ts";
import { MIN_PEPPER_BYTES, referenceKeyId } from "../shared/identity/reference.ts";
import { createSilentLogger, type Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { type SigningWalletClient, transportUrl } from "./context.ts";
import { docTelAbi, docTelBytecode } from "./encoders/abi.ts";
import { type Address, address, int, UINT48_MAX } from "./encoders/fields.ts";
import { ContractRevertedError, RpcUnavailableError } from "./errors/classes.ts";
import { toDocTelError } from "./errors/decode.ts";

export interface DeployOptions {
  walletClient: SigningWalletClient;
  publicClient: PublicClient;
  /** The governance admin (DEFAULT_ADMIN_ROLE): an EOA at first, later handed to a multisig. */
  governance: Address;
  /** The reference pepper; only its fingerprint reaches the chain. */
  pepper: Uint8Array;
  /** Delay before a governance handover can be accepted (AccessControlDefaultAdminRules). */
  adminDelaySeconds: number;
  /** Write the deployment record to this path (e.g. DEFAULT_DEPLOYMENT_FILE). */
  deploymentFile?: string | undefined;
  logger?: Logger | undefined;
  receiptTimeoutMs?: number | undefined;
}

export interface DeployResult {
  record: DeploymentRecord;
  /** Where the record was written, if anywhere. */
  deploymentFile?: string | undefined;
}

function validate(options: DeployOptions): { governance: Address; delay: number } {
  if (options.pepper.length < MIN_PEPPER_BYTES) {
    throw new ConfigError(
      `the reference pepper must be at least ${MIN_PEPPER_BYTES} bytes (got ${options.pepper.length})`,
    );
  }
  try {
    const governance = address(options.governance);
    if (/^0x0{40}$/i.test(governance)) throw new Error("must not be the zero address");
    const delay = int(options.adminDelaySeconds, 0, UINT48_MAX, " s");
    return { governance, delay };
  } catch (error) {
    const field = /address/.test((error as Error).message) ? "governance" : "adminDelaySeconds";
    throw new ValidationError(`invalid deployment: ${field} ${(error as Error).message}`, {
      details: { field },
    });
  }
}

export async function deployDocTel(options: DeployOptions): Promise<DeployResult> {
  const { governance, delay } = validate(options);
  const logger = options.logger ?? createSilentLogger();
  const rpcUrl = transportUrl(options.publicClient);
  const keyId = referenceKeyId(options.pepper);
  const args = [delay, governance, keyId] as const;
  const wallet = options.walletClient;
  const action = "deploying DocTel";
  const fail = (error: unknown) => toDocTelError(error, { action, rpcUrl });

  const data = encodeDeployData({ abi: docTelAbi, bytecode: docTelBytecode, args });
  await options.publicClient.call({ account: wallet.account, data }).catch((error: unknown) => {
    throw fail(error);
  });
  const hash = await wallet
    .deployContract({
      abi: docTelAbi,
      bytecode: docTelBytecode,
      args,
      account: wallet.account,
      chain: wallet.chain ?? null,
    })
    .catch((error: unknown) => {
      throw fail(error);
    });
  const timeout = options.receiptTimeoutMs ?? 120_000;
  const receipt = await options.publicClient
    .waitForTransactionReceipt({ hash, timeout })
    .catch((error: unknown) => {
      const url = rpcUrl ? redactUrl(rpcUrl) : "the JSON-RPC node";
      if ((error as Error).name === "WaitForTransactionReceiptTimeoutError") {
        throw new RpcUnavailableError(
          `deployment ${hash} was sent but no receipt arrived from ${url} in time`,
          url,
          {
            cause: error,
          },
        );
      }
      throw fail(error);
    });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new ContractRevertedError(
      `deployment transaction ${hash} reverted in block ${receipt.blockNumber}`,
    );
  }
  const [chainId, block] = await Promise.all([
    options.publicClient.getChainId(),
    options.publicClient.getBlock({ blockNumber: receipt.blockNumber }),
  ]).catch((error: unknown) => {
    throw fail(error);
  });
  const record: DeploymentRecord = {
    chainId,
    address: getAddress(receipt.contractAddress),
    deployBlock: Number(receipt.blockNumber),
    deployTxHash: hash,
    governance,
    referenceKeyId: keyId,
    deployedAt: new Date(Number(block.timestamp) * 1000).toISOString(),
  };
  logger.info(
    { address: record.address, chain_id: chainId, block_number: record.deployBlock },
    "DocTel deployed",
  );
  if (options.deploymentFile) await writeDeployment(options.deploymentFile, record);
  return { record, deploymentFile: options.deploymentFile };
}
