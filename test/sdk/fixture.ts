/**
 * Shared set-up for the SDK and CLI tests, on top of test/helpers (a chain and an IPFS node of
 * each file's own): accounts by role, synthetic Aadhaar numbers, a deployed care network.
 */
import { createServer } from "node:net";
import { createPublicClient, createWalletClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  createDocTelClient,
  type DocTelClient,
  deployDocTel,
  type SigningWalletClient,
} from "../../sdk/index.ts";
import { completeAadhaar } from "../../shared/identity/aadhaar.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";

/** A test pepper (32 bytes); never a real one. */
export const PEPPER = Buffer.alloc(32, 0x5a);
export const PEPPER_HEX = PEPPER.toString("hex");
export const OTHER_PEPPER = Buffer.alloc(32, 0x33);

export const KEYS = {
  governance: DEV_PRIVATE_KEYS[0],
  staff: DEV_PRIVATE_KEYS[1],
  doctor: DEV_PRIVATE_KEYS[2],
  doctor2: DEV_PRIVATE_KEYS[3],
  device: DEV_PRIVATE_KEYS[4],
  outsider: DEV_PRIVATE_KEYS[5],
  successor: DEV_PRIVATE_KEYS[6],
  staff2: DEV_PRIVATE_KEYS[7],
} as const;

export const addressOf = (key: `0x${string}`) => privateKeyToAccount(key).address;

/** Valid Aadhaar numbers (Verhoeff check digit appended); synthetic. */
export const AADHAAR = {
  patient: completeAadhaar("23456789012"),
  patient2: completeAadhaar("34567890123"),
  staff: completeAadhaar("45678901234"),
  doctor: completeAadhaar("56789012345"),
  doctor2: completeAadhaar("67890123456"),
  unregistered: completeAadhaar("78901234567"),
} as const;

/** Delhi (LGD state 7), Central district (77). */
export const REGION = { stateCode: 7, districtCode: 77 } as const;

export const PATIENT = {
  weightGrams: 68_000,
  heightCm: 172,
  sex: "FEMALE",
  bloodGroup: "O+",
  birthDate: "1985-04-12",
  ...REGION,
} as const;

export function clients(rpcUrl: string, key?: `0x${string}`) {
  // Generous timeout: estimating a 512-reading vitals batch is slow on a busy machine.
  const transport = http(rpcUrl, { retryCount: 0, timeout: 120_000 });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const walletClient = key
    ? (createWalletClient({ account: privateKeyToAccount(key), transport }) as SigningWalletClient)
    : undefined;
  return { publicClient, walletClient };
}

export async function deploy(
  rpcUrl: string,
  options: { deploymentFile?: string; adminDelaySeconds?: number } = {},
) {
  const { publicClient, walletClient } = clients(rpcUrl, KEYS.governance);
  return deployDocTel({
    publicClient,
    walletClient: walletClient!,
    governance: walletClient!.account.address,
    pepper: PEPPER,
    adminDelaySeconds: options.adminDelaySeconds ?? 0,
    deploymentFile: options.deploymentFile,
  });
}

export function clientFor(
  rpcUrl: string,
  address: `0x${string}`,
  key?: `0x${string}`,
  extra: { ipfsUrl?: string; ipfsTimeoutMs?: number; pepper?: Uint8Array; maxFileBytes?: number } = {},
): DocTelClient {
  const { publicClient, walletClient } = clients(rpcUrl, key);
  return createDocTelClient({
    publicClient,
    walletClient,
    address,
    pepper: extra.pepper ?? PEPPER,
    pollingIntervalMs: 50,
    ...(extra.ipfsUrl ? { ipfs: { url: extra.ipfsUrl, timeoutMs: extra.ipfsTimeoutMs ?? 30_000 } } : {}),
    ...(extra.maxFileBytes ? { maxFileBytes: extra.maxFileBytes } : {}),
  });
}

/**
 * A deployed contract with one hospital, its staff member, two doctors and a registered patient;
 * `as(role)` gives a client signing as that role.
 */
export async function careNetwork(rpcUrl: string, ipfsUrl?: string) {
  const { record } = await deploy(rpcUrl);
  const as = (key: `0x${string}` | undefined, extra: Parameters<typeof clientFor>[3] = {}) =>
    clientFor(rpcUrl, record.address, key, { ...(ipfsUrl ? { ipfsUrl } : {}), ...extra });
  const governance = as(KEYS.governance);
  const staff = as(KEYS.staff);
  const { hospitalId } = await governance.registerHospital({ name: "AIIMS Delhi", ...REGION });
  await governance.registerStaff({ account: addressOf(KEYS.staff), hospitalId, aadhaar: AADHAAR.staff });
  await staff.registerDoctor({
    account: addressOf(KEYS.doctor),
    aadhaar: AADHAAR.doctor,
    specialty: "CARDIOLOGY",
  });
  await staff.registerDoctor({ account: addressOf(KEYS.doctor2), aadhaar: AADHAAR.doctor2, specialty: 1 });
  await staff.registerPatient({ aadhaar: AADHAAR.patient, ...PATIENT });
  return { record, hospitalId, as, governance, staff, doctor: as(KEYS.doctor), outsider: as(KEYS.outsider) };
}

/** A TCP port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Seconds since the epoch, a minute ago (safely in the chain's past). */
export const aMinuteAgo = () => Math.floor(Date.now() / 1000) - 60;
