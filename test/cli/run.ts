/** Runs `node cli/bin.ts …` as a subprocess, as a user would, and captures the outcome. */
import { spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "cli/bin.ts");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      // Only what the test gives: no inherited DOCTEL_* or RPC_URL from the developer's shell.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** The single JSON line a --json run prints. */
export function json<T = Record<string, unknown>>(result: RunResult): T {
  const lines = result.stdout.trim().split("\n");
  if (lines.length !== 1) throw new Error(`expected one JSON line, got:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(lines[0]!) as T;
}

/** No stack trace: no "    at …" frames and no file:line references. */
export function hasNoStack(text: string): boolean {
  return !/^\s+at\s/m.test(text) && !/\.ts:\d+:\d+/.test(text);
}
