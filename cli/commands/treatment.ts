/** treatment open | assign-doctor | unassign-doctor | diagnose | attach | vitals | advance | show. */

import { eventsNamed, formatSize, STAGES } from "../../sdk/index.ts";
import { NotFoundError, ValidationError } from "../../shared/errors.ts";
import { aadhaarFrom, examples, txJson, txLine } from "../parse.ts";
import { readingTime } from "./chain-time.ts";
import { requirePepper } from "./require.ts";
import type { CommandModule } from "./types.ts";
import { type VitalsFlags, vitalsFromFile, vitalsFromFlags } from "./vitals-input.ts";

type Address = `0x${string}`;

export const treatmentCommands: CommandModule = {
  name: "treatment",
  register(program, ctx) {
    const treatment = program
      .command("treatment")
      .description("treatments: care team, diagnosis, files, vitals, stages");

    treatment
      .command("open")
      .description("open a treatment for a patient at your hospital; prints its id")
      .requiredOption("--aadhaar <number>", 'the patient\'s Aadhaar number ("-" reads it from stdin)')
      .addHelpText("after", examples("echo 234567890124 | doctel treatment open --aadhaar -"))
      .action(async (opts: { aadhaar: string }) => {
        requirePepper(ctx);
        const aadhaar = await aadhaarFrom(opts.aadhaar, ctx.io);
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.openTreatment({ patientAadhaar: aadhaar });
        ctx.print(
          { treatmentId: result.treatmentId, ...txJson(result) },
          `treatment ${result.treatmentId} opened (${txLine(result)})`,
        );
      });

    for (const [name, verb] of [
      ["assign-doctor", "assigned to"],
      ["unassign-doctor", "unassigned from"],
    ] as const) {
      treatment
        .command(`${name} <treatmentId> <doctor>`)
        .description(`${name === "assign-doctor" ? "add a doctor to" : "remove a doctor from"} the care team`)
        .addHelpText(
          "after",
          examples(`doctel treatment ${name} 12 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC`),
        )
        .action(async (treatmentId: string, doctor: string) => {
          const doctel = await ctx.docTel({ sign: true });
          const input = { treatmentId, doctor: doctor as Address };
          const result =
            name === "assign-doctor" ? await doctel.assignDoctor(input) : await doctel.unassignDoctor(input);
          ctx.print(
            { treatmentId, doctor, ...txJson(result) },
            `doctor ${doctor} ${verb} treatment ${treatmentId} (${txLine(result)})`,
          );
        });
    }

    treatment
      .command("diagnose <treatmentId> <icd10>")
      .description("record or revise the ICD-10 diagnosis (assigned doctors only)")
      .addHelpText(
        "after",
        examples("doctel treatment diagnose 12 E11.9", "doctel treatment diagnose 12 u07.1"),
      )
      .action(async (treatmentId: string, icd10: string) => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.recordDiagnosis({ treatmentId, icd10 });
        ctx.print(
          { treatmentId, icd10: icd10.trim().toUpperCase(), ...txJson(result) },
          `diagnosis recorded for treatment ${treatmentId} (${txLine(result)})`,
        );
      });

    treatment
      .command("attach <treatmentId> <file>")
      .description(
        "upload a file to IPFS (CID checked against a local computation, pinned), then attach its CID",
      )
      .requiredOption("--kind <kind>", "PRESCRIPTION, LAB_REPORT, IMAGING, DISCHARGE_SUMMARY or OTHER")
      .addHelpText(
        "after",
        examples(
          "doctel treatment attach 12 ./cbc-report.pdf --kind lab-report",
          "doctel treatment attach 12 ./ct.dcm --kind imaging --max-file-bytes 104857600",
        ),
      )
      .action(async (treatmentId: string, file: string, opts: { kind: string }) => {
        const doctel = await ctx.docTel({ sign: true, ipfs: true });
        const result = await doctel.attachFile({ treatmentId, kind: opts.kind, file });
        ctx.print(
          { treatmentId, cid: result.cid, size: result.size, ...txJson(result) },
          `${file} (${formatSize(result.size)}) attached to treatment ${treatmentId} as ${result.cid} (${txLine(result)})`,
        );
      });

    treatment
      .command("vitals <treatmentId>")
      .description("record vitals: one reading from flags, or many from a JSON file (512 per transaction)")
      .option("--temperature <celsius>", "body temperature in °C, e.g. 37.2")
      .option("--temperature-f <fahrenheit>", "body temperature in °F, e.g. 99.1")
      .option("--bp <systolic/diastolic>", "blood pressure in mmHg, e.g. 120/80")
      .option("--heart-rate <bpm>", "heart rate in beats per minute")
      .option("--spo2 <percent>", "oxygen saturation in %, e.g. 97.5")
      .option("--at <time>", "when measured: ISO time or Unix seconds (default: now)")
      .option("--file <readings.json>", 'JSON array in contract units: [{"measuredAt":…,"heartRateBpm":72}]')
      .addHelpText(
        "after",
        examples(
          "doctel treatment vitals 12 --temperature 37.8 --bp 128/84 --heart-rate 92 --spo2 96.5",
          "doctel treatment vitals 12 --file ./monitor-buffer.json",
        ),
      )
      .action(async (treatmentId: string, opts: VitalsFlags) => {
        const single = ["temperature", "temperatureF", "bp", "heartRate", "spo2", "at"].some(
          (k) => opts[k as keyof VitalsFlags] !== undefined,
        );
        if (opts.file && single)
          throw new ValidationError("give either --file or single-reading flags, not both");
        if (!opts.file && !single) throw new ValidationError("give at least one vital sign, or --file");
        const doctel = await ctx.docTel({ sign: true });
        if (opts.file) {
          const readings = await vitalsFromFile(opts.file);
          const result = await doctel.recordVitalsBatch({ treatmentId, readings });
          ctx.print(
            { treatmentId, readings: result.readings, transactions: result.transactions.map(txJson) },
            `${result.readings} readings recorded for treatment ${treatmentId} in ${result.transactions.length} transaction(s)`,
          );
          return;
        }
        const now = opts.at === undefined ? await readingTime(ctx.publicClient()) : 0;
        const result = await doctel.recordVitals({ treatmentId, vitals: vitalsFromFlags(opts, now) });
        ctx.print(
          { treatmentId, ...txJson(result) },
          `vitals recorded for treatment ${treatmentId} (${txLine(result)})`,
        );
      });

    treatment
      .command("advance <treatmentId> <stage>")
      .description("move the treatment forward: DIAGNOSED, IN_TREATMENT, DISCHARGED or CLOSED")
      .addHelpText(
        "after",
        examples("doctel treatment advance 12 in-treatment", "doctel treatment advance 12 DISCHARGED"),
      )
      .action(async (treatmentId: string, stage: string) => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.advanceStage({ treatmentId, stage });
        const toStage = eventsNamed(result, "StageAdvanced")[0]?.args.toStage;
        const label = toStage === undefined ? stage : STAGES.label(toStage);
        ctx.print(
          { treatmentId, stage: label, ...txJson(result) },
          `treatment ${treatmentId} is now ${label} (${txLine(result)})`,
        );
      });

    treatment
      .command("show <treatmentId>")
      .description("show a treatment's hospital, stage and whether it is diagnosed")
      .addHelpText("after", examples("doctel treatment show 12 --json"))
      .action(async (treatmentId: string) => {
        const doctel = await ctx.docTel();
        const t = await doctel.treatment(treatmentId);
        if (!t) throw new NotFoundError(`treatment ${treatmentId} does not exist`);
        ctx.print(
          { ...t },
          `treatment ${t.treatmentId}: hospital ${t.hospitalId}, stage ${t.stage}, ${t.diagnosed ? "diagnosed" : "not diagnosed yet"}`,
        );
      });
  },
};
