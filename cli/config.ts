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
 * | DATABASE_URL        | --database-url      | (files commands)              |
 * | DOCTEL_AS           | --as                | (a demo role, see below)      |
 *
 * While DOCTEL_HOME (default .doctel) holds an `npm start` installation, its settings are the
 * defaults: the pepper from secrets.json, and while the stack runs (stack.json) its chain, IPFS
 * and database URLs. `--as <role>` signs with a demo account of the cast (cast.json): governance,
 * staff, doctor, analyst, public-health, auditor, or a cast address. Variables and flags win.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_IPFS_TIMEOUT_MS, DEFAULT_MAX_FILE_BYTES } from "../sdk/index.ts";
import { address, type Env, logFields, parseConfig, positiveInt, url } from "../shared/config.ts";
import { DEFAULT_DEPLOYMENT_FILE } from "../shared/deployment.ts";
import { ConfigError } from "../shared/errors.ts";
import { MIN_PEPPER_BYTES } from "../shared/identity/reference.ts";
import { readStackFile } from "./start/stack-file.ts";

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
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL")
    .optional(),
  DOCTEL_HOME: z.string().default(".doctel"),
  DOCTEL_AS: z.string().optional(),
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
  /** The index database (files commands): DATABASE_URL, else the running stack's. */
  databaseUrl?: string | undefined;
  /** Where the settings came from, for messages: "environment" or the npm start home. */
  stack: { home: string; running: boolean } | null;
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
  as: "DOCTEL_AS",
} as const;

/** Demo roles `--as` accepts, and where each is in the cast file. */
export const DEMO_ROLES = ["governance", "staff", "doctor", "analyst", "public-health", "auditor"] as const;

interface CastKeys {
  governance: { address: string; privateKey: string | null };
  analyst: { address: string; privateKey: string | null };
  publicHealth: { address: string; privateKey: string | null };
  auditor: { address: string; privateKey: string | null };
  hospitals: {
    staff: { address: string; privateKey: string | null }[];
    doctors: { address: string; privateKey: string | null }[];
  }[];
}

/** The private key of a demo role (or a cast address) from the cast file. */
function demoKey(home: string, as: string): string {
  const file = path.join(home, "cast.json");
  let cast: CastKeys;
  try {
    cast = JSON.parse(readFileSync(file, "utf8")) as CastKeys;
  } catch {
    throw new ConfigError(
      `--as ${as} signs with a demo account of ${file}, which does not exist: run \`npm start\` first (it simulates the demo)`,
    );
  }
  const first = cast.hospitals[0];
  const byRole: Record<(typeof DEMO_ROLES)[number], { privateKey: string | null } | undefined> = {
    governance: cast.governance,
    staff: first?.staff[0],
    doctor: first?.doctors[0],
    analyst: cast.analyst,
    "public-health": cast.publicHealth,
    auditor: cast.auditor,
  };
  const everyone = [
    cast.governance,
    cast.analyst,
    cast.publicHealth,
    cast.auditor,
    ...cast.hospitals.flatMap((h) => [...h.staff, ...h.doctors]),
  ];
  const found = (DEMO_ROLES as readonly string[]).includes(as)
    ? byRole[as as (typeof DEMO_ROLES)[number]]
    : everyone.find((a) => a.address.toLowerCase() === as.toLowerCase());
  if (!found) {
    throw new ConfigError(
      `--as ${as.slice(0, 42)}: expected one of ${DEMO_ROLES.join(", ")} or an address of ${file}`,
    );
  }
  if (!found.privateKey) throw new ConfigError(`--as ${as}: ${file} has no key for that account`);
  return found.privateKey;
}

/** The pepper of an `npm start` installation (secrets.json), if there is one. */
function storedPepper(home: string): string | undefined {
  try {
    const secrets = JSON.parse(readFileSync(path.join(home, "secrets.json"), "utf8")) as { pepper?: unknown };
    return typeof secrets.pepper === "string" ? secrets.pepper : undefined;
  } catch {
    return undefined;
  }
}

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

/** Merges flags over the environment (over an `npm start` installation's settings) and parses the result once. */
export function loadCliConfig(env: Env, flags: Readonly<Record<string, unknown>>): CliConfig {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag];
    if (typeof value === "string") merged[variable] = value;
  }
  if (typeof flags.databaseUrl === "string") merged.DATABASE_URL = flags.databaseUrl;
  const home = nonEmpty(merged.DOCTEL_HOME) ?? ".doctel";
  const installed = existsSync(path.join(home, "deployment.json"));
  const running = installed ? readStackFile(home) : null;
  if (running) {
    merged.RPC_URL = nonEmpty(merged.RPC_URL) ?? running.rpcUrl;
    merged.IPFS_API_URL = nonEmpty(merged.IPFS_API_URL) ?? running.ipfsApiUrl;
    merged.DATABASE_URL = nonEmpty(merged.DATABASE_URL) ?? running.databaseUrl;
  }
  const parsed = parseConfig(cliConfigSchema, merged);
  const as = nonEmpty(parsed.DOCTEL_AS);
  if (as && (parsed.DOCTEL_KEY_FILE || nonEmpty(env.DOCTEL_PRIVATE_KEY))) {
    throw new ConfigError("give one signing key: --as, or DOCTEL_PRIVATE_KEY / --key-file, not both");
  }
  // A file given (flag or variable) wins over the inline variable.
  const key = as
    ? privateKey(demoKey(home, as), `--as ${as}`)
    : parsed.DOCTEL_KEY_FILE
      ? privateKey(readSecretFile(parsed.DOCTEL_KEY_FILE, "key"), `key file ${parsed.DOCTEL_KEY_FILE}`)
      : privateKey(nonEmpty(env.DOCTEL_PRIVATE_KEY), "DOCTEL_PRIVATE_KEY");
  const pepper = parsed.DOCTEL_PEPPER_FILE
    ? pepperBytes(
        readSecretFile(parsed.DOCTEL_PEPPER_FILE, "pepper"),
        `pepper file ${parsed.DOCTEL_PEPPER_FILE}`,
      )
    : nonEmpty(env.DOCTEL_PEPPER) !== undefined
      ? pepperBytes(nonEmpty(env.DOCTEL_PEPPER), "DOCTEL_PEPPER")
      : installed
        ? pepperBytes(storedPepper(home), `${home}/secrets.json`)
        : undefined;
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
    databaseUrl: parsed.DATABASE_URL,
    stack: installed ? { home, running: running !== null } : null,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
