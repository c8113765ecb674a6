import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandModules } from "../../cli/commands/index.ts";
import { createCliContext } from "../../cli/context.ts";
import { buildProgram, main } from "../../cli/main.ts";
import { hasNoStack, runCli } from "./run.ts";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  return { io: { stdout, stderr, stdin: new PassThrough() }, out: () => out, err: () => err };
}

/** Every runnable command's path: ["treatment", "attach"], ["status"], … */
function leafPaths(command: Command, prefix: string[] = []): string[][] {
  const subs = command.commands.filter((c) => c.name() !== "help");
  if (subs.length === 0) return [prefix];
  return subs.flatMap((c) => leafPaths(c, [...prefix, c.name()]));
}

const program = buildProgram(createCliContext(capture().io, {}));
const leaves = leafPaths(program);

describe("doctel --help", () => {
  it("lists every command the brief asks for", () => {
    expect(leaves.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining([
        "deploy",
        "hospital register",
        "staff register",
        "doctor register",
        "device register",
        "member revoke",
        "patient register",
        "patient update",
        "treatment open",
        "treatment assign-doctor",
        "treatment unassign-doctor",
        "treatment diagnose",
        "treatment attach",
        "treatment vitals",
        "treatment advance",
        "role grant",
        "role revoke",
        "governance transfer",
        "governance accept",
        "status",
      ]),
    );
  });

  it.each(leaves.map((p) => [p.join(" "), p] as const))(
    "shows help with examples for `%s`",
    async (_name, path) => {
      const { io, out, err } = capture();
      const code = await main([...path, "--help"], {}, io);
      expect(code).toBe(0);
      expect(err()).toBe("");
      expect(out()).toContain(`Usage: doctel ${path.join(" ")}`);
      const examples = out().split("Examples:\n")[1] ?? "";
      expect(examples).toMatch(/^( {2}\$ .*doctel .+\n)+/);
      expect(examples).toContain(`doctel ${path.join(" ")}`);
    },
  );

  it("runs as a subprocess: `node cli/bin.ts --help` exits 0 with the global options", async () => {
    const result = await runCli(["--help"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--rpc-url <url>");
    expect(result.stdout).toContain(
      "Exit codes: 0 success, 2 bad input or configuration, 1 any other failure.",
    );
    expect(hasNoStack(result.stderr)).toBe(true);
  });

  it("takes extra command modules, as `simulate` is added", async () => {
    const { io, out } = capture();
    const ctx = createCliContext(io, {});
    const extended = buildProgram(ctx, [
      ...commandModules,
      {
        name: "extension",
        register: (p) => {
          p.command("extension").action(() => {
            ctx.print({ ok: true }, "extended");
          });
        },
      },
    ]);
    await extended.parseAsync(["extension"], { from: "user" });
    expect(out()).toBe("extended\n");
  });
});

describe("doctel patient register --help and its parser", () => {
  it("agree on --sex and --blood-group: every spelling the help lists is accepted, and the short ones are listed", async () => {
    const { SEX_TABLE, BLOOD_GROUP_TABLE } = await import("../../shared/reference/enums.ts");
    const patient = program.commands.find((c) => c.name() === "patient")!;
    const register = patient.commands.find((c) => c.name() === "register")!;
    const help = (flag: string) => register.options.find((o) => o.long === flag)!.description;
    const spellings = (text: string) =>
      text
        .replace(/\(also |; any case\)|\(any case\)| or /g, ",")
        .split(",")
        .map((w) => w.trim())
        .filter((w) => w !== "");
    for (const word of spellings(help("--sex"))) expect(() => SEX_TABLE.fromLabel(word), word).not.toThrow();
    for (const word of spellings(help("--blood-group")))
      expect(() => BLOOD_GROUP_TABLE.fromLabel(word), word).not.toThrow();
    // The parser's short forms (f, m, o, u) are in the help, so a user can learn them there.
    for (const alias of SEX_TABLE.aliases) expect(spellings(help("--sex"))).toContain(alias);
    expect(SEX_TABLE.fromLabel("f")).toBe(SEX_TABLE.fromLabel("female"));
  });
});
