/**
 * `npm run verifier` (indexer/verify/main.ts) as real processes: three share one queue, every
 * file is verified exactly once, and a worker killed with SIGKILL has its claims taken over at
 * once (its instance's lock died with it), not after the ten-minute lease.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifyVerificationQueue } from "../../indexer/verify/queue.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { useTestIpfs } from "../helpers/ipfs.ts";
import { type MainProcess, spawnMain } from "./main-process.ts";
import { type FaultProxy, startFaultProxy } from "./verify-fault-proxy.ts";

const db = useTestDatabase();
const ipfs = useTestIpfs();
let proxy: FaultProxy;

beforeAll(async () => {
  // Every block a little late, so files are in flight when a worker is killed.
  proxy = await startFaultProxy(ipfs.apiUrl, { kind: "slow", delayMs: 150 });
});

afterAll(async () => {
  await proxy?.close();
});

const env = () => ({
  DATABASE_URL: db.url,
  IPFS_API_URL: proxy.url,
  VERIFY_CONCURRENCY: "3",
  VERIFY_BATCH_SIZE: "3",
  VERIFY_POLL_INTERVAL_MS: "100",
  // Eleven minutes (the default): a takeover within the test can only come from the dead instance's free lock.
  VERIFY_LEASE_MS: "660000",
  LOG_LEVEL: "debug",
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const instanceOf = async (p: MainProcess): Promise<number> =>
  (await p.waitForLine((l) => l.msg === "verifier instance registered")).instance as number;

describe("npm run verifier: verification workers in processes of their own", () => {
  it("shares one queue among three processes, verifies every file exactly once, and takes a killed worker's claims over at once", async () => {
    const cids: string[] = [];
    for (let i = 0; i < 45; i++) {
      cids.push((await ipfs.client.add(randomBytes(512 + i * 11), { cidVersion: 1 })).cid.toString());
    }
    const processes = [0, 1, 2].map(() => spawnMain(env(), "indexer/verify/main.ts"));
    try {
      const instances = await Promise.all(processes.map(instanceOf));
      expect(new Set(instances).size).toBe(3);
      await db.pool.query("INSERT INTO file_verification (cid) SELECT unnest($1::text[])", [cids]);
      await notifyVerificationQueue(db.pool);

      // Kill the first process while it holds claims (rows it is verifying).
      const [victim, ...survivors] = processes as [MainProcess, MainProcess, MainProcess];
      const victimInstance = instances[0]!;
      const held = async () =>
        (
          await db.pool.query<{ cid: string }>(
            "SELECT cid FROM file_verification WHERE claimed_by = $1 AND status = 'PENDING'",
            [victimInstance],
          )
        ).rows.map((r) => r.cid);
      await until(async () => (await held()).length > 0, "the first process to claim rows");
      victim.child.kill("SIGKILL");
      await victim.exited;
      const killedAt = Date.now();
      const orphaned = await held();
      expect(orphaned.length).toBeGreaterThan(0);

      // Taken over by the survivors, long before the lease would end.
      await until(async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM file_verification WHERE cid = ANY($1) AND claimed_by IS DISTINCT FROM $2",
          [orphaned, victimInstance],
        );
        return rows[0]!.n === orphaned.length;
      }, "the dead worker's claims to be taken over");
      const takeoverMs = Date.now() - killedAt;
      await until(async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM file_verification WHERE status = 'VERIFIED'",
        );
        return rows[0]!.n === cids.length;
      }, "every file to be verified");
      console.info(`verifier takeover after SIGKILL: ${takeoverMs} ms for ${orphaned.length} claimed rows`);
      expect(takeoverMs).toBeLessThan(60_000);

      // Exactly once: one "CID verified" per file across the three processes' logs, and the
      // survivors share the work.
      const verified = processes.flatMap((p) =>
        p
          .lines()
          .filter((l) => l.msg === "CID verified")
          .map((l) => l.cid as string),
      );
      expect(verified.sort()).toEqual([...cids].sort());
      for (const survivor of survivors) {
        expect(survivor.lines().filter((l) => l.msg === "CID verified").length).toBeGreaterThan(0);
      }
      const { rows } = await db.pool.query<{ cid: string; attempts: number; claimed_by: number | null }>(
        "SELECT cid, attempts, claimed_by FROM file_verification ORDER BY cid",
      );
      // The dead worker's attempt counts on the rows it held; every other row took one attempt.
      for (const row of rows) {
        expect(row.attempts, row.cid).toBe(orphaned.includes(row.cid) ? 2 : 1);
        expect(row.claimed_by).toBeNull();
      }
      for (const survivor of survivors) expect(await survivor.stop()).toBe(0);
    } finally {
      for (const p of processes) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    }
  });

  it("fails at start in one line with exit code 2 on a bad configuration", async () => {
    const p = spawnMain({ DATABASE_URL: "mysql://x", VERIFY_WORKERS: "0" }, "indexer/verify/main.ts");
    expect(await p.exited).toBe(2);
    expect(p.stderr().trim().split("\n")).toHaveLength(1);
    expect(p.stderr()).toMatch(/^doctel verifier: invalid configuration: DATABASE_URL: .*; VERIFY_WORKERS: /);
  });
});
