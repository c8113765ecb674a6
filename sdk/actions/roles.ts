/** Read roles for the API (ANALYST, PUBLIC_HEALTH, AUDITOR) and the governance handover. */
import type { DocTelContext } from "../context.ts";
import type { Address } from "../encoders/fields.ts";
import {
  encodeAcceptGovernance,
  encodeBeginGovernanceTransfer,
  encodeCancelGovernanceTransfer,
  encodeGrantRole,
  encodeRevokeRole,
  type RoleInput,
} from "../encoders/roles.ts";
import { type TxResult, transact } from "../transact.ts";

export function grantRole(ctx: DocTelContext, input: RoleInput): Promise<TxResult> {
  return transact(ctx, encodeGrantRole(input), "grantRole");
}

export function revokeRole(ctx: DocTelContext, input: RoleInput): Promise<TxResult> {
  return transact(ctx, encodeRevokeRole(input), "revokeRole");
}

/** Governance proposes a new governance account (a multisig); it accepts after the admin delay. */
export function beginGovernanceTransfer(
  ctx: DocTelContext,
  input: { newGovernance: Address },
): Promise<TxResult> {
  return transact(ctx, encodeBeginGovernanceTransfer(input), "beginDefaultAdminTransfer");
}

/** Sent by the pending governance account. */
export function acceptGovernance(ctx: DocTelContext): Promise<TxResult> {
  return transact(ctx, encodeAcceptGovernance(), "acceptDefaultAdminTransfer");
}

export function cancelGovernanceTransfer(ctx: DocTelContext): Promise<TxResult> {
  return transact(ctx, encodeCancelGovernanceTransfer(), "cancelDefaultAdminTransfer");
}
