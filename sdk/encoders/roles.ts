/** Read roles (ANALYST, PUBLIC_HEALTH, AUDITOR) and the governance handover. */
import { encodeFunctionData, keccak256, stringToBytes } from "viem";
import { z } from "zod";
import { type Calldata, docTelAbi } from "./abi.ts";
import { type Address, address, field, type Hex32 } from "./fields.ts";
import { parseInput } from "./validate.ts";

export const GRANTABLE_ROLES = ["ANALYST", "PUBLIC_HEALTH", "AUDITOR"] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

/** The governance role of AccessControlDefaultAdminRules. */
export const DEFAULT_ADMIN_ROLE: Hex32 = `0x${"00".repeat(32)}`;

export const ROLE_IDS: Readonly<Record<GrantableRole, Hex32>> = {
  ANALYST: keccak256(stringToBytes("ANALYST_ROLE")),
  PUBLIC_HEALTH: keccak256(stringToBytes("PUBLIC_HEALTH_ROLE")),
  AUDITOR: keccak256(stringToBytes("AUDITOR_ROLE")),
};

/** "analyst", "public-health", "AUDITOR_ROLE" → the role's label. */
function grantableRole(value: unknown): GrantableRole {
  const wanted =
    typeof value === "string"
      ? value
          .trim()
          .toUpperCase()
          .replace(/[\s-]+/g, "_")
          .replace(/_ROLE$/, "")
      : "";
  const role = GRANTABLE_ROLES.find((r) => r === wanted);
  if (!role) throw new Error(`must be one of ${GRANTABLE_ROLES.join(", ")} (got ${JSON.stringify(value)})`);
  return role;
}

/** A role id → its name, for messages ("governance" for DEFAULT_ADMIN_ROLE). */
export function roleName(id: string): string {
  if (id.toLowerCase() === DEFAULT_ADMIN_ROLE) return "governance (DEFAULT_ADMIN_ROLE)";
  const entry = Object.entries(ROLE_IDS).find(([, value]) => value === id.toLowerCase());
  return entry ? `${entry[0]}_ROLE` : `role ${id}`;
}

export function parseRole(value: unknown): GrantableRole {
  return parseInput(z.object({ role: field(grantableRole) }), { role: value }, "role").role;
}

export interface RoleInput {
  role: GrantableRole | Lowercase<GrantableRole> | string;
  account: Address;
}

const roleInput = z.object({ role: field(grantableRole), account: field(address) });

export function encodeGrantRole(input: RoleInput): Calldata {
  const r = parseInput(roleInput, input, "role grant");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "grantRole",
    args: [ROLE_IDS[r.role], r.account],
  });
}

export function encodeRevokeRole(input: RoleInput): Calldata {
  const r = parseInput(roleInput, input, "role revocation");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "revokeRole",
    args: [ROLE_IDS[r.role], r.account],
  });
}

/** Starts handing governance to `newGovernance` (a multisig); it accepts after the admin delay. */
export function encodeBeginGovernanceTransfer(input: { newGovernance: Address }): Calldata {
  const g = parseInput(z.object({ newGovernance: field(address) }), input, "governance transfer");
  return encodeFunctionData({
    abi: docTelAbi,
    functionName: "beginDefaultAdminTransfer",
    args: [g.newGovernance],
  });
}

/** Sent by the pending governance account once the delay has passed. */
export function encodeAcceptGovernance(): Calldata {
  return encodeFunctionData({ abi: docTelAbi, functionName: "acceptDefaultAdminTransfer" });
}

export function encodeCancelGovernanceTransfer(): Calldata {
  return encodeFunctionData({ abi: docTelAbi, functionName: "cancelDefaultAdminTransfer" });
}
