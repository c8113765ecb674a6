#!/usr/bin/env node
/**
 * The `doctel` command. Run with Node 24 (type stripping): `npx doctel …` from the repository,
 * or `node cli/bin.ts …`. The only place the CLI reads process.env.
 */
import { main } from "./main.ts";

const code = await main(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
// Let stdout/stderr drain, then leave even if an idle keep-alive socket lingers.
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
