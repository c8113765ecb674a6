/** status: the contract, the chain, and your membership and roles. */
import { formatEther } from "viem";
import { referenceKeyId } from "../../shared/identity/reference.ts";
import { redactUrl } from "../../shared/redact.ts";
import { examples } from "../parse.ts";
import type { CommandModule } from "./types.ts";

export const statusCommand: CommandModule = {
  name: "status",
  register(program, ctx) {
    program
      .command("status")
      .description("show the contract, the chain and (with a key) your membership and roles")
      .addHelpText(
        "after",
        examples(
          "doctel status",
          "doctel status --json --contract 0x5FbDB2315678afecb367f032d93F642f64180aa3",
        ),
      )
      .action(async () => {
        const s = ctx.settings();
        const doctel = await ctx.docTel();
        const status = await doctel.status();
        const pepperMatches = s.pepper ? referenceKeyId(s.pepper) === status.referenceKeyId : undefined;
        const lines = [
          `contract    ${status.contract} on chain ${status.chainId} at block ${status.blockNumber} (${redactUrl(s.rpcUrl)})`,
          `governance  ${status.governance}${status.pendingGovernance ? ` (transfer to ${status.pendingGovernance.account} acceptable from ${status.pendingGovernance.acceptableFrom.toISOString()})` : ""}`,
          `records     ${status.hospitalCount} hospital(s), ${status.treatmentCount} treatment(s)`,
          `pepper      ${pepperMatches === undefined ? "not configured" : pepperMatches ? "matches the contract" : "DOES NOT match the contract's referenceKeyId"}`,
        ];
        const you = status.account;
        if (you) {
          const member =
            you.member.kind === "NONE"
              ? "not a member"
              : `${you.member.kind} at hospital ${you.member.hospitalId}`;
          lines.push(
            `you         ${you.address}: ${member}; roles: ${you.roles.length ? you.roles.join(", ") : "none"}; balance ${formatEther(you.balanceWei)} ETH`,
          );
        } else {
          lines.push("you         no key configured (DOCTEL_PRIVATE_KEY or --key-file)");
        }
        ctx.print({ ...status, rpcUrl: redactUrl(s.rpcUrl), pepperMatches }, lines);
      });
  },
};
