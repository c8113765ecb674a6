/**
 * The `doctel` program: global options, the command registry, config parsed once before any
 * action, and one error line + exit code for every failure (errors.ts).
 */
import { Command, Option } from "commander";
import packageJson from "../package.json" with { type: "json" };
import type { Env } from "../shared/config.ts";
import { commandModules } from "./commands/index.ts";
import type { CommandModule } from "./commands/types.ts";
import { loadCliConfig } from "./config.ts";
import { type CliContext, createCliContext } from "./context.ts";
import { EXIT_OK, reportError } from "./errors.ts";
import type { CliIo } from "./io.ts";

const GLOBAL_HELP = `
Configuration comes from the environment (see .env.example); flags override it. While
.doctel/ holds an \`npm start\` installation, its pepper is the default, and while that stack
runs, so are its chain, IPFS and database URLs; --as <role> signs as one of its demo accounts.
Exit codes: 0 success, 2 bad input or configuration, 1 any other failure.

Examples:
  $ doctel status
  $ doctel --as staff treatment advance 12 discharged      # against npm start's stack
  $ doctel deploy --admin-delay 0
  $ echo 234567890124 | doctel treatment open --aadhaar -
  $ doctel treatment attach 12 ./cbc.pdf --kind lab-report --json
`;

export function buildProgram(ctx: CliContext, modules: readonly CommandModule[] = commandModules): Command {
  const program = new Command("doctel")
    .description("DocTel: record hospital care on the DocTel contract")
    .version(packageJson.version)
    .option("--rpc-url <url>", "JSON-RPC node (RPC_URL; default http://127.0.0.1:8545)")
    .option("--key-file <file>", "file holding the signing key (instead of DOCTEL_PRIVATE_KEY)")
    .option("--pepper-file <file>", "file holding the reference pepper as hex (instead of DOCTEL_PEPPER)")
    .option(
      "--deployment-file <file>",
      "deployment record (DEPLOYMENT_FILE; default .doctel/deployment.json)",
    )
    .option("--contract <address>", "contract address, instead of the deployment record (CONTRACT_ADDRESS)")
    .option("--ipfs-api-url <url>", "IPFS RPC API (IPFS_API_URL; default http://127.0.0.1:5001)")
    .option("--ipfs-timeout-ms <ms>", "deadline of each IPFS call (IPFS_TIMEOUT_MS; default 120000)")
    .option("--max-file-bytes <bytes>", "largest file to attach (MAX_FILE_BYTES; default 52428800 = 50 MiB)")
    .addOption(
      new Option("--log-level <level>", "log level on stderr (LOG_LEVEL; default warn)").choices([
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "silent",
      ]),
    )
    .option(
      "--as <role>",
      "sign with a demo account of `npm start`'s cast (DOCTEL_AS): governance, staff, doctor, analyst, public-health, auditor, or a cast address",
    )
    .option("--json", "print results as one JSON line")
    .option("--debug", "print stacks and causes on failure")
    .addHelpText("after", GLOBAL_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .hook("preAction", (_program, action) => {
      const flags = action.optsWithGlobals<Record<string, unknown>>();
      ctx.flags = { json: flags.json === true, debug: flags.debug === true };
      ctx.config = loadCliConfig(ctx.env, flags);
    });
  for (const module of modules) module.register(program, ctx);
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  const ctx = createCliContext(io, env);
  const program = buildProgram(ctx);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_OK;
    }
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, ctx.flags.debug ?? argv.includes("--debug"));
  }
}
