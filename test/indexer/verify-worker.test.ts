// biome-ignore-all lint/correctness/useHookAtTopLevel: useTestDatabase/useTestIpfs are vitest fixtures, not React hooks
/**
 * The verification worker and its queue (the file_verification table), on a real PostgreSQL
 * and a real IPFS node, with faults injected by an HTTP proxy in front of the node.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import pg from "pg";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultVerifierSettings, type VerifierSettings } from "../../indexer/verify/config.ts";
import { registerInstance } from "../../indexer/verify/instance.ts";
import { createIpfsBlockSource } from "../../indexer/verify/ipfs-block-source.ts";
import { createIpfsRpc } from "../../indexer/verify/ipfs-rpc.ts";
import {
  claimVerifications,
  FAR_FUTURE,
  notifyVerificationQueue,
  recordVerification,
  releaseVerification,
  requeue,
} from "../../indexer/verify/queue.ts";
import type { FetchBlock } from "../../indexer/verify/verify-cid.ts";
import { createVerificationWorker, type VerificationWorker } from "../../indexer/verify/worker.ts";
import { ValidationError } from "../../shared/errors.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";
import { type FaultProxy, startFaultProxy } from "./verify-fault-proxy.ts";

const db = useTestDatabase();
const ipfs = useTestIpfs();
let proxy: FaultProxy;
const running: Array<{ worker: VerificationWorker; pool: pg.Pool }> = [];

/** Fast settings for tests: short polls and backoffs; timeouts generous where content exists. */
function settings(overrides: Partial<VerifierSettings> = {}): VerifierSettings {
  return {
    ...defaultVerifierSettings(),
    concurrency: 4,
    batchSize: 4,
    timeoutMs: 30_000,
    deadlineMs: 60_000,
    leaseMs: 120_000,
    pollIntervalMs: 100,
    maxAttempts: 3,
    backoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 },
    stopGraceMs: 30_000,
    ...overrides,
  };
}

