/** staff, doctor, device register; member revoke / show. */
import { aadhaarFrom, examples, txJson, txLine, wholeNumber } from "../parse.ts";
import { requirePepper } from "./require.ts";
import type { CommandModule } from "./types.ts";

type Address = `0x${string}`;

export const staffCommands: CommandModule = {
  name: "staff",
  register(program, ctx) {
    program
      .command("staff")
      .description("hospital staff")
      .command("register <account>")
      .description("register a staff member (governance, or staff of the same hospital)")
      .requiredOption("--hospital <id>", "hospital id")
      .requiredOption("--aadhaar <number>", 'the person\'s Aadhaar number ("-" reads it from stdin)')
      .addHelpText(
        "after",
        examples("doctel staff register 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --hospital 1 --aadhaar -"),
      )
      .action(async (account: string, opts: { hospital: string; aadhaar: string }) => {
        requirePepper(ctx);
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.registerStaff({
          account: account as Address,
          hospitalId: wholeNumber(opts.hospital, "--hospital"),
          aadhaar: await aadhaarFrom(opts.aadhaar, ctx.io),
        });
        ctx.print(
          { account, ...txJson(result) },
          `staff ${account} registered at hospital ${opts.hospital} (${txLine(result)})`,
        );
      });
  },
};

export const doctorCommands: CommandModule = {
  name: "doctor",
  register(program, ctx) {
    program
      .command("doctor")
      .description("doctors")
      .command("register <account>")
      .description("register a doctor at your hospital (staff only)")
      .requiredOption("--aadhaar <number>", 'the doctor\'s Aadhaar number ("-" reads it from stdin)')
      .requiredOption("--specialty <code>", "specialty code 1-64 or key, e.g. CARDIOLOGY")
      .addHelpText(
        "after",
        examples(
          "doctel doctor register 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --aadhaar - --specialty CARDIOLOGY",
        ),
      )
      .action(async (account: string, opts: { aadhaar: string; specialty: string }) => {
        requirePepper(ctx);
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.registerDoctor({
          account: account as Address,
          aadhaar: await aadhaarFrom(opts.aadhaar, ctx.io),
          specialty: opts.specialty,
        });
        ctx.print({ account, ...txJson(result) }, `doctor ${account} registered (${txLine(result)})`);
      });
  },
};

export const deviceCommands: CommandModule = {
  name: "device",
  register(program, ctx) {
    program
      .command("device")
      .description("IoT devices that record vitals")
      .command("register <device>")
      .description("register a device at your hospital, bound to one patient (staff only)")
      .requiredOption("--patient-aadhaar <number>", 'the patient\'s Aadhaar number ("-" reads it from stdin)')
      .addHelpText(
        "after",
        examples("doctel device register 0x90F79bf6EB2c4f870365E785982E1f101E93b906 --patient-aadhaar -"),
      )
      .action(async (device: string, opts: { patientAadhaar: string }) => {
        requirePepper(ctx);
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.registerDevice({
          device: device as Address,
          patientAadhaar: await aadhaarFrom(opts.patientAadhaar, ctx.io),
        });
        ctx.print({ device, ...txJson(result) }, `device ${device} registered (${txLine(result)})`);
      });
  },
};

export const memberCommands: CommandModule = {
  name: "member",
  register(program, ctx) {
    const member = program.command("member").description("any member: staff, doctor or device");
    member
      .command("revoke <account>")
      .description("revoke a member (governance, or staff of the member's hospital)")
      .addHelpText("after", examples("doctel member revoke 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"))
      .action(async (account: string) => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.revokeMember({ account: account as Address });
        ctx.print({ account, ...txJson(result) }, `member ${account} revoked (${txLine(result)})`);
      });
    member
      .command("show <account>")
      .description("show an account's membership")
      .addHelpText("after", examples("doctel member show 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --json"))
      .action(async (account: string) => {
        const doctel = await ctx.docTel();
        const m = await doctel.member(account as Address);
        ctx.print(
          { ...m },
          m.kind === "NONE"
            ? `${m.account} is not a member`
            : `${m.account}: ${m.kind} at hospital ${m.hospitalId}`,
        );
      });
  },
};
