/** start: DocTel in one process, on embedded defaults (npm start). */
import { parseConfig } from "../../shared/config.ts";
import { listenForShutdown } from "../../shared/services/signals.ts";
import { IndexerStoppedError } from "../errors.ts";
import { examples } from "../parse.ts";
import { banner } from "../start/banner.ts";
import { startConfigSchema } from "../start/config.ts";
import { type RunningStack, startStack } from "../start/stack.ts";
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
          "SIMULATE_EVENTS=2000 doctel start           # a smaller, quicker first simulation (default 110000)",
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
        // From the first moment: Ctrl-C during start-up stops what has started, in order, too.
        const shutdown = listenForShutdown(() =>
          process.stderr.write("\nforced exit: embedded PostgreSQL may need recovery on next start\n"),
        );
        const stopped = (when: string) =>
          ctx.io.stdout.write(
            `DocTel stopped${when}; data kept in ${config.DOCTEL_HOME}, the next start resumes\n`,
          );
        let stack: RunningStack;
        try {
          stack = await startStack(config, ctx.env, logger, { signal: shutdown.signal, progress });
        } catch (error) {
          if (!shutdown.signal.aborted) throw error;
          progress.interrupted();
          logger.debug({ err: error }, "start-up interrupted");
          stopped(" during start-up");
          return;
        }
        ctx.io.stdout.write(
          await banner(stack, { home: config.DOCTEL_HOME, demo: config.DEMO_MODE, logFile }),
        );
        const reason = await Promise.race([
          shutdown.requested,
          stack.indexerStopped.then((error) => ({ error })),
        ]);
        logger.debug({ reason: typeof reason === "string" ? reason : "indexer stopped" }, "stopping DocTel");
        await stack.stop();
        if (typeof reason === "string") {
          stopped("");
          return;
        }
        throw new IndexerStoppedError(reason.error);
      });
  },
};

/** The indexer stopped by itself: every part was stopped, and the command fails with the reason. */
