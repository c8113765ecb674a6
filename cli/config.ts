/**
 * The CLI's configuration: environment variables, overridden by global flags, parsed once at
 * start with zod. Secrets (the signing key, the pepper) are checked here too, and never echoed.
 *
 * | variable            | flag                | default                       |
 * |---------------------|---------------------|-------------------------------|
 * | RPC_URL             | --rpc-url           | http://127.0.0.1:8545         |
 * | DOCTEL_PRIVATE_KEY  | --key-file (a file) |                               |
 * | DOCTEL_PEPPER       | --pepper-file       |                               |
 * | DEPLOYMENT_FILE     | --deployment-file   | .doctel/deployment.json       |
 * | CONTRACT_ADDRESS    | --contract          | (from the deployment file)    |
 * | IPFS_API_URL        | --ipfs-api-url      | http://127.0.0.1:5001         |
 * | IPFS_TIMEOUT_MS     | --ipfs-timeout-ms   | 120000                        |
 * | MAX_FILE_BYTES      | --max-file-bytes    | 52428800 (50 MiB)             |
 * | LOG_LEVEL           | --log-level         | warn                          |
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_IPFS_TIMEOUT_MS, DEFAULT_MAX_FILE_BYTES } from "../sdk/index.ts";
import { address, type Env, logFields, parseConfig, positiveInt, url } from "../shared/config.ts";
import { DEFAULT_DEPLOYMENT_FILE } from "../shared/deployment.ts";
import { ConfigError } from "../shared/errors.ts";
import { MIN_PEPPER_BYTES } from "../shared/identity/reference.ts";

/** Non-secret settings: parsed by parseConfig, whose messages may quote the value given. */
export const cliConfigSchema = z.object({
  RPC_URL: url.default("http://127.0.0.1:8545"),
  DEPLOYMENT_FILE: z.string().default(DEFAULT_DEPLOYMENT_FILE),
  CONTRACT_ADDRESS: address.optional(),
  IPFS_API_URL: url.default("http://127.0.0.1:5001"),
  IPFS_TIMEOUT_MS: positiveInt.default(DEFAULT_IPFS_TIMEOUT_MS),
  MAX_FILE_BYTES: positiveInt.default(DEFAULT_MAX_FILE_BYTES),
  DOCTEL_KEY_FILE: z.string().optional(),
  DOCTEL_PEPPER_FILE: z.string().optional(),
  LOG_LEVEL: logFields.LOG_LEVEL.default("warn"),
});

export interface CliConfig {
  rpcUrl: string;
  /** Undefined when neither DOCTEL_PRIVATE_KEY nor --key-file is given (read-only commands). */
  privateKey?: `0x${string}` | undefined;
  pepper?: Buffer | undefined;
  deploymentFile: string;
  contractAddress?: `0x${string}` | undefined;
  ipfsApiUrl: string;
  ipfsTimeoutMs: number;
  maxFileBytes: number;
  logLevel: string;
}

/** Global flags (commander's camelCase names) → the variable each overrides. */
export const FLAG_VARIABLES = {
  rpcUrl: "RPC_URL",
  keyFile: "DOCTEL_KEY_FILE",
  pepperFile: "DOCTEL_PEPPER_FILE",
  deploymentFile: "DEPLOYMENT_FILE",
  contract: "CONTRACT_ADDRESS",
  ipfsApiUrl: "IPFS_API_URL",
  ipfsTimeoutMs: "IPFS_TIMEOUT_MS",
  maxFileBytes: "MAX_FILE_BYTES",
  logLevel: "LOG_LEVEL",
} as const;

function readSecretFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `cannot read the ${what} file ${file}: ${code === "ENOENT" ? "no such file" : code}`,
    );
  }
}

function privateKey(value: string | undefined, source: string): `0x${string}` | undefined {
  if (value === undefined) return undefined;
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(value)) {
    throw new ConfigError(`${source}: expected a private key, 32 bytes as 64 hex digits (value not shown)`);
  }
  return `0x${value.replace(/^0x/, "").toLowerCase()}`;
}

function pepperBytes(value: string | undefined, source: string): Buffer | undefined {
  if (value === undefined) return undefined;
  if (!/^(0x)?([0-9a-fA-F]{2})+$/.test(value) || value.replace(/^0x/, "").length < MIN_PEPPER_BYTES * 2) {
    throw new ConfigError(
      `${source}: expected at least ${MIN_PEPPER_BYTES} bytes as hex (${MIN_PEPPER_BYTES * 2}+ hex digits) (value not shown)`,
    );
  }
  return Buffer.from(value.replace(/^0x/, ""), "hex");
}

/** Merges flags over the environment and parses the result once. */
export function loadCliConfig(env: Env, flags: Readonly<Record<string, unknown>>): CliConfig {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag];
    if (typeof value === "string") merged[variable] = value;
  }
  const parsed = parseConfig(cliConfigSchema, merged);
  // A file given (flag or variable) wins over the inline variable.
  const key = parsed.DOCTEL_KEY_FILE
    ? privateKey(readSecretFile(parsed.DOCTEL_KEY_FILE, "key"), `key file ${parsed.DOCTEL_KEY_FILE}`)
    : privateKey(nonEmpty(env.DOCTEL_PRIVATE_KEY), "DOCTEL_PRIVATE_KEY");
  const pepper = parsed.DOCTEL_PEPPER_FILE
    ? pepperBytes(
        readSecretFile(parsed.DOCTEL_PEPPER_FILE, "pepper"),
        `pepper file ${parsed.DOCTEL_PEPPER_FILE}`,
      )
    : pepperBytes(nonEmpty(env.DOCTEL_PEPPER), "DOCTEL_PEPPER");
  return {
    rpcUrl: parsed.RPC_URL,
    privateKey: key,
    pepper,
    deploymentFile: parsed.DEPLOYMENT_FILE,
    contractAddress: parsed.CONTRACT_ADDRESS,
    ipfsApiUrl: parsed.IPFS_API_URL,
    ipfsTimeoutMs: parsed.IPFS_TIMEOUT_MS,
    maxFileBytes: parsed.MAX_FILE_BYTES,
    logLevel: parsed.LOG_LEVEL,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
