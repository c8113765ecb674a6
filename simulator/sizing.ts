/**
 * Sizes: presets, or a target number of events. Episodes carry the clinical events (about ten
 * each); device vitals fill the rest of the target, at the reading interval that gets there.
 */
import { ValidationError } from "../shared/errors.ts";

/** A preset's defaults; the rest comes from resolveSizes. */
interface PresetDefaults {
  readonly hospitals: number;
  readonly states?: number;
  readonly targetEvents: number;
  readonly filesFraction: number;
  readonly vitalsShare: number;
  readonly slotHours: number;
  readonly doctorsPerHospital?: number;
  readonly admissions?: number;
}

export const SIZE_PRESETS = {
  /**
   * `npm start`'s demo: four hospitals in four districts of one state, dense enough that most
   * weekly state-level counts of the common surveillance groups are released (>= 11), outbreaks
   * stand out in their state's surveillance group, and dataset releases have rows (the goals of
   * test/dashboards/demo.test.ts; docs/simulator.md says what the privacy rules leave at this
   * density). The density knob is `targetEvents` (`SIMULATE_EVENTS` for `npm start`): episodes of
   * care grow in proportion.
   * Most episodes are outpatient visits (admissions 0.3), as in a hospital's OPD; blocks of 4
   * simulated hours keep the first start short.
   */
  demo: {
    hospitals: 4,
    states: 1,
    targetEvents: 110_000,
    filesFraction: 0.05,
    vitalsShare: 0.05,
    slotHours: 4,
    doctorsPerHospital: 8,
    admissions: 0.3,
  },
  small: { hospitals: 8, targetEvents: 100_000, filesFraction: 0.1, vitalsShare: 0.65, slotHours: 1 },
  /** The indexer benchmark: at least a million events, few uploads. */
  /** Blocks of 4 simulated hours: fewer, fuller blocks and transactions. */
  bench: { hospitals: 10, targetEvents: 1_010_000, filesFraction: 0.005, vitalsShare: 0.8, slotHours: 4 },
} as const satisfies Record<string, PresetDefaults>;

export type SizePreset = keyof typeof SIZE_PRESETS;

export interface SizeInput {
  size?: SizePreset | undefined;
  targetEvents?: number | undefined;
  hospitals?: number | undefined;
  /** States the hospitals are spread over (default: one per hospital). */
  states?: number | undefined;
  patients?: number | undefined;
  days?: number | undefined;
  filesFraction?: number | undefined;
  staffPerHospital?: number | undefined;
  doctorsPerHospital?: number | undefined;
  /** Share of the events that are device vitals (0-0.95). */
  vitalsShare?: number | undefined;
  /** Simulated hours per block (1-24). */
  slotHours?: number | undefined;
  /** Scales the diseases' admission probabilities (0.05-1; below 1, more outpatient visits). */
  admissions?: number | undefined;
}

export interface Sizes {
  targetEvents: number;
  hospitals: number;
  /** Undefined: one state per hospital. */
  states: number | undefined;
  /** Undefined: derived from the episodes (0.7 per episode). */
  patients: number | undefined;
  days: number;
  filesFraction: number;
  staffPerHospital: number;
  doctorsPerHospital: number;
  vitalsShare: number;
  slotHours: number;
  admissions: number;
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

/** Defaults for a bare target of up to 30,000 events: one-hour blocks, a state per hospital. */
const COMPACT: PresetDefaults = {
  hospitals: 4,
  targetEvents: 12_000,
  filesFraction: 0.25,
  vitalsShare: 0.5,
  slotHours: 1,
};

/** The defaults whose scale fits a target (used when only a target is given). */
export function defaultsFor(targetEvents: number): PresetDefaults {
  return targetEvents <= 30_000 ? COMPACT : targetEvents <= 300_000 ? SIZE_PRESETS.small : SIZE_PRESETS.bench;
}

export function resolveSizes(input: SizeInput): Sizes {
  const preset: PresetDefaults = input.size
    ? SIZE_PRESETS[input.size]
    : input.targetEvents === undefined
      ? SIZE_PRESETS.demo
      : defaultsFor(input.targetEvents);
  check(input.targetEvents, "targetEvents", 100, 100_000_000);
  check(input.hospitals, "hospitals", 1, 500);
  check(input.states, "states", 1, 36);
  check(input.patients, "patients", 1, 10_000_000);
  check(input.days, "days", 1, 3660);
  check(input.filesFraction, "filesFraction", 0, 1);
  check(input.staffPerHospital, "staffPerHospital", 1, 24);
  check(input.doctorsPerHospital, "doctorsPerHospital", 1, 200);
  check(input.vitalsShare, "vitalsShare", 0, 0.95);
  check(input.slotHours, "slotHours", 1, 24);
  check(input.admissions, "admissions", 0.05, 1);
  if (input.slotHours !== undefined && !Number.isInteger(input.slotHours)) {
    throw new ValidationError(`slotHours must be a whole number of hours (got ${input.slotHours})`, {
      details: { field: "slotHours" },
    });
  }
  const targetEvents = input.targetEvents ?? preset.targetEvents;
  return {
    targetEvents,
    hospitals: input.hospitals ?? preset.hospitals,
    states: input.states ?? preset.states,
    patients: input.patients,
    days: input.days ?? 365,
    filesFraction: input.filesFraction ?? preset.filesFraction,
    staffPerHospital: input.staffPerHospital ?? 3,
    doctorsPerHospital: input.doctorsPerHospital ?? preset.doctorsPerHospital ?? 12,
    vitalsShare: input.vitalsShare ?? preset.vitalsShare,
    slotHours: input.slotHours ?? preset.slotHours,
    admissions: input.admissions ?? preset.admissions ?? 1,
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
