import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildASTSchema, concatAST, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { analyticsTypeDefs } from "../../graphql/analytics/index.ts";
import { typeDefs } from "../../graphql/schema/index.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** The fenced blocks of one language in a markdown file. */
async function blocks(file: string, lang: string): Promise<string[]> {
  const text = await readFile(path.join(root, file), "utf8");
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]!);
}

describe("the README stays true", () => {
  it("shows GraphQL queries that are valid against the API's schema", async () => {
    const schema = buildASTSchema(concatAST([...typeDefs, ...analyticsTypeDefs].map((sdl) => parse(sdl))));
    const queries = await blocks("README.md", "graphql");
    expect(queries.length).toBeGreaterThanOrEqual(5);
    for (const query of queries) {
      const errors = validate(schema, parse(query)).map((e) => e.message);
      expect({ query: query.split("\n")[0], errors }).toEqual({ query: query.split("\n")[0], errors: [] });
    }
  });

  it("shows doctel commands that exist", async () => {
    const { commandModules } = await import("../../cli/commands/index.ts");
    const { Command } = await import("commander");
    const program = new Command();
    for (const m of commandModules) m.register(program, {} as never);
    const shell = (await blocks("README.md", "sh")).join("\n");
    // Global options (`--as staff`) may come before the command.
    const used = [...shell.matchAll(/npx doctel (?:--[a-z-]+ [a-z0-9-]+ )*([a-z][a-z-]*)(?: ([a-z-]+))?/g)];
    expect(used.length).toBeGreaterThan(5);
    for (const [, group, sub] of used) {
      const command = program.commands.find((c) => c.name() === group);
      expect(command, `doctel ${group}`).toBeDefined();
      if (sub && command!.commands.length > 0) {
        expect(
          command!.commands.map((c) => c.name()),
          `doctel ${group} ${sub}`,
        ).toContain(sub);
      }
    }
  });
});
