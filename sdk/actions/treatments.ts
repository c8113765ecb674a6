/** Treatments: open one, manage its care team, diagnose, advance its stage. */
import type { DocTelContext } from "../context.ts";
import {
  type AdvanceInput,
  type CareTeamInput,
  type DiagnosisInput,
  encodeAdvanceStage,
  encodeAssignDoctor,
  encodeOpenTreatment,
  encodeRecordDiagnosis,
  encodeUnassignDoctor,
} from "../encoders/treatments.ts";
import { UnexpectedError } from "../errors/classes.ts";
import type { ReferenceResolver } from "../references.ts";
import { eventsNamed, type TxResult, transact } from "../transact.ts";

/** Opens a treatment for the patient at the caller's hospital; returns its id (from the event). */
export async function openTreatment(
  ctx: DocTelContext,
  refs: ReferenceResolver,
  input: { patientAadhaar: string },
): Promise<TxResult & { treatmentId: bigint }> {
  const patientRef = await refs.reference(input.patientAadhaar);
  const result = await transact(ctx, encodeOpenTreatment({ patientRef }), "openTreatment");
  const treatmentId = eventsNamed(result, "TreatmentOpened")[0]?.args.treatmentId;
  if (treatmentId === undefined)
    throw new UnexpectedError(`openTreatment: transaction ${result.hash} emitted no TreatmentOpened`);
  return { ...result, treatmentId };
}

export function assignDoctor(ctx: DocTelContext, input: CareTeamInput): Promise<TxResult> {
  return transact(ctx, encodeAssignDoctor(input), "assignDoctor");
}

export function unassignDoctor(ctx: DocTelContext, input: CareTeamInput): Promise<TxResult> {
  return transact(ctx, encodeUnassignDoctor(input), "unassignDoctor");
}

/** Records or revises the diagnosis; "e11.9" is encoded as the bytes8 of "E11.9". */
export function recordDiagnosis(ctx: DocTelContext, input: DiagnosisInput): Promise<TxResult> {
  return transact(ctx, encodeRecordDiagnosis(input), "recordDiagnosis");
}

/** Moves the treatment forward: "DIAGNOSED", "in-treatment", "DISCHARGED", "CLOSED" (or 0..4). */
export function advanceStage(ctx: DocTelContext, input: AdvanceInput): Promise<TxResult> {
  return transact(ctx, encodeAdvanceStage(input), "advanceStage");
}
