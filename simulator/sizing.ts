/**
 * Sizes: presets, or a target number of events. Episodes carry the clinical events (about ten
 * each); device vitals fill the rest of the target, at the reading interval that gets there.
 */
import { ValidationError } from "../shared/errors.ts";

export const SIZE_PRESETS = {
  /** About half a minute end to end on a laptop: a handful of hospitals, a few thousand events. */
  demo: { hospitals: 4, targetEvents: 12_000, filesFraction: 0.25, vitalsShare: 0.5, slotHours: 1 },
  small: { hospitals: 8, targetEvents: 100_000, filesFraction: 0.1, vitalsShare: 0.65, slotHours: 1 },
  /** The indexer benchmark: at least a million events, few uploads. */
  /** Blocks of 4 simulated hours: fewer, fuller blocks and transactions. */
  bench: { hospitals: 10, targetEvents: 1_010_000, filesFraction: 0.005, vitalsShare: 0.8, slotHours: 4 },
} as const;

export type SizePreset = keyof typeof SIZE_PRESETS;

export interface SizeInput {
  size?: SizePreset | undefined;
  targetEvents?: number | undefined;
  hospitals?: number | undefined;
  patients?: number | undefined;
  days?: number | undefined;
  filesFraction?: number | undefined;
  staffPerHospital?: number | undefined;
  doctorsPerHospital?: number | undefined;
  /** Share of the events that are device vitals (0-0.95). */
  vitalsShare?: number | undefined;
  /** Simulated hours per block (1-24). */
  slotHours?: number | undefined;
}

export interface Sizes {
  targetEvents: number;
  hospitals: number;
  /** Undefined: derived from the episodes (0.7 per episode). */
  patients: number | undefined;
  days: number;
  filesFraction: number;
  staffPerHospital: number;
  doctorsPerHospital: number;
  vitalsShare: number;
  slotHours: number;
}

/** Clinical events per episode, a first guess refined by planning once. */
export const EVENTS_PER_EPISODE_GUESS = 10;

function check(value: number | undefined, name: string, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be between ${min} and ${max} (got ${value})`, {
      details: { field: name },
    });
  }
}

/** The preset whose scale fits a target (used for the defaults when only a target is given). */
export function presetFor(targetEvents: number): SizePreset {
  return targetEvents <= 30_000 ? "demo" : targetEvents <= 300_000 ? "small" : "bench";
}

export function resolveSizes(input: SizeInput): Sizes {
  const preset =
    SIZE_PRESETS[input.size ?? (input.targetEvents === undefined ? "demo" : presetFor(input.targetEvents))];
  check(input.targetEvents, "targetEvents", 100, 100_000_000);
  check(input.hospitals, "hospitals", 1, 500);
  check(input.patients, "patients", 1, 10_000_000);
  check(input.days, "days", 1, 3660);
  check(input.filesFraction, "filesFraction", 0, 1);
  check(input.staffPerHospital, "staffPerHospital", 1, 24);
  check(input.doctorsPerHospital, "doctorsPerHospital", 1, 200);
  check(input.vitalsShare, "vitalsShare", 0, 0.95);
  check(input.slotHours, "slotHours", 1, 24);
  if (input.slotHours !== undefined && !Number.isInteger(input.slotHours)) {
    throw new ValidationError(`slotHours must be a whole number of hours (got ${input.slotHours})`, {
      details: { field: "slotHours" },
    });
  }
  const targetEvents = input.targetEvents ?? preset.targetEvents;
  return {
    targetEvents,
    hospitals: input.hospitals ?? preset.hospitals,
    patients: input.patients,
    days: input.days ?? 365,
    filesFraction: input.filesFraction ?? preset.filesFraction,
    staffPerHospital: input.staffPerHospital ?? 3,
    doctorsPerHospital: input.doctorsPerHospital ?? 12,
    vitalsShare: input.vitalsShare ?? preset.vitalsShare,
    slotHours: input.slotHours ?? preset.slotHours,
  };
}

/** Episodes for the clinical share of the target, given the clinical events per episode. */
export function episodesFor(sizes: Sizes, eventsPerEpisode: number): number {
  const setup = sizes.hospitals * (1 + sizes.staffPerHospital + sizes.doctorsPerHospital) + 3;
  const clinical = Math.max(0, sizes.targetEvents * (1 - sizes.vitalsShare) - setup);
  return Math.max(1, Math.round(clinical / eventsPerEpisode));
}

export function patientsFor(sizes: Sizes, episodes: number): number {
  return sizes.patients ?? Math.max(1, Math.round(episodes * 0.7));
}
