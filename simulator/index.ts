/** The DocTel simulator: a synthetic hospital network's year, written to a development chain. */
export { CAST_WARNING, type CastFile, DEFAULT_CAST_FILE } from "./cast.ts";
export { SimulationFailedError } from "./errors.ts";
export { createProgressPrinter, formatProgress, type Phase, type Progress } from "./progress.ts";
export { runSimulation, type SimulationOptions, type SimulationSummary } from "./run.ts";
export { type Plan, type PlanOptions, planSimulation } from "./schedule.ts";
export { resolveSizes, SIZE_PRESETS, type SizeInput, type SizePreset } from "./sizing.ts";
