/** patient register | update: demographics by Aadhaar number. */
import type { Command } from "commander";
import type { PatientInput } from "../../sdk/index.ts";
import { BLOOD_GROUP_SYMBOLS, BLOOD_GROUPS, SEX_TABLE } from "../../shared/reference/enums.ts";
import type { CliContext } from "../context.ts";
import { aadhaarFrom, choicesText, decimal, examples, txJson, txLine, wholeNumber } from "../parse.ts";
import { requirePepper } from "./require.ts";
import type { CommandModule } from "./types.ts";

interface PatientFlags {
  aadhaar: string;
  weightKg: string;
  heightCm: string;
  sex: string;
  bloodGroup: string;
  birthDate: string;
  state: string;
  district: string;
}

function withPatientOptions(command: Command): Command {
  return command
    .requiredOption("--aadhaar <number>", 'the patient\'s Aadhaar number ("-" reads it from stdin)')
    .requiredOption("--weight-kg <kg>", "weight in kilograms, e.g. 70.5 (0.2-500)")
    .requiredOption("--height-cm <cm>", "height in centimetres (1-300)")
    .requiredOption("--sex <sex>", choicesText(SEX_TABLE, ["FEMALE", "MALE", "OTHER", "UNKNOWN"]))
    .requiredOption(
      "--blood-group <group>",
      `${BLOOD_GROUP_SYMBOLS.slice(1).join(", ")} or unknown (also ${BLOOD_GROUPS.slice(1).join(", ")}; any case)`,
    )
    .requiredOption("--birth-date <date>", "YYYY-MM-DD")
    .requiredOption("--state <code>", "LGD state code of residence")
    .requiredOption("--district <code>", "LGD district code of residence");
}

function patientInput(opts: PatientFlags): PatientInput {
  return {
    weightGrams: Math.round(decimal(opts.weightKg, "--weight-kg") * 1000),
    heightCm: wholeNumber(opts.heightCm, "--height-cm"),
    sex: opts.sex as PatientInput["sex"],
    bloodGroup: opts.bloodGroup as PatientInput["bloodGroup"],
    birthDate: opts.birthDate,
    stateCode: wholeNumber(opts.state, "--state"),
    districtCode: wholeNumber(opts.district, "--district"),
  };
}

async function run(ctx: CliContext, opts: PatientFlags, mode: "register" | "update"): Promise<void> {
  requirePepper(ctx);
  const input = patientInput(opts);
  const aadhaar = await aadhaarFrom(opts.aadhaar, ctx.io);
  const doctel = await ctx.docTel({ sign: true });
  const result =
    mode === "register"
      ? await doctel.registerPatient({ aadhaar, ...input })
      : await doctel.updatePatient({ aadhaar, ...input });
  ctx.print(
    { ...txJson(result) },
    `patient ${mode === "register" ? "registered" : "updated"} (${txLine(result)})`,
  );
}

const EXAMPLE =
  "doctel patient register --aadhaar - --weight-kg 70.5 --height-cm 172 --sex female --blood-group O+ --birth-date 1985-04-12 --state 7 --district 77";

export const patientCommands: CommandModule = {
  name: "patient",
  register(program, ctx) {
    const patient = program
      .command("patient")
      .description("patients, identified by Aadhaar number (never stored)");
    withPatientOptions(patient.command("register"))
      .description("register a patient (staff or doctors of any hospital)")
      .addHelpText("after", examples(EXAMPLE, `echo 234567890124 | ${EXAMPLE}`))
      .action((opts: PatientFlags) => run(ctx, opts, "register"));
    withPatientOptions(patient.command("update"))
      .description("replace a registered patient's demographics")
      .addHelpText("after", examples(EXAMPLE.replace("register", "update").replace("70.5", "68")))
      .action((opts: PatientFlags) => run(ctx, opts, "update"));
  },
};
