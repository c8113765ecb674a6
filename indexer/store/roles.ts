import type { GlobalRole as GlobalRoleLabel } from "../../shared/db/generated/tables.ts";
import { keccak256Text } from "../../shared/keccak.ts";

const ROLE_IDS: ReadonlyMap<string, GlobalRoleLabel> = new Map([
  [`0x${"0".repeat(64)}`, "GOVERNANCE"],
  [keccak256Text("ANALYST_ROLE"), "ANALYST"],
  [keccak256Text("PUBLIC_HEALTH_ROLE"), "PUBLIC_HEALTH"],
  [keccak256Text("AUDITOR_ROLE"), "AUDITOR"],
]);

/** The named role of an AccessControl role id (DEFAULT_ADMIN_ROLE is governance). */
export function globalRoleOf(roleId: string): GlobalRoleLabel {
  return ROLE_IDS.get(roleId.toLowerCase()) ?? "OTHER";
}
