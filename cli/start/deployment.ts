/**
 * The stack's deployment: the record in DOCTEL_HOME when the contract it names is on the chain,
 * otherwise a fresh deployment (governance: the embedded chain's first development account, or
 * DOCTEL_PRIVATE_KEY on an external chain).
 */
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployDocTel, type SigningWalletClient } from "../../sdk/index.ts";
import { type DeploymentRecord, readDeployment } from "../../shared/deployment.ts";
import { ConfigError } from "../../shared/errors.ts";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import type { Logger } from "../../shared/logger.ts";

export async function ensureDeployment(args: {
  rpcUrl: string;
  file: string;
  pepper: Buffer;
  governanceKey: `0x${string}` | undefined;
  logger: Logger;
}): Promise<{ record: DeploymentRecord; fresh: boolean }> {
  const publicClient = createPublicClient({
    transport: http(args.rpcUrl, { retryCount: 0 }),
  }) as PublicClient;
  const chainId = await publicClient.getChainId();
  const existing = await readDeployment(args.file).catch(() => undefined);
  if (existing && existing.chainId === chainId) {
    const code = await publicClient.getCode({ address: existing.address });
    if (code && code !== "0x") {
      if (existing.referenceKeyId.toLowerCase() !== referenceKeyId(args.pepper)) {
        throw new ConfigError(
          `the pepper does not match the deployment in ${args.file} (referenceKeyId ${existing.referenceKeyId}); restore DOCTEL_PEPPER or the secrets file`,
        );
      }
      return { record: existing, fresh: false };
    }
    args.logger.warn(
      { contract: existing.address },
      "the recorded contract is not on this chain: deploying a new one",
    );
  }
  if (!args.governanceKey) {
    throw new ConfigError(
      "no DocTel deployment on this chain: set DOCTEL_PRIVATE_KEY (the governance key) to deploy one",
    );
  }
  const account = privateKeyToAccount(args.governanceKey);
  const walletClient = createWalletClient({
    account,
    transport: http(args.rpcUrl, { retryCount: 0 }),
  }) as SigningWalletClient;
  const { record } = await deployDocTel({
    publicClient,
    walletClient,
    governance: account.address,
    pepper: args.pepper,
    adminDelaySeconds: 0,
    deploymentFile: args.file,
  });
  args.logger.info({ contract: record.address, block: record.deployBlock }, "DocTel deployed");
  return { record, fresh: true };
}
