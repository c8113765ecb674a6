/** start: DocTel in one process, on embedded defaults (npm start). */
import { parseConfig } from "../../shared/config.ts";
import { takeOverSignals, untilSignal } from "../../shared/services/signals.ts";
import { examples } from "../parse.ts";
import { banner } from "../start/banner.ts";
import { startConfigSchema } from "../start/config.ts";
import { startStack } from "../start/stack.ts";
import { createStartTerminal } from "../start/terminal.ts";
import type { CommandModule } from "./types.ts";

export const startCommand: CommandModule = {
  name: "start",
  register(program, ctx) {
    program
      .command("start")
      .description(
        "run DocTel in one process: embedded PostgreSQL, IPFS and chain (or DATABASE_URL, IPFS_API_URL, RPC_URL), the contract, a simulated year on first start, the indexer and the API with the dashboards",
      )
      .addHelpText(
        "after",
        examples(
          "doctel start                                # what `npm start` runs: everything embedded, data in .doctel/",
          "DATABASE_URL=postgresql://u:p@db/doctel doctel start   # a real PostgreSQL",
          "SIMULATE=none DEMO_MODE=false doctel start  # no demo data, wallet sign-in only",
          "LOG_FORMAT=json doctel start                # JSON logs on stderr instead of the progress view and .doctel/doctel.log",
        ),
      )
      .action(async () => {
        const config = parseConfig(startConfigSchema, ctx.env);
        // A progress view and the banner for people; logs in DOCTEL_HOME/doctel.log (or JSON on
        // stderr with LOG_FORMAT=json).
        const { logger, progress, logFile } = createStartTerminal({
          level: config.LOG_LEVEL,
          format: config.LOG_FORMAT,
          home: config.DOCTEL_HOME,
        });
        const stack = await startStack(config, ctx.env, logger, progress);
        takeOverSignals();
        ctx.io.stdout.write(
          await banner(stack, { home: config.DOCTEL_HOME, demo: config.DEMO_MODE, logFile }),
        );
        const reason = await Promise.race([
          untilSignal(() =>
            process.stderr.write("\nforced exit: embedded PostgreSQL may need recovery on next start\n"),
          ),
          stack.indexerStopped.then((error) => (error ? "indexer failed" : "indexer stopped")),
        ]);
        logger.info({ reason }, "stopping DocTel");
        await stack.stop();
        logger.info("stopped");
        if (reason === "indexer failed") process.exitCode = 1;
      });
  },
};
