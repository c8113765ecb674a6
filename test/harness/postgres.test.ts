import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDatabase,
  DEFAULT_INIT_CACHE,
  databaseUrl,
  dropDatabase,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
  startTemporaryPostgres,
  withClient,
} from "../../shared/services/postgres.ts";
import {
  binariesPackage,
  reachableBinaries,
  SYSTEM_DIR,
  serverUser,
} from "../../shared/services/postgres-process.ts";

const execFileAsync = promisify(execFile);

const CHILD = path.join(import.meta.dirname, "fixtures/postgres-child.ts");

describe("startEmbeddedPostgres", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempDataDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), "doctel-pg-test-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function start(dataDir: string): Promise<EmbeddedPostgres> {
    const server = await startEmbeddedPostgres({ dataDir, fsync: false, initCache: DEFAULT_INIT_CACHE });
    cleanups.push(() => server.stop());
    return server;
  }

  /** Starts the child fixture serving `dir`; resolves once its server holds a row. */
  async function serveInChild(
    dir: string,
    mode: "serve" | "temporary" = "serve",
  ): Promise<{ child: ChildProcess; dataDir: string; postmasterPid: number }> {
    const child = spawn(process.execPath, [CHILD, dir, mode], { stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    const lines = createInterface({ input: child.stdout! });
    for await (const line of lines) {
      const { dataDir, postmasterPid } = JSON.parse(line) as { dataDir: string; postmasterPid: number };
      return { child, dataDir, postmasterPid };
    }
    throw new Error(`the child exited (code ${child.exitCode}) before its server was ready`);
  }

  async function killed(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async function survivorRows(server: EmbeddedPostgres): Promise<number> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM survivor");
      return rows[0]!.n;
    } finally {
      await client.end();
    }
  }

  function running(pid: number): boolean {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // A zombie (exited, not yet reaped) is not running.
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  }

  it("restarts on a data directory whose owner was killed with SIGKILL, shutting the orphaned server down", async () => {
    const dataDir = await tempDataDir();
    const { child, postmasterPid } = await serveInChild(dataDir);
    await killed(child);
    // The server outlives its killed parent: that is the orphan to deal with.
    expect(running(postmasterPid)).toBe(true);

    const server = await start(dataDir);
    expect(running(postmasterPid)).toBe(false);
    expect(await survivorRows(server)).toBe(1);
  });

  it("restarts after the server itself was killed too, recovering from its stale postmaster.pid", async () => {
    const dataDir = await tempDataDir();
    const { child, postmasterPid } = await serveInChild(dataDir);
    process.kill(postmasterPid, "SIGKILL");
    await killed(child);

    const server = await start(dataDir);
    expect(await survivorRows(server)).toBe(1);
  });

  it("initialises again a data directory that initdb left half-written, because initdb refuses a non-empty one", async () => {
    const dataDir = await tempDataDir();
    await writeFile(path.join(dataDir, "PG_VERSION"), "18\n");
    await mkdir(path.join(dataDir, "base"));
    const server = await start(dataDir);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ one: number }>("SELECT 1 AS one");
    await client.end();
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("refuses a data directory whose server belongs to a live process, instead of killing it", async () => {
    const dataDir = await tempDataDir();
    await start(dataDir);
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/already running/);
  });

  it("stops once however often stop() is called, and then frees the data directory for a restart", async () => {
    const dataDir = await tempDataDir();
    const first = await start(dataDir);
    await Promise.all([first.stop(), first.stop()]);
    await first.stop();
    const second = await start(dataDir);
    const client = new pg.Client({ connectionString: second.url });
    await client.connect();
    await client.end();
  });

  it("clears temporary folders of processes killed before stopping their server, orphan included", async () => {
    const parentDir = await tempDataDir();
    await chmod(parentDir, 0o755); // as root, the server runs as the postgres user
    const { child, dataDir, postmasterPid } = await serveInChild(parentDir, "temporary");
    await killed(child);
    expect(running(postmasterPid)).toBe(true);

    const next = await startTemporaryPostgres({ parentDir });
    cleanups.push(() => next.stop());
    expect(running(postmasterPid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(next.dataDir)).toBe(true);
  });

  it("leaves the process exit code alone, because no exit hook of a library takes over the exit", async () => {
    const dataDir = await tempDataDir();
    const child = spawn(process.execPath, [CHILD, dataDir, "exit-code"], { stdio: "inherit" });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(3);
  });
});

