/**
 * Plans for a target: a small sample plan measures the clinical events per episode, which sets
 * the episode count; device readings fill the rest of the target.
 */
import { type Plan, type PlanOptions, planSimulation } from "./schedule.ts";
import { EVENTS_PER_EPISODE_GUESS, episodesFor, patientsFor, type Sizes } from "./sizing.ts";

const SAMPLE_EPISODES = 2_000;

/** Hospitals, staff, doctors and the three role grants. */
function setupEvents(sizes: Sizes): number {
  return sizes.hospitals * (1 + sizes.staffPerHospital + sizes.doctorsPerHospital) + 3;
}

export type BaseOptions = Omit<
  PlanOptions,
  "episodes" | "patients" | "deviceReadings" | "hospitals" | "days"
>;

function clinicalEvents(plan: Plan): number {
  return plan.events - (plan.eventsByAction.recordVitalsBatch ?? 0);
}

export function planForTarget(sizes: Sizes, base: BaseOptions): Plan {
  const make = (episodes: number, deviceReadings: PlanOptions["deviceReadings"]) =>
    planSimulation({
      ...base,
      hospitals: sizes.hospitals,
      days: sizes.days,
      slotSeconds: sizes.slotHours * 3600,
      staffPerHospital: sizes.staffPerHospital,
      doctorsPerHospital: sizes.doctorsPerHospital,
      states: sizes.states,
      admissions: sizes.admissions,
      episodes,
      patients: patientsFor(sizes, episodes),
      deviceReadings,
    });
  // A sample plan (at most 2,000 episodes, no device uploads) measures the clinical events per
  // episode; the ratio hardly depends on the scale.
  const guess = episodesFor(sizes, EVENTS_PER_EPISODE_GUESS);
  const sample = make(Math.min(guess, SAMPLE_EPISODES), 0);
  const perEpisode = (clinicalEvents(sample) - setupEvents(sizes)) / Math.max(1, sample.episodes.length);
  const fill = (clinical: number) => Math.max(0, sizes.targetEvents - clinical);
  const episodes = episodesFor(sizes, perEpisode);
  const first = make(episodes, fill);
  // Monitored admissions get their device's readings whatever the fill asks, so with a small
  // vitalsShare the plan can overshoot; then scale the episodes once by what was planned.
  const setup = setupEvents(sizes);
  const over = (first.events - setup) / Math.max(1, sizes.targetEvents - setup);
  if (over <= 1.05) return first;
  return make(Math.max(1, Math.round(episodes / over)), fill);
}
