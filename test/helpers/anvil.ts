/**
 * Foundry's anvil, a second EVM node implementation (from npm: @foundry-rs/anvil ships the
 * binary), as a child process on a free port: the same JSON-RPC the indexer speaks to any node.
 * Its default accounts come from the same mnemonic as Hardhat's, and its chain id is 31337 too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";

export interface AnvilNode {
  rpcUrl: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** The anvil binary of this platform's package (@foundry-rs/anvil-<platform>-<arch>). */
export function anvilBinary(): string {
  const name = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), "bin", "anvil");
}

export async function startAnvil(options: { hostname?: string; port?: number } = {}): Promise<AnvilNode> {
  const hostname = options.hostname ?? "127.0.0.1";
  const child = spawn(anvilBinary(), ["--host", hostname, "--port", String(options.port ?? 0)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      const match = /^Listening on [^\s]+:(\d+)$/.exec(line.trim());
      if (match) resolve(Number(match[1]));
    });
    createInterface({ input: child.stderr! }).on("line", (line) => lines.push(line));
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(
        new Error(
          `anvil exited before listening (code ${code}, signal ${signal}): ${lines.slice(-5).join(" | ")}`,
        ),
      ),
    );
  });
  return {
    rpcUrl: `http://${hostname}:${port}`,
    wsUrl: `ws://${hostname}:${port}`,
    port,
    close: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