async function startWorker(
  options: {
    config?: Partial<VerifierSettings>;
    ipfsUrl?: string;
    fetchBlock?: FetchBlock;
    metrics?: Registry;
  } = {},
): Promise<VerificationWorker> {
  const pool = new pg.Pool({ connectionString: db.url, max: 3 });
  const worker = createVerificationWorker({
    pool,
    ipfsUrl: options.ipfsUrl ?? ipfs.apiUrl,
    config: settings(options.config),
    logger: createSilentLogger(),
    ...(options.fetchBlock ? { fetchBlock: options.fetchBlock } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  running.push({ worker, pool });
  await worker.start();
  return worker;
}

/** What the indexer does when it sees FileAttached: PENDING rows, then NOTIFY. */
async function queue(cids: string[]): Promise<void> {
  await db.pool.query(
    "INSERT INTO file_verification (cid) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
    [cids],
  );
  await notifyVerificationQueue(db.pool);
}

interface Row {
  cid: string;
  status: string;
  size_bytes: string | null;
  content_type: string | null;
  blocks: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  verified_at: Date | null;
}

async function rows(cids?: string[]): Promise<Row[]> {
  const result = await db.pool.query<Row>(
    "SELECT * FROM file_verification WHERE $1::text[] IS NULL OR cid = ANY($1) ORDER BY first_seen_at, cid",
    [cids ?? null],
  );
  return result.rows;
}

async function row(cid: string): Promise<Row> {
  const [found] = await rows([cid]);
  if (!found) throw new Error(`no file_verification row for ${cid}`);
  return found;
}

/** Polls until `check` holds (every 50 ms); the test's own timeout bounds the wait. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

const settled = (cids: string[]) => async () =>
  (await rows(cids)).every((r) => r.status === "VERIFIED" || r.status === "INVALID");

async function upload(content: string | Uint8Array, cidVersion: 0 | 1 = 1): Promise<string> {
  return (await ipfs.client.add(content, { cidVersion })).cid.toString();
}

async function neverUploaded(): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(randomBytes(32))).toString();
}

beforeAll(async () => {
  proxy = await startFaultProxy(ipfs.apiUrl);
});

beforeEach(async () => {
  await db.pool.query("TRUNCATE file_verification CASCADE");
  proxy.mode = { kind: "pass" };
  proxy.blockGets.length = 0;
});

afterEach(async () => {
  for (const { worker, pool } of running.splice(0)) {
    await worker.stop();
    await pool.end();
  }
});

afterAll(async () => {
  await proxy?.close();
});

describe("verification worker", () => {
  it("drains the queue and writes size, content type and block count, or why a CID is invalid", async () => {
    const note = "Discharge summary: stable, follow up in 2 weeks\n";
    const text = await upload(note, 0);
    const pdf = await upload(Buffer.concat([Buffer.from("%PDF-1.4\n"), randomBytes(300_000)]));
    let directory = "";
    for await (const entry of ipfs.client.addAll([{ path: "scans/a.txt", content: "a" }], {
      wrapWithDirectory: true,
    })) {
      directory = entry.cid.toString();
    }
    const metrics = new Registry();
    await startWorker({ metrics });
    await queue([text, pdf, directory, "not-a-cid"]);
    await until(settled([text, pdf, directory, "not-a-cid"]));

    const byCid = new Map((await rows()).map((r) => [r.cid, r]));
    expect(byCid.get(text)).toMatchObject({
      status: "VERIFIED",
      size_bytes: String(note.length),
      content_type: "text/plain; charset=utf-8",
      blocks: 1,
      attempts: 1,
      last_error: null,
    });
    expect(byCid.get(text)?.verified_at).toBeInstanceOf(Date);
    expect(byCid.get(pdf)).toMatchObject({
      status: "VERIFIED",
      size_bytes: String(300_009),
      content_type: "application/pdf",
      blocks: 3,
    });
    expect(byCid.get(directory)).toMatchObject({
      status: "INVALID",
      last_error: `CID ${directory} is a UnixFS directory: not a UnixFS file`,
      size_bytes: null,
    });
    expect(byCid.get("not-a-cid")).toMatchObject({
      status: "INVALID",
      last_error: expect.stringMatching(/^malformed CID/),
    });

    const exported = await metrics.getSingleMetricAsString("doctel_verify_outcomes_total");
    expect(exported).toContain('doctel_verify_outcomes_total{status="VERIFIED"} 2');
    expect(exported).toContain('doctel_verify_outcomes_total{status="INVALID"} 2');
    const bytes = await metrics.getSingleMetricAsString("doctel_verify_bytes_total");
    expect(bytes).toContain(`doctel_verify_bytes_total ${note.length + 300_009}`);
  });

  it("retries content never uploaded with growing backoff, counting attempts, then leaves it for an operator", async () => {
    const missing = await neverUploaded();
    const metrics = new Registry();
    await startWorker({
      ipfsUrl: proxy.url,
      metrics,
      config: { timeoutMs: 200, deadlineMs: 1_000, leaseMs: 5_000 },
    });
    await queue([missing]);
    await until(async () => (await row(missing)).next_attempt_at.getUTCFullYear() === 9999);

    const final = await row(missing);
    expect(final.attempts).toBe(3);
    expect(final.last_error).toBe(`block ${missing} not received within 200 ms`);
    expect(final.next_attempt_at.toISOString()).toBe(new Date(FAR_FUTURE).toISOString());
    // Three block/get requests, one per attempt; nothing more once out of attempts.
    expect(proxy.blockGets).toEqual([missing, missing, missing]);
    expect(await metrics.getSingleMetricAsString("doctel_verify_outcomes_total")).toContain(
      'doctel_verify_outcomes_total{status="UNAVAILABLE"} 3',
    );
    expect(await metrics.getSingleMetricAsString("doctel_verify_exhausted_total")).toContain(
      "doctel_verify_exhausted_total 1",
    );
  });

  it("schedules retries at base × factor^(attempts − 1), capped, from the database clock", async () => {
    const missing = await neverUploaded();
    await queue([missing]);
    const options = { maxAttempts: 10, backoff: { baseMs: 60_000, factor: 2, maxMs: 200_000, jitter: 0 } };
    // The worker sets next_attempt_at = now() + delay on the database clock; bracket that now()
    // between two clock readings so a slow machine cannot blur the delay.
    const clock = async () =>
      (await db.pool.query<{ t: Date }>("SELECT clock_timestamp() AS t")).rows[0]!.t.getTime();
    const expected = [60_000, 120_000, 200_000, 200_000];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await db.pool.query("UPDATE file_verification SET next_attempt_at = now() WHERE cid = $1", [missing]);
      const [claimed] = await claimVerifications(db.pool, {
        limit: 1,
        leaseMs: 10_000,
        maxAttempts: 10,
        instance: 0,
      });
      expect(claimed).toMatchObject({ cid: missing, attempts: attempt });
      const before = await clock();
      const outcome = await recordVerification(
        db.pool,
        claimed!,
        { status: "UNAVAILABLE", reason: "down" },
        options,
      );
      const after = await clock();
      expect(outcome).toMatchObject({ recorded: true, status: "UNAVAILABLE", exhausted: false });
      const { rows } = await db.pool.query<{ t: Date }>(
        "SELECT next_attempt_at AS t FROM file_verification WHERE cid = $1",
        [missing],
      );
      const next = rows[0]!.t.getTime();
      // Millisecond storage rounds by at most 1 ms either way.
      const want = expected[attempt - 1]!;
      expect(want).toBeGreaterThanOrEqual(next - after - 1);
      expect(want).toBeLessThanOrEqual(next - before + 1);
    }
  });

  it("claims a row queued at this very instant, although millisecond storage can round its time up", async () => {
    // Inside one transaction now() is one instant, so queueing and claiming happen "at once":
    // next_attempt_at = now() is stored rounded to the millisecond, half the time into the future.
    const client = await db.pool.connect();
    try {
      for (let round = 0; round < 24; round++) {
        const cid = await neverUploaded();
        await client.query("BEGIN");
        await client.query("INSERT INTO file_verification (cid, next_attempt_at) VALUES ($1, now())", [cid]);
        const claimed = await claimVerifications(client, {
          limit: 1,
          leaseMs: 10_000,
          maxAttempts: 3,
          instance: 0,
        });
        await client.query("ROLLBACK");
        expect(claimed.map((c) => c.cid)).toEqual([cid]);
      }
    } finally {
      client.release();
    }
  });

  it("lets two workers share the queue without ever verifying the same CID twice", async () => {
    const cids = await Promise.all(
      Array.from({ length: 120 }, (_, i) => upload(randomBytes(1024 + i * 37), (i % 2) as 0 | 1)),
    );
    const fetchedBy = [new Map<string, number>(), new Map<string, number>()];
    const rpc = createIpfsRpc(ipfs.apiUrl);
    const direct = createIpfsBlockSource({ rpc, timeoutMs: 30_000 });
    const counting =
      (index: number): FetchBlock =>
      (cid, signal) => {
        const key = cid.toString();
        fetchedBy[index]!.set(key, (fetchedBy[index]!.get(key) ?? 0) + 1);
        return direct(cid, signal);
      };
    const first = await startWorker({ fetchBlock: counting(0) });
    const second = await startWorker({ fetchBlock: counting(1) });
    await queue(cids);
    await until(settled(cids));
    rpc.close();

    const all = await rows(cids);
    expect(all.every((r) => r.status === "VERIFIED" && r.attempts === 1)).toBe(true);
    const [a, b] = fetchedBy as [Map<string, number>, Map<string, number>];
    expect([...a.keys()].filter((cid) => b.has(cid))).toEqual([]);
    expect(new Set([...a.keys(), ...b.keys()])).toEqual(new Set(cids));
    expect([...a.values(), ...b.values()].every((n) => n === 1)).toBe(true);
    expect(first.stats().verified + second.stats().verified).toBe(cids.length);
    expect(first.stats().verified).toBeGreaterThan(0);
    expect(second.stats().verified).toBeGreaterThan(0);
  });

  it("takes over at once the rows of a worker killed mid-verification, since its instance's lock died with it, long before their lease ends", async () => {
    const cids = await Promise.all([
      upload("lab report 1\n"),
      upload("lab report 2\n"),
      upload("lab report 3\n"),
    ]);
    proxy.mode = { kind: "stall", after: 0 };
    // A ten-minute lease: only the dead instance's free lock can explain a takeover within the test.
    const child = spawnWorkerProcess(db.url, proxy.url, {
      leaseMs: 600_000,
      deadlineMs: 540_000,
      timeoutMs: 500_000,
    });
    const claimant = await registerInstance(db.pool, createSilentLogger());
    try {
      try {
        await queue(cids);
        await until(async () => (await rows(cids)).every((r) => r.attempts === 1));
        // Alive, the child keeps its rows: nobody else may take them.
        expect(
          await claimVerifications(db.pool, {
            limit: 10,
            leaseMs: 1_000,
            maxAttempts: 3,
            instance: claimant.id,
          }),
        ).toEqual([]);
      } finally {
        child.kill("SIGKILL");
      }
      await new Promise((resolve) => child.once("exit", resolve));
      // Dead: its instance's lock is free as soon as PostgreSQL sees its connection close.
      let taken: Awaited<ReturnType<typeof claimVerifications>> = [];
      await until(async () => {
        taken = await claimVerifications(db.pool, {
          limit: 10,
          leaseMs: 120_000,
          maxAttempts: 3,
          instance: claimant.id,
        });
        return taken.length > 0;
      });
      expect(taken.map((r) => [r.cid, r.attempts]).sort()).toEqual(cids.map((cid) => [cid, 2]).sort());
      for (const row of taken) await releaseVerification(db.pool, row);
    } finally {
      await claimant.release();
    }
    // Given back (the taker's attempt not counted), they are verified by a worker: the dead
    // one's attempt counts.
    proxy.mode = { kind: "pass" };
    await startWorker();
    await until(settled(cids));
    expect((await rows(cids)).map((r) => [r.status, r.attempts])).toEqual([
      ["VERIFIED", 2],
      ["VERIFIED", 2],
      ["VERIFIED", 2],
    ]);
  });

  it("requeues by CID or by status for an operator, e.g. once missing content has been uploaded", async () => {
    const late = randomBytes(5_000);
    const lateCid = CID.createV1(raw.code, await sha256.digest(late)).toString();
    const good = await upload("ECG normal sinus rhythm\n");
    // A worker that gives up at once on the missing file (one attempt, 200 ms)...
    const impatient = await startWorker({
      config: { timeoutMs: 200, deadlineMs: 1_000, leaseMs: 5_000, maxAttempts: 1 },
    });
    await queue([lateCid]);
    await until(async () => (await row(lateCid)).next_attempt_at.getUTCFullYear() === 9999);
    await impatient.stop();
    expect(await row(lateCid)).toMatchObject({ status: "UNAVAILABLE", attempts: 1 });
    // ...then one with ordinary settings for the rest.
    await startWorker({ config: { maxAttempts: 1 } });
    await queue([good, "bafy-broken"]);
    await until(settled([good, "bafy-broken"]));

    await expect(requeue(db.pool, {})).rejects.toBeInstanceOf(ValidationError);

    // The content arrives late; the operator requeues what was unavailable.
    expect((await ipfs.client.add(late, { cidVersion: 1 })).cid.toString()).toBe(lateCid);
    expect(await requeue(db.pool, { status: "UNAVAILABLE" })).toBe(1);
    await until(async () => (await row(lateCid)).status === "VERIFIED");
    expect(await row(lateCid)).toMatchObject({ attempts: 1, size_bytes: "5000", last_error: null });

    // Re-verifying one CID, whatever its status.
    const before = await row(good);
    expect(await requeue(db.pool, { cid: good })).toBe(1);
    await until(async () => {
      const r = await row(good);
      return r.status === "VERIFIED" && r.verified_at! > before.verified_at!;
    });
    expect(await requeue(db.pool, { cid: good, status: "INVALID" })).toBe(0);
    expect(await requeue(db.pool, { status: ["INVALID"] })).toBe(1);
    await until(settled(["bafy-broken"]));
    expect(await row("bafy-broken")).toMatchObject({ status: "INVALID", attempts: 1 });
  });

  it("finishes in-flight files on stop(), and gives back the rows it must abandon after the grace period", async () => {
    const slow = (await ipfs.client.add(randomBytes(2 * 1024 * 1024), { cidVersion: 1 })).cid.toString();
    proxy.mode = { kind: "slow", delayMs: 100 };
    const worker = await startWorker({ ipfsUrl: proxy.url, config: { parallelBlocks: 1, carExport: false } });
    await queue([slow]);
    await until(async () => (await row(slow)).attempts === 1);
    await worker.stop();
    expect(await row(slow)).toMatchObject({ status: "VERIFIED", size_bytes: String(2 * 1024 * 1024) });

    proxy.mode = { kind: "stall", after: 0 };
    const stuck = await upload("never delivered by this proxy\n");
    const abandoning = await startWorker({ ipfsUrl: proxy.url, config: { stopGraceMs: 200 } });
    await queue([stuck]);
    await until(async () => (await row(stuck)).attempts === 1);
    await abandoning.stop();
    const released = await row(stuck);
    expect(released).toMatchObject({ status: "PENDING", attempts: 0 });
    expect(released.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it("never waits on the indexer's open transaction, and picks its rows up once committed", async () => {
    const earlier = await upload("vitals chart\n");
    const inTransaction = await upload("prescription in an open transaction\n");
    const indexer = await db.pool.connect();
    try {
      await indexer.query("BEGIN");
      await indexer.query("INSERT INTO file_verification (cid) VALUES ($1)", [inTransaction]);
      await indexer.query("SELECT pg_notify('doctel_file_verification', '')");
      await startWorker();
      await queue([earlier]);
      await until(settled([earlier]));
      expect((await rows([inTransaction])).length).toBe(0);
      await indexer.query("COMMIT");
    } finally {
      indexer.release();
    }
    await until(settled([inTransaction]));
    expect((await row(inTransaction)).status).toBe("VERIFIED");
  });
});

/** A worker in a process of its own, to be killed with SIGKILL. */
function spawnWorkerProcess(databaseUrl: string, ipfsUrl: string, config: Partial<VerifierSettings>) {
  const root = path.resolve(import.meta.dirname, "../..");
  const script = `
    import pg from "pg";
    import { defaultVerifierSettings } from "./indexer/verify/config.ts";
    import { createVerificationWorker } from "./indexer/verify/worker.ts";
    import { createSilentLogger } from "./shared/logger.ts";
    const [databaseUrl, ipfsUrl, overrides] = process.argv.slice(1);
    const worker = createVerificationWorker({
      pool: new pg.Pool({ connectionString: databaseUrl, max: 3 }),
      ipfsUrl,
      config: { ...defaultVerifierSettings(), pollIntervalMs: 100, ...JSON.parse(overrides) },
      logger: createSilentLogger(),
    });
    await worker.start();
  `;
  return spawn(
    process.execPath,
    ["--input-type=module", "-e", script, databaseUrl, ipfsUrl, JSON.stringify(config)],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}
