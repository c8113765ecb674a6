/** role grant | revoke (ANALYST, PUBLIC_HEALTH, AUDITOR); governance transfer | accept | cancel. */
import { parseRole } from "../../sdk/index.ts";
import { examples, txJson, txLine } from "../parse.ts";
import type { CommandModule } from "./types.ts";

type Address = `0x${string}`;

export const roleCommands: CommandModule = {
  name: "role",
  register(program, ctx) {
    const role = program
      .command("role")
      .description("read roles for the API: ANALYST, PUBLIC_HEALTH, AUDITOR (governance only)");
    for (const action of ["grant", "revoke"] as const) {
      role
        .command(`${action} <role> <account>`)
        .description(`${action} a read role`)
        .addHelpText(
          "after",
          examples(`doctel role ${action} ANALYST 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65`),
        )
        .action(async (roleName: string, account: string) => {
          const doctel = await ctx.docTel({ sign: true });
          const input = { role: roleName, account: account as Address };
          const result = action === "grant" ? await doctel.grantRole(input) : await doctel.revokeRole(input);
          const label = parseRole(roleName);
          ctx.print(
            { role: label, account, ...txJson(result) },
            `${label} ${action === "grant" ? "granted to" : "revoked from"} ${account} (${txLine(result)})`,
          );
        });
    }
  },
};

export const governanceCommands: CommandModule = {
  name: "governance",
  register(program, ctx) {
    const governance = program
      .command("governance")
      .description(
        "hand the governance role over (e.g. to a multisig): transfer, wait the admin delay, accept",
      );
    governance
      .command("transfer <newGovernance>")
      .description("start handing governance to another account (current governance only)")
      .addHelpText("after", examples("doctel governance transfer 0xMultisig…"))
      .action(async (newGovernance: string) => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.beginGovernanceTransfer({ newGovernance: newGovernance as Address });
        const status = await doctel.status();
        const from = status.pendingGovernance?.acceptableFrom.toISOString();
        ctx.print(
          { newGovernance, acceptableFrom: from, ...txJson(result) },
          `governance transfer to ${newGovernance} started; it can accept after ${from} (${txLine(result)})`,
        );
      });
    governance
      .command("accept")
      .description("accept a pending governance transfer (signed by the new governance account)")
      .addHelpText("after", examples("DOCTEL_PRIVATE_KEY=0x… doctel governance accept"))
      .action(async () => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.acceptGovernance();
        ctx.print(
          { governance: doctel.account, ...txJson(result) },
          `${doctel.account} is now governance (${txLine(result)})`,
        );
      });
    governance
      .command("cancel")
      .description("cancel a pending governance transfer (current governance only)")
      .addHelpText("after", examples("doctel governance cancel"))
      .action(async () => {
        const doctel = await ctx.docTel({ sign: true });
        const result = await doctel.cancelGovernanceTransfer();
        ctx.print({ ...txJson(result) }, `pending governance transfer cancelled (${txLine(result)})`);
      });
  },
};
