/** npm start's terminal: steps and progress for people, logs in a file, warnings on one line each. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createStartTerminal, humanLogLine } from "../../cli/start/terminal.ts";

const homes: string[] = [];
afterAll(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} never happened`);
}

describe("npm start's terminal", () => {
  it("prints one line per step, then lets the banner follow; request logs go to the log file, not the terminal", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "doctel-terminal-"));
    homes.push(home);
    const stream = new PassThrough();
    let out = "";
    stream.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const { logger, progress, logFile } = createStartTerminal({
      level: "info",
      format: "pretty",
      home,
      stream,
    });
    expect(logFile).toBe(path.join(home, "doctel.log"));
    progress.step("embedded PostgreSQL");
    logger.info({ operation: "Patient", duration_ms: 3 }, "graphql request");
    progress.step("embedded chain");
    logger.warn({ component: "api" }, "demo mode: keys are public");
    progress.finish();
    expect(out).toMatch(/✓ embedded PostgreSQL\s+\d+\.\d s\n/);
    expect(out).toMatch(/✓ embedded chain\s+\d+\.\d s\n/);
    expect(out).toContain("warning: demo mode: keys are public (api)");
    expect(out).not.toContain("graphql request");
    await until("the log file holds both lines", async () => {
      const text = await readFile(logFile!, "utf8").catch(() => "");
      return text.includes('"msg":"graphql request"') && text.includes('"msg":"demo mode: keys are public"');
    });
  });

  it("ends a step that Ctrl-C interrupted on a line of its own, not marked done, so the stop line starts clean", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "doctel-terminal-"));
    homes.push(home);
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let out = "";
    stream.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const { progress } = createStartTerminal({ level: "info", format: "pretty", home, stream });
    progress.step("embedded PostgreSQL, IPFS and chain");
    progress.step("DocTel contract");
    progress.interrupted();
    expect(out).toMatch(/✓ embedded PostgreSQL, IPFS and chain\s+\d+\.\d s\n/);
    // The drawn "… DocTel contract" line is cleared first.
    expect(out.endsWith(`\r\u001b[2K  ✗ ${"DocTel contract".padEnd(34)} interrupted\n`)).toBe(true);
    expect(out).not.toContain("✓ DocTel contract");
  });

  it("keeps JSON logs on stderr with LOG_FORMAT=json, as npm run api and npm run indexer do", () => {
    const terminal = createStartTerminal({ level: "info", format: "json", home: tmpdir() });
    expect(terminal.logFile).toBeNull();
  });

  it("turns a pino line into one readable line with its error's first line", () => {
    expect(
      humanLogLine(
        JSON.stringify({
          level: 50,
          msg: "the indexer stopped",
          component: "indexer",
          err: { message: "boom\nstack" },
        }),
      ),
    ).toBe("error: the indexer stopped (indexer): boom");
  });
});
