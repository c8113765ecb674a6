import { keccak256, toBytes } from "viem";
import type { GlobalRoleLabel } from "./rows.ts";

const ROLE_IDS: ReadonlyMap<string, GlobalRoleLabel> = new Map([
  [`0x${"0".repeat(64)}`, "GOVERNANCE"],
  [keccak256(toBytes("ANALYST_ROLE")), "ANALYST"],
  [keccak256(toBytes("PUBLIC_HEALTH_ROLE")), "PUBLIC_HEALTH"],
  [keccak256(toBytes("AUDITOR_ROLE")), "AUDITOR"],
]);

/** The named role of an AccessControl role id (DEFAULT_ADMIN_ROLE is governance). */
export function globalRoleOf(roleId: string): GlobalRoleLabel {
  return ROLE_IDS.get(roleId.toLowerCase()) ?? "OTHER";
}
