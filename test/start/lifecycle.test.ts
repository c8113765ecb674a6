/**
 * `npm start` stopped and started again as a user does it, through the real CLI: Ctrl-C
 * (SIGINT) during the first simulation, during the indexer's backfill and when idle; SIGKILL
 * and an immediate restart; a reverted transaction, then a restart. Every restart comes up with
 * the data kept: the index (row for row) and what the API serves are the same as before.
 *
 * DOCTEL_HOME lies in a folder only its owner can enter (mkdtemp's 0700), as a clone in a
 * private home would: as root, embedded PostgreSQL (run as `postgres`) must still work.
 *
 * It takes over a minute: five starts of the real stack (each starts PostgreSQL, IPFS and the
 * chain), two small simulations and a block-by-block backfill; every step waits on state.
 */
import { lstatSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { createPgPool } from "../../shared/db/pool.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { DEV_PRIVATE_KEYS } from "../../shared/services/chain.ts";
import { withClient } from "../../shared/services/postgres.ts";
import {
  freeStackPorts,
  graphql,
  type StackPorts,
  type StackRun,
  startDoctel,
  until,
} from "../helpers/cli-stack.ts";
import { dumpIndex } from "../helpers/indexer.ts";

/** A small first start (the demo preset's shape, fewer events), and an indexer that takes one block at a time, so that a backfill lasts long enough to be interrupted. */
const ENV = {
  SIMULATE_EVENTS: "600",
  GETLOGS_INITIAL_RANGE: "1",
  GETLOGS_MAX_RANGE: "1",
  HEADER_BATCH_SIZE: "1",
  PREFETCH_DEPTH: "1",
};

let folder: string;
let home: string;
let ports: StackPorts;
let databaseUrl: string;
let chain: PublicClient;

const start = () => startDoctel(home, ports, ENV);

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "doctel-private-"));
  home = path.join(folder, ".doctel");
  ports = await freeStackPorts();
  databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${ports.pg}/doctel`;
  chain = createPublicClient({ chain: hardhat, transport: http(`http://127.0.0.1:${ports.chain}`) });
});

afterAll(async () => {
  // As root the cluster lives behind a symlink, outside the folder: remove it too.
  const data = path.join(home, "postgres");
  const target = lstatSync(data, { throwIfNoEntry: false })?.isSymbolicLink()
    ? await realpath(data)
    : undefined;
  await rm(folder, { recursive: true, force: true });
  if (target) await rm(path.dirname(target), { recursive: true, force: true });
});

async function head(): Promise<bigint> {
  return await chain.getBlockNumber({ cacheTime: 0 });
}

async function indexedBlock(): Promise<bigint | undefined> {
  // A connection per look, closed at once: the stack's stop must find no client of ours left.
  const { rows } = await withClient(databaseUrl, (c) =>
    c.query<{ b: string }>("SELECT indexed_block::text AS b FROM indexer_state"),
  );
  return rows[0] ? BigInt(rows[0].b) : undefined;
}

/** Caught up: the index has reached the head, and the API says so. */
async function caughtUp(run: StackRun): Promise<bigint> {
  return await until("a caught-up index", run, async () => {
    const [indexed, top] = [await indexedBlock(), await head()];
    if (indexed === undefined || indexed < top) return undefined;
    const { indexingStatus } = await graphql<{ indexingStatus: { indexedBlock: string; lagBlocks: string } }>(
      ports.api,
      "{ indexingStatus { indexedBlock lagBlocks } }",
    );
    return indexingStatus.indexedBlock === String(top) && indexingStatus.lagBlocks === "0" ? top : undefined;
  });
}

/** What a user sees: the whole index, and what the API serves about a few records. */
async function snapshot(): Promise<unknown> {
  const served = await graphql(ports.api, "{ indexingStatus { indexedBlock headBlock } }");
  const pool = createPgPool({
    connectionString: databaseUrl,
    name: "snapshot",
    logger: createSilentLogger(),
    max: 1,
  });
  try {
    return { index: await dumpIndex(pool), served };
  } finally {
    await pool.end();
  }
}

/** A clean stop: exit code 0, one line saying so, nothing logged at error level, no stack dump. */
function expectCleanStop(stop: { code: number | null; after: string }, line: string): void {
  expect(stop.code).toBe(0);
  expect(stop.after.split("\n").filter((l) => l.startsWith("DocTel stopped"))).toEqual([
    expect.stringContaining(line),
  ]);
  expect(stop.after).not.toMatch(/"level":(50|60)/);
  expect(stop.after).not.toMatch(/Unhandled|node:internal|^\s+at /m);
}

