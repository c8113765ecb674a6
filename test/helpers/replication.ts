/**
 * A real PostgreSQL primary and hot standby, streaming, started here: the embedded binaries have no
 * pg_basebackup, so the standby is made with the low-level base backup (pg_backup_start, a file
 * copy of the running primary's data directory, pg_backup_stop's backup label), then
 * standby.signal and primary_conninfo (shared/services/postgres.ts `standbyOf`).
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  type EmbeddedPostgres,
  startEmbeddedPostgres,
  startTemporaryPostgres,
  withClient,
} from "../../shared/services/postgres.ts";

const run = promisify(execFile);

export interface ReplicatedPair {
  primary: EmbeddedPostgres;
  standby: EmbeddedPostgres;
  /** Resolves once the standby has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/** What a base backup leaves out of the copy (PostgreSQL's "Making a Base Backup Using the Low Level API"). */
const LEFT_OUT = ["postmaster.pid", "postmaster.opts", "doctel-owner.json", "standby.signal"];
const EMPTIED = [
  "pg_wal",
  "pg_replslot",
  "pg_stat_tmp",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_subtrans",
];

export async function startReplicatedPair(options: { prepare?(primaryUrl: string): Promise<void> } = {}) {
  const primary = await startTemporaryPostgres({
    settings: { wal_level: "replica", max_wal_senders: 4, wal_keep_size: "512MB", hot_standby: "on" },
  });
  const root = await mkdtemp(path.join(tmpdir(), "doctel-standby-"));
  let standby: EmbeddedPostgres | undefined;
  try {
    await options.prepare?.(primary.url);
    await chmod(root, 0o755); // as root, the server runs as the postgres user and must reach data/
    const dataDir = path.join(root, "data");
    const label = await withClient(primary.url, async (client) => {
      await client.query("SELECT pg_backup_start('doctel test standby', true)");
      await run("cp", ["-a", primary.dataDir, dataDir]);
      const { rows } = await client.query<{ labelfile: string }>(
        "SELECT labelfile FROM pg_backup_stop(false)",
      );
      return rows[0]!.labelfile;
    });
    for (const file of LEFT_OUT) await rm(path.join(dataDir, file), { force: true });
    for (const dir of EMPTIED) {
      for (const entry of await readdir(path.join(dataDir, dir)).catch(() => [] as string[])) {
        if (dir === "pg_wal" && entry === "archive_status") continue;
        await rm(path.join(dataDir, dir, entry), { recursive: true, force: true });
      }
    }
    await mkdir(path.join(dataDir, "pg_wal", "archive_status"), { recursive: true });
    await writeFile(path.join(dataDir, "backup_label"), label);
    await run("chown", ["-R", "--reference", primary.dataDir, dataDir]).catch(() => undefined);
    const primaryUrl = new URL(primary.url);
    standby = await startEmbeddedPostgres({
      dataDir,
      fsync: false,
      synchronousCommit: false,
      standbyOf: `host=127.0.0.1 port=${primary.port} user=${decodeURIComponent(primaryUrl.username)} password=${decodeURIComponent(primaryUrl.password)} application_name=doctel_test_standby`,
    });
  } catch (error) {
    await primary.stop();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const replica = standby;
  const pair: ReplicatedPair = {
    primary,
    standby: replica,
    async caughtUp() {
      const target = await withClient(primary.url, async (c) => {
        const { rows } = await c.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
        return rows[0]!.lsn;
      });
      const deadline = Date.now() + 30_000;
      await withClient(replica.url, async (c) => {
        for (;;) {
          if (Date.now() > deadline)
            throw new Error(`the standby did not replay up to ${target} within 30 s`);
          const { rows } = await c.query<{ done: boolean }>(
            "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done",
            [target],
          );
          if (rows[0]?.done) return;
          await new Promise((r) => setTimeout(r, 20));
        }
      });
    },
    async stop() {
      await replica.stop();
      await primary.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
  return pair;
}
