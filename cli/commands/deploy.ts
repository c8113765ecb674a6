import { deployDocTel } from "../../sdk/index.ts";
import { examples, wholeNumber } from "../parse.ts";
import { requirePepper } from "./require.ts";
import type { CommandModule } from "./types.ts";

export const deployCommand: CommandModule = {
  name: "deploy",
  register(program, ctx) {
    program
      .command("deploy")
      .description("deploy the DocTel contract and write the deployment record (DEPLOYMENT_FILE)")
      .option("--governance <address>", "the governance admin (default: the signing account)")
      .option("--admin-delay <seconds>", "delay before a governance handover can be accepted", "86400")
      .addHelpText(
        "after",
        examples(
          "DOCTEL_PRIVATE_KEY=0x… DOCTEL_PEPPER=… doctel deploy",
          "doctel deploy --governance 0xMultisig… --admin-delay 172800 --deployment-file .doctel/mainnet.json",
        ),
      )
      .action(async (opts: { governance?: string; adminDelay: string }) => {
        const s = ctx.settings();
        const pepper = requirePepper(ctx);
        const wallet = ctx.walletClient();
        const { record } = await deployDocTel({
          walletClient: wallet,
          publicClient: ctx.publicClient(),
          governance: (opts.governance ?? wallet.account.address) as `0x${string}`,
          pepper,
          adminDelaySeconds: wholeNumber(opts.adminDelay, "--admin-delay"),
          deploymentFile: s.deploymentFile,
          logger: ctx.logger(),
        });
        ctx.print({ ...record, deploymentFile: s.deploymentFile }, [
          `DocTel deployed at ${record.address} on chain ${record.chainId} (block ${record.deployBlock}, tx ${record.deployTxHash})`,
          `deployment record written to ${s.deploymentFile}`,
        ]);
      });
  },
};