describe("npm start stops and starts again cleanly", () => {
  let kept: unknown;

  it("stops in order on Ctrl-C during the first simulation, and the next start simulates again from scratch", async () => {
    const first = start();
    // Hospitals registered: the simulation is sending.
    await until("the simulation under way", first, async () => {
      const record = JSON.parse(await readFile(path.join(home, "deployment.json"), "utf8")) as {
        address: Hex;
      };
      const hospitals = await chain.readContract({
        address: record.address,
        abi: docTelAbi,
        functionName: "hospitalCount",
      });
      return Number(hospitals) > 0 ? true : undefined;
    });
    expectCleanStop(await first.signal("SIGINT"), "DocTel stopped during start-up");

    const second = start();
    await until("the simulation started over", second, async () =>
      second.output().includes("simulation was interrupted: starting it over") ? true : undefined,
    );
    // Then the indexer backfills one block at a time: Ctrl-C in the middle of it.
    const midway = await until("a backfill under way", second, async () => {
      const indexed = await indexedBlock();
      const top = await head();
      return indexed !== undefined && indexed > 1n && indexed < top - 50n ? indexed : undefined;
    });
    expect(second.output()).toContain('"msg":"simulation done"');
    expectCleanStop(await second.signal("SIGINT"), "DocTel stopped; data kept in");

    // The backfill resumes from its checkpoint, not from the start.
    const third = start();
    const top = await caughtUp(third);
    expect(third.output()).not.toContain("first start: simulating");
    expect(top).toBeGreaterThan(midway);
    kept = await snapshot();
    expectCleanStop(await third.signal("SIGINT"), "DocTel stopped; data kept in");
  }, 600_000);

  it("comes back after Ctrl-C when idle, then after a reverted transaction and SIGKILL, with the data kept", async () => {
    const fourth = start();
    await caughtUp(fourth);
    expect(await snapshot()).toEqual(kept);

    // A transaction that reverts on the embedded chain (only governance registers hospitals),
    // then one that succeeds; both are indexed.
    const transport = http(`http://127.0.0.1:${ports.chain}`);
    const record = JSON.parse(await readFile(path.join(home, "deployment.json"), "utf8")) as { address: Hex };
    const stranger = createWalletClient({
      account: privateKeyToAccount(DEV_PRIVATE_KEYS[9]),
      chain: hardhat,
      transport,
    });
    await expect(
      stranger.sendTransaction({
        to: record.address,
        data: encodeFunctionData({ abi: docTelAbi, functionName: "registerHospital", args: ["X", 7, 94] }),
        gas: 300_000n,
      }),
    ).rejects.toThrow(/revert/i);
    const governance = createWalletClient({
      account: privateKeyToAccount(DEV_PRIVATE_KEYS[0]),
      chain: hardhat,
      transport,
    });
    const hash = await governance.writeContract({
      address: record.address,
      abi: docTelAbi,
      functionName: "registerHospital",
      args: ["Lifecycle Test Hospital", 27, 490],
    });
    await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    await caughtUp(fourth);
    const beforeKill = await snapshot();
    expect(beforeKill).not.toEqual(kept);

    // SIGKILL: nothing is stopped; PostgreSQL is orphaned, IPFS's lock and the pid files stay.
    await fourth.signal("SIGKILL");
    const restarted = performance.now();
    const fifth = start();
    await caughtUp(fifth);
    console.info(
      `restart after SIGKILL to a caught-up index: ${Math.round(performance.now() - restarted)} ms`,
    );
    expect(fifth.output()).toContain("stopping a postgres server orphaned by a previous run");
    expect(fifth.output()).toContain("removed the IPFS repository lock of a process that died");
    expect(await snapshot()).toEqual(beforeKill);
    expectCleanStop(await fifth.signal("SIGINT"), "DocTel stopped; data kept in");
    // As root, the cluster lives where the postgres user can reach it, behind a symlink.
    expect(lstatSync(path.join(home, "postgres")).isSymbolicLink()).toBe(process.getuid?.() === 0);
    expect(readFileSync(path.join(home, "chain", "journal.ndjson"), "utf8")).toContain('"t":"block"');
  }, 600_000);
});
