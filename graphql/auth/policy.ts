/**
 * Who may see what. Roles come from the chain (graphql/auth/viewer.ts):
 *
 * | role           | may read                                                                      |
 * | -------------- | ----------------------------------------------------------------------------- |
 * | (none)         | public metadata: deployment, ABI, indexing status, reference tables          |
 * | STAFF          | any patient (nationwide, by Aadhaar or reference); their hospital's treatments; members |
 * | DOCTOR         | patients they are treating now (see below), and those patients' records       |
 * | ANALYST        | de-identified datasets only (graphql/analytics)                               |
 * | PUBLIC_HEALTH  | suppressed aggregates only (graphql/analytics)                                |
 * | GOVERNANCE     | members, role grants, the access audit log                                    |
 * | AUDITOR        | members, role grants, the access audit log                                    |
 *
 * A doctor treats a patient while assigned to one of the patient's treatments, and for a grace
 * period after that ends (DOCTOR_ACCESS_GRACE_HOURS: to finish notes and hand over): after the
 * treatment closes (stage CLOSED) or the doctor is unassigned (DoctorUnassigned), whichever comes
 * first. A doctor whose membership is revoked has no DOCTOR role at all, at once. Times are block
 * times, compared with the server's clock.
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

/** Clinical access: STAFF with a hospital, or DOCTOR (whose care ended before `careEndedBefore` no longer counts). */
export type ClinicalScope =
  | { kind: "STAFF"; hospitalId: number; address: string }
  | { kind: "DOCTOR"; address: string; careEndedBefore: Date };

export function requireClinical(ctx: ApiContext, what: string): ClinicalScope {
  const viewer = requireRole(ctx, ["STAFF", "DOCTOR"], what);
  if (viewer.roles.has("STAFF") && viewer.hospitalId !== null) {
    return { kind: "STAFF", hospitalId: viewer.hospitalId, address: viewer.address };
  }
  const careEndedBefore = new Date(ctx.clock().getTime() - ctx.settings.doctorAccessGraceMs);
  return { kind: "DOCTOR", address: viewer.address, careEndedBefore };
}

export const DIRECTORY_ROLES: readonly ApiRole[] = ["STAFF", "GOVERNANCE", "AUDITOR"];
export const OVERSIGHT_ROLES: readonly ApiRole[] = ["GOVERNANCE", "AUDITOR"];

/**
 * The patients a doctor treats (one column, patient_ref), given the parameter numbers of the
 * doctor's address and of the cut-off time: treatments they are assigned to that are open or
 * closed after the cut-off, and treatments they were unassigned from after it (the partial index
 * event_record_doctor_unassigned_idx finds those; the block's time is in event_block).
 */
function doctorPatientsSql(doctor: string, cutoff: string): string {
  return `SELECT at.patient_ref FROM treatment_doctor ad JOIN treatment at ON at.id = ad.treatment_id
           WHERE ad.doctor = ${doctor} AND (at.closed_at IS NULL OR at.closed_at > ${cutoff}::timestamptz)
          UNION ALL
          SELECT at.patient_ref FROM event_record ue
            JOIN event_block ub ON ub.number = ue.block_number
            JOIN treatment at ON at.id = ue.treatment_id
           WHERE ue.name = 'DoctorUnassigned' AND ue.account = ${doctor} AND ub.time > ${cutoff}::timestamptz
             AND (at.closed_at IS NULL OR at.closed_at > ${cutoff}::timestamptz)`;
}

function doctorParams(
  scope: Extract<ClinicalScope, { kind: "DOCTOR" }>,
  params: unknown[],
): [string, string] {
  params.push(scope.address, scope.careEndedBefore);
  return [`$${params.length - 1}`, `$${params.length}`];
}

/**
 * SQL predicate: treatment `t` is visible in `scope`. Adds its parameters to `params`.
 * STAFF: treatments of their hospital. DOCTOR: every treatment of a patient the doctor treats now
 * (a revoked doctor has no DOCTOR role left).
 */
export function treatmentVisibleSql(scope: ClinicalScope, alias: string, params: unknown[]): string {
  if (scope.kind === "STAFF") {
    params.push(scope.hospitalId);
    return `${alias}.hospital_id = $${params.length}`;
  }
  const [doctor, cutoff] = doctorParams(scope, params);
  return `${alias}.patient_ref IN (${doctorPatientsSql(doctor, cutoff)})`;
}

/** SQL predicate: patient reference `refSql` is visible in `scope` (STAFF: every patient). */
export function patientVisibleSql(scope: ClinicalScope, refSql: string, params: unknown[]): string {
  if (scope.kind === "STAFF") return "TRUE";
  const [doctor, cutoff] = doctorParams(scope, params);
  return `${refSql} IN (${doctorPatientsSql(doctor, cutoff)})`;
}
