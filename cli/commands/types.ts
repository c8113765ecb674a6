import type { Command } from "commander";
import type { CliContext } from "../context.ts";

/** A command group: adds its commands to the program. List it in commands/index.ts. */
export interface CommandModule {
  readonly name: string;
  register(program: Command, ctx: CliContext): void;
}
