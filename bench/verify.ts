/**
 * Attachment verification throughput: `npm run bench:verify`.
 *
 * Starts an embedded PostgreSQL (migrated) and an IPFS node (js-ipfs serving the Kubo RPC API, in
 * a child process as Kubo would be, so that the node and the verifier do not share one event
 * loop), uploads BENCH_SMALL_FILES files of 1–20 KiB (half CIDv1 raw leaves, half CIDv0) and one
 * BENCH_BIG_MIB file (CIDv1 raw leaves, then CIDv0), queues them in file_verification and lets
 * one verification worker drain the queue. Times are from queueing (INSERT + NOTIFY) to the last
 * row written. The big file is measured BENCH_RUNS times (requeued between runs); the median counts.
 *
 * The last line of output is one JSON object:
 *   {"small_files": N, "files_per_s": x, "big_file_mib": 50, "mib_per_s": y, "concurrency": c, ...}
 *
 * Environment: BENCH_SMALL_FILES (5000), BENCH_BIG_MIB (50), BENCH_RUNS (3), and the VERIFY_*
 * settings (indexer/verify/config.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { create as createIpfsClient, type KuboRPCClient } from "kubo-rpc-client";
import pg from "pg";
import { z } from "zod";
import { toVerifierSettings, verifyFields } from "../indexer/verify/config.ts";
import { notifyVerificationQueue, requeue } from "../indexer/verify/queue.ts";
import { createVerificationWorker } from "../indexer/verify/worker.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { parseConfig, positiveInt } from "../shared/config.ts";
import { createLogger } from "../shared/logger.ts";
import { startLocalIpfs } from "../shared/services/ipfs.ts";
import { createDatabase, startTemporaryPostgres } from "../shared/services/postgres.ts";

const MiB = 1024 * 1024;

if (process.argv[2] === "--serve-ipfs") {
  await serveIpfs(process.argv[3]!);
} else {
  await main();
}

/** Child-process mode: runs the IPFS node, prints its API URL, stops on SIGTERM or when stdin closes. */
async function serveIpfs(repo: string): Promise<void> {
  const node = await startLocalIpfs({ repo, port: 0 });
  process.stdout.write(`${JSON.stringify({ apiUrl: node.apiUrl })}\n`);
  const shutdown = async () => {
    await node.close();
    process.exit(0);
  };
  process.once("SIGTERM", shutdown);
  process.stdin.once("end", shutdown);
  process.stdin.resume();
}

async function main(): Promise<void> {
  const config = parseConfig(
    z.object({
      ...verifyFields,
      BENCH_SMALL_FILES: positiveInt.default(5000),
      BENCH_BIG_MIB: positiveInt.default(50),
      BENCH_RUNS: positiveInt.default(3),
    }),
    process.env,
  );
  const settings = { ...toVerifierSettings(config), pollIntervalMs: 1000 };
  const logger = createLogger({ level: "warn", format: "json", service: "bench-verify" });
  const say = (message: string) => process.stdout.write(`${message}\n`);
  const workDir = await mkdtemp(path.join(tmpdir(), "doctel-bench-verify-"));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const postgres = await startTemporaryPostgres({ logger });
    cleanups.push(() => postgres.stop());
    const databaseUrl = await createDatabase(postgres.url, "doctel_bench");
    await applyMigrations({ databaseUrl });
    const ipfsChild = await spawnIpfs(path.join(workDir, "ipfs"));
    cleanups.push(ipfsChild.stop);
    const ipfs = createIpfsClient({ url: ipfsChild.apiUrl });
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    const watcher = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    cleanups.push(async () => {
      await pool.end();
      await watcher.end();
    });
    say(`services up (postgres ${postgres.port}, ipfs ${ipfsChild.apiUrl})`);

    // Small files.
    const count = config.BENCH_SMALL_FILES;
    let started = performance.now();
    const small = await uploadSmallFiles(ipfs, count);
    say(`uploaded ${count} small files in ${seconds(started)} s`);
    const worker = createVerificationWorker({ pool, ipfsUrl: ipfsChild.apiUrl, config: settings, logger });
    await worker.start();
    const cpuBefore = await cpuSeconds(ipfsChild.pid);
    started = performance.now();
    await queue(watcher, small);
    await waitUntilDone(watcher, 50);
    const smallSeconds = (performance.now() - started) / 1000;
    const cpuAfter = await cpuSeconds(ipfsChild.pid);
    const cpuPerFile = (key: keyof typeof cpuAfter) =>
      round(((cpuAfter[key] - cpuBefore[key]) * 1000) / count);
    const smallCpu = {
      verifier: cpuPerFile("self"),
      ipfs: cpuPerFile("ipfs"),
      postgres: cpuPerFile("others"),
    };
    say(`CPU ms per small file: ${JSON.stringify(smallCpu)}; load average ${loadavg()[0]?.toFixed(1)}`);
    const smallStatus = await statusCounts(watcher);
    say(`verified ${count} small files in ${smallSeconds.toFixed(2)} s: ${JSON.stringify(smallStatus)}`);
    if (smallStatus.VERIFIED !== count)
      throw new Error(`expected ${count} VERIFIED rows, got ${JSON.stringify(smallStatus)}`);

    // One big file, CIDv1 raw leaves, then CIDv0 dag-pb leaves.
    const bigMib = config.BENCH_BIG_MIB;
    const big = randomBytes(bigMib * MiB);
    const rates: Record<string, number> = {};
    const bigCpu: Record<string, { verifier: number; ipfs: number }> = {};
    for (const [label, options] of [
      ["cidv1", { cidVersion: 1, rawLeaves: true }],
      ["cidv0", { cidVersion: 0, rawLeaves: false }],
    ] as const) {
      const { cid } = await ipfs.add(big, { ...options, chunker: "size-262144", pin: true });
      const runs: number[] = [];
      const cpuStart = await cpuSeconds(ipfsChild.pid);
      for (let run = 0; run < config.BENCH_RUNS; run++) {
        started = performance.now();
        if (run === 0) await queue(watcher, [cid.toString()]);
        else await requeue(watcher, { cid: cid.toString() });
        await waitUntilDone(watcher, 25);
        const runSeconds = (performance.now() - started) / 1000;
        const row = await watcher.query("SELECT status, size_bytes FROM file_verification WHERE cid = $1", [
          cid.toString(),
        ]);
        if (row.rows[0]?.status !== "VERIFIED" || Number(row.rows[0]?.size_bytes) !== big.length) {
          throw new Error(`big file ${cid} not verified: ${JSON.stringify(row.rows[0])}`);
        }
        runs.push(bigMib / runSeconds);
      }
      rates[label] = median(runs);
      const cpuEnd = await cpuSeconds(ipfsChild.pid);
      const perMib = (key: "self" | "ipfs") =>
        round(((cpuEnd[key] - cpuStart[key]) * 1000) / (bigMib * config.BENCH_RUNS));
      bigCpu[label] = { verifier: perMib("self"), ipfs: perMib("ipfs") };
      say(
        `${label} ${cid}: ${runs.map((r) => r.toFixed(1)).join(", ")} MiB/s (median ${rates[label]!.toFixed(1)})`,
      );
    }
    await worker.stop();

    const result = {
      small_files: count,
      files_per_s: round(count / smallSeconds),
      big_file_mib: bigMib,
      mib_per_s: round(rates.cidv1!),
      mib_per_s_cidv0: round(rates.cidv0!),
      concurrency: settings.concurrency,
      parallel_blocks: settings.parallelBlocks,
      big_file_runs: config.BENCH_RUNS,
      cpu_ms_per_small_file: smallCpu,
      cpu_ms_per_big_file_mib: bigCpu.cidv1,
      load_average: round(loadavg()[0] ?? 0),
    };
    say(JSON.stringify(result));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await rm(workDir, { recursive: true, force: true });
  }
}

