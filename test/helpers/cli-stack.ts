/**
 * `doctel start` (what `npm start` runs) as a child process, on ports of its own, for the tests
 * that drive the one-command stack as a user would: start it, wait on its state, signal it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export interface StackPorts {
  api: number;
  chain: number;
  ipfs: number;
  pg: number;
  ops: number;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export async function freeStackPorts(): Promise<StackPorts> {
  return {
    api: await freePort(),
    chain: await freePort(),
    ipfs: await freePort(),
    pg: await freePort(),
    ops: await freePort(),
  };
}

export interface StackRun {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` and returns the output written from then on, once the process has exited. */
  signal(signal: NodeJS.Signals): Promise<{ code: number | null; after: string }>;
}

/** Starts `node cli/bin.ts start` with DOCTEL_HOME `home` on `ports`, JSON logs, and `env` on top. */
export function startDoctel(home: string, ports: StackPorts, env: Record<string, string> = {}): StackRun {
  const child = spawn(process.execPath, [path.join(root, "cli/bin.ts"), "start"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DOCTEL_HOME: home,
      PORT: String(ports.api),
      EMBEDDED_CHAIN_PORT: String(ports.chain),
      EMBEDDED_IPFS_PORT: String(ports.ipfs),
      EMBEDDED_POSTGRES_PORT: String(ports.pg),
      INDEXER_OPS_PORT: String(ports.ops),
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d) => {
    text += String(d);
  });
  child.stderr!.on("data", (d) => {
    text += String(d);
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    child,
    output: () => text,
    exited,
    async signal(signal) {
      const from = text.length;
      child.kill(signal);
      const code = await exited;
      return { code, after: text.slice(from) };
    },
  };
}

/** Polls `fn` until it returns a value; fails at once if the process exits first. */
export async function until<T>(
  what: string,
  run: StackRun,
  fn: () => Promise<T | undefined>,
  ms = 480_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (run.child.exitCode !== null)
      throw new Error(
        `doctel start exited (${run.child.exitCode}) before ${what}:\n${run.output().slice(-3000)}`,
      );
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms:\n${run.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function graphql<T>(apiPort: number, query: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
