/**
 * Who may see what. Roles come from the chain (graphql/auth/viewer.ts):
 *
 * | role           | may read                                                                      |
 * | -------------- | ----------------------------------------------------------------------------- |
 * | (none)         | public metadata: deployment, ABI, indexing status, reference tables          |
 * | STAFF          | any patient (nationwide, by Aadhaar or reference); their hospital's treatments; members |
 * | DOCTOR         | patients with a treatment the doctor is assigned to now, and those patients' records |
 * | ANALYST        | de-identified datasets only (graphql/analytics)                               |
 * | PUBLIC_HEALTH  | suppressed aggregates only (graphql/analytics)                                |
 * | GOVERNANCE     | members, role grants, the access audit log                                    |
 * | AUDITOR        | members, role grants, the access audit log                                    |
 */
import { ForbiddenError, UnauthenticatedError } from "../../shared/errors.ts";
import type { ApiContext, ApiRole, Viewer } from "../context.ts";

export function requireViewer(ctx: ApiContext): Viewer {
  if (!ctx.viewer) throw new UnauthenticatedError("sign in first (Sign-In with Ethereum)");
  return ctx.viewer;
}

export function requireRole(ctx: ApiContext, allowed: readonly ApiRole[], what: string): Viewer {
  const viewer = requireViewer(ctx);
  if (!allowed.some((role) => viewer.roles.has(role))) {
    const held = [...viewer.roles].join(", ") || "no role";
    throw new ForbiddenError(`${what} needs one of ${allowed.join(", ")} (you hold ${held})`);
  }
  return viewer;
}

/** Clinical access: STAFF with a hospital, or DOCTOR. */
export type ClinicalScope =
  | { kind: "STAFF"; hospitalId: number; address: string }
  | { kind: "DOCTOR"; address: string };

export function requireClinical(ctx: ApiContext, what: string): ClinicalScope {
  const viewer = requireRole(ctx, ["STAFF", "DOCTOR"], what);
  if (viewer.roles.has("STAFF") && viewer.hospitalId !== null) {
    return { kind: "STAFF", hospitalId: viewer.hospitalId, address: viewer.address };
  }
  return { kind: "DOCTOR", address: viewer.address };
}

export const DIRECTORY_ROLES: readonly ApiRole[] = ["STAFF", "GOVERNANCE", "AUDITOR"];
export const OVERSIGHT_ROLES: readonly ApiRole[] = ["GOVERNANCE", "AUDITOR"];

/**
 * SQL predicate: treatment `t` is visible in `scope`. Adds its parameters to `params`.
 * STAFF: treatments of their hospital. DOCTOR: every treatment of a patient the doctor is
 * assigned to now (a revoked doctor has no assignments left).
 */
export function treatmentVisibleSql(scope: ClinicalScope, alias: string, params: unknown[]): string {
  if (scope.kind === "STAFF") {
    params.push(scope.hospitalId);
    return `${alias}.hospital_id = $${params.length}`;
  }
  params.push(scope.address);
  return `${alias}.patient_ref IN (SELECT at.patient_ref FROM treatment_doctor ad JOIN treatment at ON at.id = ad.treatment_id WHERE ad.doctor = $${params.length})`;
}

/** SQL predicate: patient reference `refSql` is visible in `scope` (STAFF: every patient). */
export function patientVisibleSql(scope: ClinicalScope, refSql: string, params: unknown[]): string {
  if (scope.kind === "STAFF") return "TRUE";
  params.push(scope.address);
  return `EXISTS (SELECT 1 FROM treatment_doctor ad JOIN treatment at ON at.id = ad.treatment_id WHERE ad.doctor = $${params.length} AND at.patient_ref = ${refSql})`;
}
