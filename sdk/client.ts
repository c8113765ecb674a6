/**
 * The DocTel client: one method per contract action, people given by Aadhaar number, every
 * write simulated before it is sent, every failure a DocTelError with a human message.
 *
 *   const doctel = createDocTelClient({ publicClient, walletClient, address, pepper, ipfs: { url } });
 *   const { treatmentId } = await doctel.openTreatment({ patientAadhaar: "2345 6789 0124" });
 */
import type { PublicClient } from "viem";
import { ConfigError } from "../shared/errors.ts";
import { createSilentLogger, type Logger } from "../shared/logger.ts";
import * as members from "./actions/members.ts";
import * as patients from "./actions/patients.ts";
import * as roles from "./actions/roles.ts";
import * as treatments from "./actions/treatments.ts";
import * as vitals from "./actions/vitals.ts";
import { type DocTelContext, type SigningWalletClient, transportUrl } from "./context.ts";
import type { Calldata } from "./encoders/abi.ts";
import { type Address, address as parseAddress } from "./encoders/fields.ts";
import { DEFAULT_MAX_FILE_BYTES } from "./file-source.ts";
import { type AttachFileInput, attachFile, uploadFile } from "./files.ts";
import { connectIpfs, type DocTelIpfs, type IpfsOptions } from "./ipfs.ts";
import { sendMulticall } from "./multicall.ts";
import * as reads from "./reads.ts";
import { createReferenceResolver } from "./references.ts";

export interface DocTelClientOptions {
  publicClient: PublicClient;
  /** Needed for writes; its account signs. */
  walletClient?: SigningWalletClient | undefined;
  /** The DocTel contract (see shared/deployment.ts readDeployment). */
  address: Address;
  /** The reference pepper, needed wherever an Aadhaar number is given. */
  pepper?: Uint8Array | undefined;
  /** The IPFS RPC API, needed to attach files. */
  ipfs?: IpfsOptions | undefined;
  /** Upload limit in bytes (default 50 MiB). */
  maxFileBytes?: number | undefined;
  logger?: Logger | undefined;
  confirmations?: number | undefined;
  pollingIntervalMs?: number | undefined;
  receiptTimeoutMs?: number | undefined;
}

type Rest<F> = F extends (ctx: DocTelContext, ...rest: infer R) => infer T ? (...rest: R) => T : never;
type RestRefs<F> = F extends (ctx: DocTelContext, refs: never, ...rest: infer R) => infer T
  ? (...rest: R) => T
  : never;

export function createDocTelClient(options: DocTelClientOptions) {
  let contract: Address;
  try {
    contract = parseAddress(options.address);
  } catch (error) {
    throw new ConfigError(`the DocTel contract address ${(error as Error).message}`);
  }
  const ctx: DocTelContext = {
    publicClient: options.publicClient,
    walletClient: options.walletClient,
    address: contract,
    rpcUrl: transportUrl(options.publicClient),
    logger: options.logger ?? createSilentLogger(),
    confirmations: options.confirmations ?? 1,
    pollingIntervalMs: options.pollingIntervalMs,
    receiptTimeoutMs: options.receiptTimeoutMs ?? 120_000,
  };
  const refs = createReferenceResolver(ctx, options.pepper);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let ipfs: DocTelIpfs | undefined;
  const requireIpfs = (): DocTelIpfs => {
    if (!options.ipfs) throw new ConfigError("attaching a file needs an IPFS node, and none was configured");
    ipfs ??= connectIpfs(options.ipfs);
    return ipfs;
  };
  // async wrappers: a validation error is a rejected promise, never a synchronous throw.
  const withCtx = <F extends (ctx: DocTelContext, ...rest: never[]) => Promise<unknown>>(f: F) =>
    (async (...rest: unknown[]) =>
      (f as unknown as (...a: unknown[]) => Promise<unknown>)(ctx, ...rest)) as Rest<F>;
  const withRefs = <F extends (ctx: DocTelContext, refs: never, ...rest: never[]) => Promise<unknown>>(
    f: F,
  ) =>
    (async (...rest: unknown[]) =>
      (f as unknown as (...a: unknown[]) => Promise<unknown>)(ctx, refs, ...rest)) as RestRefs<F>;

  return {
    address: contract,
    /** The signing account, if any. */
    account: options.walletClient?.account.address,
    context: ctx,

    // governance
    registerHospital: withCtx(members.registerHospital),
    grantRole: withCtx(roles.grantRole),
    revokeRole: withCtx(roles.revokeRole),
    beginGovernanceTransfer: withCtx(roles.beginGovernanceTransfer),
    acceptGovernance: withCtx(roles.acceptGovernance),
    cancelGovernanceTransfer: withCtx(roles.cancelGovernanceTransfer),
    // members
    registerStaff: withRefs(members.registerStaff),
    registerDoctor: withRefs(members.registerDoctor),
    registerDevice: withRefs(members.registerDevice),
    revokeMember: withCtx(members.revokeMember),
    // patients
    registerPatient: withRefs(patients.registerPatient),
    updatePatient: withRefs(patients.updatePatient),
    // treatments
    openTreatment: withRefs(treatments.openTreatment),
    assignDoctor: withCtx(treatments.assignDoctor),
    unassignDoctor: withCtx(treatments.unassignDoctor),
    recordDiagnosis: withCtx(treatments.recordDiagnosis),
    advanceStage: withCtx(treatments.advanceStage),
    recordVitals: withCtx(vitals.recordVitals),
    recordVitalsBatch: withCtx(vitals.recordVitalsBatch),
    attachFile: async (input: AttachFileInput, opts: { signal?: AbortSignal } = {}) =>
      attachFile(ctx, requireIpfs(), input, { maxFileBytes, ...opts }),
    /** Uploads and pins bytes after checking the node's CID against the local one; no transaction. */
    uploadFile: async (bytes: Uint8Array, opts: { signal?: AbortSignal } = {}) =>
      uploadFile(requireIpfs(), bytes, { maxFileBytes, ...opts }),
    multicall: async (calls: readonly Calldata[]) => sendMulticall(ctx, calls),
    // identity
    /** The on-chain reference of an Aadhaar number (after the one-time pepper check). */
    reference: (aadhaar: string) => refs.reference(aadhaar),
    verifyPepper: () => refs.verifyPepper(),
    // reads
    member: withCtx(reads.readMember),
    patientExists: withRefs(reads.patientExists),
    treatment: withCtx(reads.readTreatment),
    hasRole: withCtx(reads.hasRole),
    status: (account?: Address) => reads.readStatus(ctx, account ?? options.walletClient?.account.address),
  };
}

export type DocTelClient = ReturnType<typeof createDocTelClient>;
