import { beforeAll, describe, expect, it } from "vitest";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { CLOCK_SETTINGS, headOf, manualClock, startIndexer } from "../helpers/indexer.ts";
import { type Cast, patientData, ref, seedNetwork, sender } from "./scenario.ts";

const chain = useTestChain();
const db = useTestDatabase();
let cast: Cast;

beforeAll(async () => {
  cast = await seedNetwork(chain);
});

/** The header of block `n`: the checkpoint must match it exactly (number and hash). */
const blockRef = async (n: bigint) => {
  const b = await chain.publicClient.getBlock({ blockNumber: n });
  return { number: n, hash: b.hash.toLowerCase() };
};

const checkpoint = async () =>
  (
    await db.pool.query<{ b: string; h: string }>(
      "SELECT indexed_block::text AS b, indexed_block_hash AS h FROM indexer_state",
    )
  ).rows[0]!;

describe("confirmation depth", () => {
  it("indexes a block only once it has CONFIRMATIONS blocks on top, so shallow reorgs never reach the database", async () => {
    // On an injected clock: the indexer reads the node only when the test ticks, so what it
    // indexed for a head is final once it waits again.
    const clock = manualClock();
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
      clock,
      settings: { ...CLOCK_SETTINGS, confirmations: 3 },
    });
    const head = await headOf(chain.rpcUrl);
    // Exactly head - 3: an indexer that went further never has this checkpoint.
    await run.waitFor(await blockRef(head - 3n));
    await clock.idle();
    clock.tick();
    await clock.idle();
    expect(await checkpoint()).toEqual({ b: String(head - 3n), h: (await blockRef(head - 3n)).hash });

    // An update mined now is not indexed until three more blocks confirm it.
    const block = await sender(chain, cast.address)(cast.staff, "updatePatient", [
      ref(12),
      { ...patientData(12), weightGrams: 77_777 },
    ]);
    await chain.mine(2);
    clock.tick();
    await run.waitFor(await blockRef(block - 1n));
    await clock.idle();
    clock.tick();
    await clock.idle();
    expect(await checkpoint()).toEqual({ b: String(block - 1n), h: (await blockRef(block - 1n)).hash });
    const weight = async () =>
      Number(
        (await db.pool.query("SELECT weight_grams FROM patient WHERE ref = $1", [ref(12)])).rows[0]
          .weight_grams,
      );
    expect(await weight()).toBe(patientData(12).weightGrams);

    await chain.mine(1);
    clock.tick();
    await run.waitFor(await blockRef(block));
    expect(await weight()).toBe(77_777);
    await run.stop();
  });
});
