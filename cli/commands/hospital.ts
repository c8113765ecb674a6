import { examples, txJson, txLine, wholeNumber } from "../parse.ts";
import type { CommandModule } from "./types.ts";

export const hospitalCommands: CommandModule = {
  name: "hospital",
  register(program, ctx) {
    const hospital = program.command("hospital").description("hospitals (governance only)");
    hospital
      .command("register")
      .description("register a hospital; prints its id")
      .requiredOption("--name <name>", "display name, at most 128 bytes")
      .requiredOption("--state <code>", "LGD state code (1-38)")
      .requiredOption("--district <code>", "LGD district code, in that state")
      .addHelpText(
        "after",
        examples('doctel hospital register --name "AIIMS New Delhi" --state 7 --district 77'),
      )
      .action(async (opts: { name: string; state: string; district: string }) => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.registerHospital({
          name: opts.name,
          stateCode: wholeNumber(opts.state, "--state"),
          districtCode: wholeNumber(opts.district, "--district"),
        });
        ctx.print(
          { hospitalId: result.hospitalId, ...txJson(result) },
          `hospital ${result.hospitalId} registered (${txLine(result)})`,
        );
      });
  },
};
