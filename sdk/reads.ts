/** Read helpers: members, patients, treatments, roles, and the contract's overall status. */
import { getAddress } from "viem";
import { ValidationError } from "../shared/errors.ts";
import type { DocTelContext } from "./context.ts";
import { docTelAbi } from "./encoders/abi.ts";
import { type Address, type Hex32, id64, address as parseAddress } from "./encoders/fields.ts";
import { labelOf, MEMBER_KINDS, type MemberKind, STAGES, type Stage } from "./encoders/labels.ts";
import { DEFAULT_ADMIN_ROLE, GRANTABLE_ROLES, type GrantableRole, ROLE_IDS } from "./encoders/roles.ts";
import type { TreatmentId } from "./encoders/treatments.ts";
import { toDocTelError } from "./errors/decode.ts";
import type { ReferenceResolver } from "./references.ts";

async function read<T>(ctx: DocTelContext, action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toDocTelError(error, { action, rpcUrl: ctx.rpcUrl, address: ctx.address });
  }
}

function checked<T>(parse: (v: unknown) => T, value: unknown, field: string): T {
  try {
    return parse(value);
  } catch (error) {
    throw new ValidationError(`${field} ${(error as Error).message}`, { details: { field } });
  }
}

export interface MemberView {
  account: Address;
  kind: MemberKind | `UNKNOWN(${number})`;
  /** 0 when not a member. */
  hospitalId: number;
}

export async function readMember(ctx: DocTelContext, account: Address): Promise<MemberView> {
  const a = checked(parseAddress, account, "account");
  const [kind, hospitalId] = await read(ctx, "reading a member", () =>
    ctx.publicClient.readContract({
      address: ctx.address,
      abi: docTelAbi,
      functionName: "members",
      args: [a],
    }),
  );
  return { account: a, kind: labelOf(MEMBER_KINDS, kind), hospitalId };
}

export async function patientExists(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  aadhaar: string,
): Promise<boolean> {
  const ref = await refs.reference(aadhaar);
  return read(ctx, "reading a patient", () =>
    ctx.publicClient.readContract({
      address: ctx.address,
      abi: docTelAbi,
      functionName: "patientExists",
      args: [ref],
    }),
  );
}

export interface TreatmentView {
  treatmentId: bigint;
  patientRef: Hex32;
  hospitalId: number;
  stage: Stage | `UNKNOWN(${number})`;
  diagnosed: boolean;
}

/** The treatment, or null when no treatment has that id. */
export async function readTreatment(
  ctx: DocTelContext,
  treatmentId: TreatmentId,
): Promise<TreatmentView | null> {
  const id = checked(id64, treatmentId, "treatmentId");
  const [patientRef, hospitalId, stage, diagnosed] = await read(ctx, "reading a treatment", () =>
    ctx.publicClient.readContract({
      address: ctx.address,
      abi: docTelAbi,
      functionName: "treatments",
      args: [id],
    }),
  );
  if (hospitalId === 0) return null;
  return { treatmentId: id, patientRef, hospitalId, stage: labelOf(STAGES, stage), diagnosed };
}

export type RoleName = GrantableRole | "GOVERNANCE";

export async function hasRole(ctx: DocTelContext, role: RoleName, account: Address): Promise<boolean> {
  const a = checked(parseAddress, account, "account");
  const id = role === "GOVERNANCE" ? DEFAULT_ADMIN_ROLE : ROLE_IDS[role];
  return read(ctx, "reading a role", () =>
    ctx.publicClient.readContract({
      address: ctx.address,
      abi: docTelAbi,
      functionName: "hasRole",
      args: [id, a],
    }),
  );
}

export interface StatusView {
  chainId: number;
  blockNumber: bigint;
  contract: Address;
  governance: Address;
  pendingGovernance: { account: Address; acceptableFrom: Date } | null;
  adminDelaySeconds: number;
  hospitalCount: number;
  treatmentCount: bigint;
  referenceKeyId: Hex32;
  account?: {
    address: Address;
    balanceWei: bigint;
    member: MemberView;
    roles: RoleName[];
  };
}

export async function readStatus(ctx: DocTelContext, account?: Address): Promise<StatusView> {
  const c = { address: ctx.address, abi: docTelAbi } as const;
  const pc = ctx.publicClient;
  const [chainId, blockNumber, governance, pending, delay, hospitalCount, treatmentCount, keyId] = await read(
    ctx,
    "reading the contract status",
    () =>
      Promise.all([
        pc.getChainId(),
        pc.getBlockNumber(),
        pc.readContract({ ...c, functionName: "defaultAdmin" }),
        pc.readContract({ ...c, functionName: "pendingDefaultAdmin" }),
        pc.readContract({ ...c, functionName: "defaultAdminDelay" }),
        pc.readContract({ ...c, functionName: "hospitalCount" }),
        pc.readContract({ ...c, functionName: "treatmentCount" }),
        pc.readContract({ ...c, functionName: "referenceKeyId" }),
      ]),
  );
  const [pendingAccount, schedule] = pending;
  const status: StatusView = {
    chainId,
    blockNumber,
    contract: getAddress(ctx.address),
    governance,
    pendingGovernance: /^0x0{40}$/i.test(pendingAccount)
      ? null
      : { account: pendingAccount, acceptableFrom: new Date(Number(schedule) * 1000) },
    adminDelaySeconds: Number(delay),
    hospitalCount,
    treatmentCount,
    referenceKeyId: keyId,
  };
  if (account) {
    const a = checked(parseAddress, account, "account");
    const roles: RoleName[] = ["GOVERNANCE", ...GRANTABLE_ROLES];
    const [balanceWei, member, held] = await Promise.all([
      read(ctx, "reading a balance", () => pc.getBalance({ address: a })),
      readMember(ctx, a),
      Promise.all(roles.map((r) => hasRole(ctx, r, a))),
    ]);
    status.account = { address: a, balanceWei, member, roles: roles.filter((_, i) => held[i]) };
  }
  return status;
}
