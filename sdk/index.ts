/**
 * The DocTel SDK: a typed viem client for the contract, pure calldata encoders for bulk use
 * (the simulator), CID computation and verified uploads, and revert decoding.
 */

export { CID_PARAMETERS, computeCid, KUBO_ADD_OPTIONS } from "./cid.ts";
export { createDocTelClient, type DocTelClient, type DocTelClientOptions } from "./client.ts";
export type { DocTelContext, SigningWalletClient } from "./context.ts";
export { type DeployOptions, type DeployResult, deployDocTel } from "./deploy.ts";
// pure encoders
export { type Calldata, docTelAbi, docTelBytecode } from "./encoders/abi.ts";
export type { Address, Hex32 } from "./encoders/fields.ts";
export { bytes8ToIcd10, icd10ToBytes8, normalizeIcd10 } from "./encoders/icd10.ts";
export * from "./encoders/labels.ts";
export * from "./encoders/members.ts";
export { encodeMulticall } from "./encoders/multicall.ts";
export {
  encodePatientData,
  PATIENT_BOUNDS,
  type PatientData,
  type PatientInput,
} from "./encoders/patient.ts";
export * from "./encoders/patients.ts";
export * from "./encoders/roles.ts";
export * from "./encoders/treatments.ts";
export type { FieldIssue } from "./encoders/validate.ts";
export * from "./encoders/vitals.ts";
// errors
export * from "./errors/classes.ts";
export { toDocTelError } from "./errors/decode.ts";
export { describeRevert, REVERT_MESSAGES } from "./errors/revert-messages.ts";
export { DEFAULT_MAX_FILE_BYTES, formatSize } from "./file-source.ts";
export {
  type AttachFileInput,
  type AttachFileResult,
  type UploadResult,
  uploadFile,
  uploadVerified,
} from "./files.ts";
export { connectIpfs, DEFAULT_IPFS_TIMEOUT_MS, type DocTelIpfs, type IpfsOptions } from "./ipfs.ts";
export type { MemberView, RoleName, StatusView, TreatmentView } from "./reads.ts";
export { type DocTelEvent, type DocTelEventName, eventsNamed, type TxResult } from "./transact.ts";