describe("the server process", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A folder only its owner can enter, as `mktemp -d` or a 0700 home makes. */
  async function privateFolder(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), "doctel-private-"));
    await chmod(dir, 0o700);
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  function processGroup(pid: number): number {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  }

  it("runs in a process group of its own, so a terminal's Ctrl-C reaches only its owner, which stops it last", async () => {
    const server = await startTemporaryPostgres();
    cleanups.push(() => server.stop());
    const postmasterPid = Number(
      readFileSync(path.join(server.dataDir, "postmaster.pid"), "utf8").split("\n")[0],
    );
    expect(processGroup(postmasterPid)).toBe(postmasterPid);
    expect(processGroup(postmasterPid)).not.toBe(processGroup(process.pid));
  });

  it("keeps its data in a folder the server's user cannot enter (as root: behind a symlink), across restarts", async () => {
    const folder = await privateFolder();
    const dataDir = path.join(folder, "postgres");
    const first = await startEmbeddedPostgres({ dataDir, fsync: false });
    await withClient(first.url, (c) => c.query("CREATE TABLE kept AS SELECT 42 AS n"));
    await first.stop();
    const asRoot = process.getuid?.() === 0;
    // As root the server runs as "postgres", which cannot enter the folder: the data lives elsewhere.
    expect(lstatSync(dataDir).isSymbolicLink()).toBe(asRoot);
    expect(first.dataDir.startsWith(path.join(SYSTEM_DIR, "data"))).toBe(asRoot);

    const second = await startEmbeddedPostgres({ dataDir, fsync: false });
    expect(second.dataDir).toBe(first.dataDir);
    const { rows } = await withClient(second.url, (c) => c.query<{ n: number }>("SELECT n FROM kept"));
    expect(rows).toEqual([{ n: 42 }]);
    await second.stop();

    // Deleting the folder deletes the data: the next server placed elsewhere sweeps it away.
    await rm(folder, { recursive: true, force: true });
    const third = await startEmbeddedPostgres({
      dataDir: path.join(await privateFolder(), "pg"),
      fsync: false,
    });
    cleanups.push(() => third.stop());
    expect(existsSync(first.dataDir)).toBe(false);
  });

  it("runs binaries the server's user cannot reach in their folder from a copy it can reach", async () => {
    const user = await serverUser();
    const folder = await privateFolder();
    const source = binariesPackage();
    await execFileAsync("cp", ["-a", source.dir, path.join(folder, "package")]);
    const systemDir = path.join(await mkdtemp(path.join(tmpdir(), "doctel-system-")), "doctel");
    cleanups.push(() => rm(path.dirname(systemDir), { recursive: true, force: true }));
    await chmod(path.dirname(systemDir), 0o755);
    const binaries = await reachableBinaries({
      user,
      source: { dir: path.join(folder, "package"), version: source.version },
      systemDir,
      logger: undefined,
    });
    // As root the copy is used (the postgres user cannot enter the folder); otherwise the original.
    expect(binaries.postgres.startsWith(systemDir)).toBe(user !== undefined);
    const { stdout } = await execFileAsync(binaries.postgres, ["--version"], user ?? {});
    expect(stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);
  });
});

describe("createDatabase and dropDatabase", () => {
  it("quote names, copy templates, and drop databases that still have connections", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "doctel-pg-test-"));
    const server = await startEmbeddedPostgres({ dataDir, fsync: false, initCache: DEFAULT_INIT_CACHE });
    try {
      const templateUrl = await createDatabase(server.url, 'odd "name" template');
      const template = new pg.Client({ connectionString: templateUrl });
      await template.connect();
      await template.query("CREATE TABLE copied (id int)");
      await template.end();

      const copyUrl = await createDatabase(server.url, "copy", { template: 'odd "name" template' });
      expect(copyUrl).toBe(databaseUrl(server.url, "copy"));
      const copy = new pg.Client({ connectionString: copyUrl });
      copy.on("error", () => {}); // terminated by the forced drop below
      await copy.connect();
      const { rows } = await copy.query<{ name: string }>("SELECT to_regclass('copied')::text AS name");
      expect(rows).toEqual([{ name: "copied" }]);

      await dropDatabase(server.url, "copy");
      await dropDatabase(server.url, "copy");
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      const left = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'copy'");
      await admin.end();
      expect(left.rowCount).toBe(0);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
