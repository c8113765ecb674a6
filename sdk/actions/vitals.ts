/** Vitals: one reading, or many split into transactions of at most 512 readings. */
import type { DocTelContext } from "../context.ts";
import { encodeRecordVitals, encodeRecordVitalsBatch, type TreatmentId } from "../encoders/treatments.ts";
import { encodeVitalsList, MAX_VITALS_BATCH, type VitalsInput } from "../encoders/vitals.ts";
import { type TxResult, transact } from "../transact.ts";

export function recordVitals(
  ctx: DocTelContext,
  input: { treatmentId: TreatmentId; vitals: VitalsInput },
): Promise<TxResult> {
  return transact(ctx, encodeRecordVitals(input), "recordVitals");
}

export interface VitalsBatchResult {
  readings: number;
  /** One per chunk of at most 512 readings, in order. */
  transactions: TxResult[];
}

/**
 * Records any number of readings, 512 per transaction. Every reading is validated before the
 * first transaction is sent; a failure midway leaves the earlier chunks recorded (logged as a
 * warning with their transaction hashes).
 */
export async function recordVitalsBatch(
  ctx: DocTelContext,
  input: { treatmentId: TreatmentId; readings: readonly VitalsInput[]; chunkSize?: number },
): Promise<VitalsBatchResult> {
  const chunkSize = Math.min(input.chunkSize ?? MAX_VITALS_BATCH, MAX_VITALS_BATCH);
  encodeVitalsList(input.readings);
  const calls: `0x${string}`[] = [];
  for (let start = 0; start < input.readings.length; start += chunkSize) {
    const readings = input.readings.slice(start, start + chunkSize);
    calls.push(encodeRecordVitalsBatch({ treatmentId: input.treatmentId, readings }));
  }
  const transactions: TxResult[] = [];
  for (const data of calls) {
    try {
      transactions.push(await transact(ctx, data, "recordVitalsBatch"));
    } catch (error) {
      if (transactions.length > 0) {
        ctx.logger.warn(
          { recorded_readings: transactions.length * chunkSize, tx_hashes: transactions.map((t) => t.hash) },
          "vitals batch stopped midway: the earlier chunks are recorded",
        );
      }
      throw error;
    }
  }
  return { readings: input.readings.length, transactions };
}
