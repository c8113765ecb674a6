/** simulate: a synthetic hospital network's year, written to a development chain (simulator/). */
import { Option } from "commander";
import { ConfigError, ValidationError } from "../../shared/errors.ts";
import {
  createProgressPrinter,
  DEFAULT_CAST_FILE,
  runSimulation,
  type SimulationSummary,
  type SizePreset,
} from "../../simulator/index.ts";
import { decimal, examples, wholeNumber } from "../parse.ts";
import { requirePepper } from "./require.ts";
import type { CommandModule } from "./types.ts";

interface SimulateFlags {
  seed: string;
  size?: SizePreset;
  targetEvents?: string;
  hospitals?: string;
  states?: string;
  admissions?: string;
  patients?: string;
  days?: string;
  filesFraction?: string;
  staffPerHospital?: string;
  doctorsPerHospital?: string;
  vitalsShare?: string;
  slotHours?: string;
  start?: string;
  castFile: string | false;
  files: boolean;
  wsUrl?: string;
  progress: boolean;
}

const optionalWhole = (value: string | undefined, flag: string) =>
  value === undefined ? undefined : wholeNumber(value, flag);
const optionalDecimal = (value: string | undefined, flag: string) =>
  value === undefined ? undefined : decimal(value, flag);

function startDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError(`--start must be a date such as 2025-01-01 (got "${value.slice(0, 30)}")`, {
      details: { field: "--start" },
    });
  }
  return date;
}

function humanSummary(s: SimulationSummary): string[] {
  const kinds = Object.entries(s.eventsByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return [
    `simulated ${s.simulatedFrom.slice(0, 10)} .. ${s.simulatedTo.slice(0, 10)} (seed "${s.seed}") on chain ${s.chainId}, contract ${s.contract}`,
    `network    ${s.hospitals} hospitals, ${s.staff} staff, ${s.doctors} doctors, ${s.devices} devices, ${s.patients} patients, ${s.treatments} treatments`,
    `events     ${s.events} (${kinds})`,
    `chain      ${s.transactions} transactions in ${s.blocks} blocks (${s.firstBlock}..${s.lastBlock}), ${s.txPerSecond} tx/s, ${s.eventsPerSecond} events/s`,
    `files      ${s.files} uploaded to IPFS (${s.fileBytes} bytes)`,
    `outbreaks  ${s.outbreaks.map((o) => `${o.icd10} in ${o.district} from ${o.from} (${o.weeks} weeks, ${o.cases} cases)`).join("; ") || "none"}`,
    `took       ${(s.durationMs / 1000).toFixed(1)} s${s.castFile ? `; cast written to ${s.castFile}` : ""}`,
  ];
}

export const simulateCommand: CommandModule = {
  name: "simulate",
  register(program, ctx) {
    program
      .command("simulate")
      .description(
        "write a synthetic hospital network's year to a development chain (Hardhat or anvil: real chains are refused)",
      )
      .option(
        "--seed <seed>",
        "seed of every random choice: same seed, sizes and start, same chain data",
        "doctel",
      )
      .addOption(
        new Option(
          "--size <preset>",
          "demo (~50k events, four hospitals in one state: npm start's), small (~100k) or bench (>= 1M)",
        ).choices(["demo", "small", "bench"]),
      )
      .option("--target-events <n>", "approximate number of events (overrides the preset's)")
      .option("--hospitals <n>", "number of hospitals")
      .option("--states <n>", "states the hospitals are spread over (default: one per hospital)")
      .option(
        "--admissions <0.05..1>",
        "scales each disease's admission probability (below 1: more outpatient visits)",
      )
      .option("--patients <n>", "size of the patient population (default: 0.7 per treatment)")
      .option("--days <n>", "length of the simulated period in days", "365")
      .option("--files-fraction <0..1>", "share of treatments with files uploaded to IPFS")
      .option("--staff-per-hospital <n>", "staff accounts per hospital (one per shift)")
      .option("--doctors-per-hospital <n>", "doctors per hospital")
      .option("--vitals-share <0..0.95>", "share of the events that are device vitals")
      .option("--slot-hours <n>", "simulated hours per block (default 1; the demo and bench presets use 4)")
      .option("--start <date>", "start of the simulated period (default: the chain's current time)")
      .option(
        "--cast-file <file>",
        "where to write the demo cast (actors, keys, sample patients)",
        DEFAULT_CAST_FILE,
      )
      .option("--no-cast-file", "do not write a cast file")
      .option("--no-files", "attach no files (no IPFS node needed)")
      .option("--ws-url <url>", "WebSocket JSON-RPC (default: the RPC URL's host and port)")
      .option("--no-progress", "no progress line on stderr")
      .addHelpText(
        "after",
        `${examples(
          "doctel simulate --size demo",
          "doctel simulate --seed 7 --target-events 1000000 --files-fraction 0 --json",
          "doctel simulate --hospitals 6 --patients 2000 --days 90 --cast-file .doctel/cast.json",
        )}
Signs as governance (DOCTEL_PRIVATE_KEY or --key-file) and needs the reference pepper
(DOCTEL_PEPPER). Every other key is derived from the seed and written to the cast file with
synthetic Aadhaar numbers: demo data for development chains only.
`,
      )
      .action(async (opts: SimulateFlags) => {
        const s = ctx.settings();
        const pepper = requirePepper(ctx);
        if (!s.privateKey) {
          throw new ConfigError(
            "simulate signs as governance: set DOCTEL_PRIVATE_KEY or pass --key-file <file> with the governance key",
          );
        }
        const contract = await ctx.contractAddress();
        const printer = opts.progress ? createProgressPrinter(ctx.io.stderr) : undefined;
        try {
          const summary = await runSimulation({
            rpcUrl: s.rpcUrl,
            wsUrl: opts.wsUrl,
            ipfsApiUrl: opts.files ? s.ipfsApiUrl : undefined,
            ipfsTimeoutMs: s.ipfsTimeoutMs,
            contract,
            governanceKey: s.privateKey,
            pepper,
            seed: opts.seed,
            size: opts.size,
            targetEvents: optionalWhole(opts.targetEvents, "--target-events"),
            hospitals: optionalWhole(opts.hospitals, "--hospitals"),
            states: optionalWhole(opts.states, "--states"),
            admissions: optionalDecimal(opts.admissions, "--admissions"),
            patients: optionalWhole(opts.patients, "--patients"),
            days: optionalWhole(opts.days, "--days"),
            filesFraction: opts.files ? optionalDecimal(opts.filesFraction, "--files-fraction") : 0,
            staffPerHospital: optionalWhole(opts.staffPerHospital, "--staff-per-hospital"),
            doctorsPerHospital: optionalWhole(opts.doctorsPerHospital, "--doctors-per-hospital"),
            vitalsShare: optionalDecimal(opts.vitalsShare, "--vitals-share"),
            slotHours: optionalWhole(opts.slotHours, "--slot-hours"),
            start: startDate(opts.start),
            castFile: opts.castFile,
            logger: ctx.logger(),
            onProgress: printer ? (p) => printer.update(p) : undefined,
          });
          printer?.finish();
          ctx.print({ ...summary }, humanSummary(summary));
        } finally {
          printer?.finish();
        }
      });
  },
};