async function spawnIpfs(repo: string): Promise<{ apiUrl: string; pid: number; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [import.meta.filename, "--serve-ipfs", repo], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`IPFS child exited with ${code} before starting`)));
    createInterface({ input: child.stdout! }).once("line", resolve);
  });
  const { apiUrl } = JSON.parse(line) as { apiUrl: string };
  return {
    apiUrl,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Small files, 1–20 KiB, one in five plain text, added in two requests (`add` with many files):
 * the even ones as CIDv1 with raw leaves, the odd ones as CIDv0. Not one block/put per block:
 * js-ipfs's RPC server fails about one put in 30,000 (docs/benchmarks.md, bench:verify).
 */
async function uploadSmallFiles(ipfs: KuboRPCClient, count: number): Promise<string[]> {
  const content = (index: number): Uint8Array => {
    const size = randomInt(1024, 20 * 1024 + 1);
    return index % 5 === 0
      ? Buffer.from(`prescription ${index}\n`.repeat(size).slice(0, size))
      : randomBytes(size);
  };
  const cids: string[] = new Array(count);
  for (const v1 of [true, false]) {
    const indexes = Array.from({ length: count }, (_, i) => i).filter((i) => (i % 2 === 0) === v1);
    const files = indexes.map((i) => ({ path: `file-${i}`, content: content(i) }));
    let n = 0;
    for await (const entry of ipfs.addAll(files, {
      cidVersion: v1 ? 1 : 0,
      rawLeaves: v1,
      chunker: "size-262144",
      wrapWithDirectory: false,
    })) {
      const index = indexes[n++];
      if (index === undefined || entry.path !== `file-${index}`) {
        throw new Error(`add answered ${entry.path} where file-${index} was expected`);
      }
      cids[index] = entry.cid.toString();
    }
    if (n !== indexes.length) throw new Error(`add answered ${n} files of ${indexes.length}`);
  }
  return cids;
}

async function queue(db: pg.Pool, cids: string[]): Promise<void> {
  await db.query("INSERT INTO file_verification (cid) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", [
    cids,
  ]);
  await notifyVerificationQueue(db);
}

/** Waits until no row is PENDING (checked every `everyMs`, through the (status, next_attempt_at) index). */
async function waitUntilDone(db: pg.Pool, everyMs: number): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ pending: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM file_verification WHERE status = 'PENDING') AS pending",
    );
    if (!rows[0]?.pending) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function statusCounts(db: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; count: number }>(
    "SELECT status, count(*)::int AS count FROM file_verification GROUP BY status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

/**
 * CPU seconds used so far by this process, by the IPFS child, and by every other live descendant
 * (the PostgreSQL server and its backends), from /proc: the machine may be shared, so CPU per
 * file says more than wall time alone.
 */
async function cpuSeconds(ipfsPid: number): Promise<{ self: number; ipfs: number; others: number }> {
  const ticks = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => undefined);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    stats.set(Number(entry), {
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / ticks,
    });
  }
  const descends = (pid: number, ancestor: number): boolean => {
    for (
      let current = stats.get(pid)?.ppid;
      current !== undefined && current > 1;
      current = stats.get(current)?.ppid
    ) {
      if (current === ancestor) return true;
    }
    return false;
  };
  const usage = process.cpuUsage();
  let ipfs = 0;
  let others = 0;
  for (const [pid, stat] of stats) {
    if (pid === ipfsPid) ipfs += stat.cpu;
    else if (descends(pid, process.pid)) others += stat.cpu;
  }
  return { self: (usage.user + usage.system) / 1e6, ipfs, others };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
