/** Vitals from flags in clinical units (°C or °F, mmHg as "120/80", bpm, SpO2 %), or from a JSON file. */
import { readFile } from "node:fs/promises";
import type { VitalsInput } from "../../sdk/index.ts";
import { ValidationError } from "../../shared/errors.ts";
import { celsiusToCentiC, fahrenheitToCentiC, percentToPermille } from "../../shared/reference/enums.ts";
import { decimal, wholeNumber } from "../parse.ts";

export interface VitalsFlags {
  temperature?: string;
  temperatureF?: string;
  bp?: string;
  heartRate?: string;
  spo2?: string;
  at?: string;
  file?: string;
}

function bloodPressure(value: string): { systolicMmHg: number; diastolicMmHg: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!match)
    throw new ValidationError(
      `--bp must be systolic/diastolic in mmHg, e.g. 120/80 (got "${value.slice(0, 20)}")`,
    );
  return { systolicMmHg: Number(match[1]), diastolicMmHg: Number(match[2]) };
}

/** One reading from flags; `now` (Unix seconds, see chain-time.ts) is used when --at is absent. */
export function vitalsFromFlags(opts: VitalsFlags, now: number): VitalsInput {
  if (opts.temperature !== undefined && opts.temperatureF !== undefined) {
    throw new ValidationError("give --temperature (°C) or --temperature-f (°F), not both");
  }
  const vitals: VitalsInput = { measuredAt: opts.at ?? now };
  if (opts.temperature !== undefined)
    vitals.temperatureCentiC = celsiusToCentiC(decimal(opts.temperature, "--temperature"));
  if (opts.temperatureF !== undefined) {
    vitals.temperatureCentiC = fahrenheitToCentiC(decimal(opts.temperatureF, "--temperature-f"));
  }
  if (opts.bp !== undefined) Object.assign(vitals, bloodPressure(opts.bp));
  if (opts.heartRate !== undefined) vitals.heartRateBpm = wholeNumber(opts.heartRate, "--heart-rate");
  if (opts.spo2 !== undefined) vitals.spo2Permille = percentToPermille(decimal(opts.spo2, "--spo2"));
  return vitals;
}

/** A JSON array of readings in contract units: [{ "measuredAt": 1767225600, "heartRateBpm": 72 }, …]. */
export async function vitalsFromFile(file: string): Promise<VitalsInput[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ValidationError(
      `cannot read readings from ${file}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (!Array.isArray(json) || json.length === 0) {
    throw new ValidationError(`${file} must hold a non-empty JSON array of readings`);
  }
  return json as VitalsInput[];
}
