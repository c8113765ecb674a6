/**
 * The deployment record: where the DocTel contract lives and how to follow it. Written by
 * `doctel deploy` (sdk `deployDocTel`), read by the CLI, the indexer and the API.
 *
 * ```json
 * { "chainId": 31337, "address": "0x…", "deployBlock": 1, "deployTxHash": "0x…",
 *   "governance": "0x…", "referenceKeyId": "0x…", "deployedAt": "2025-01-01T00:00:00.000Z" }
 * ```
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { address, hex32 } from "./config.ts";
import { ConfigError } from "./errors.ts";

/** Where the CLI writes and reads the record unless told otherwise (DEPLOYMENT_FILE). */
export const DEFAULT_DEPLOYMENT_FILE = ".doctel/deployment.json";

/** Where the simulator writes its cast (demo accounts) and the API's demo mode reads it (CAST_FILE). */
export const DEFAULT_CAST_FILE = ".doctel/cast.json";

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  address,
  /** The block that holds the deployment: indexers start there. */
  deployBlock: z.number().int().nonnegative(),
  deployTxHash: hex32,
  /** The initial governance admin (DEFAULT_ADMIN_ROLE); it may have been handed over since. */
  governance: address,
  /** The contract's referenceKeyId(): the public fingerprint of the reference pepper. */
  referenceKeyId: hex32,
  /** ISO-8601 timestamp of the deployment block. */
  deployedAt: z.iso.datetime({ offset: true }),
});

export type DeploymentRecord = z.output<typeof deploymentSchema>;

/** Reads and validates a deployment record; a missing or malformed file is a ConfigError. */
export async function readDeployment(file: string): Promise<DeploymentRecord> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : "it cannot be read";
    throw new ConfigError(
      `cannot read the deployment record ${file}: ${reason} (deploy first, or set CONTRACT_ADDRESS)`,
      { cause: error, details: { file } },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`deployment record ${file} is not valid JSON`, { cause: error, details: { file } });
  }
  const result = deploymentSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`deployment record ${file} is invalid: ${issues.join("; ")}`, {
      details: { file, issues },
    });
  }
  return result.data;
}

/** Validates and writes a record atomically (temporary file, then rename), creating folders. */
export async function writeDeployment(file: string, record: DeploymentRecord): Promise<void> {
  const valid = deploymentSchema.parse(record);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(valid, null, 2)}\n`);
  await rename(temporary, file);
}
