import { beforeAll, describe, expect, it } from "vitest";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { headOf, startIndexer } from "../helpers/indexer.ts";
import { type Cast, patientData, ref, seedNetwork, sender } from "./scenario.ts";

const chain = useTestChain();
const db = useTestDatabase();
let cast: Cast;

beforeAll(async () => {
  cast = await seedNetwork(chain);
});

const indexedBlock = async () =>
  BigInt(
    (await db.pool.query<{ b: string }>("SELECT indexed_block::text AS b FROM indexer_state")).rows[0]!.b,
  );

describe("confirmation depth", () => {
  it("indexes a block only once it has CONFIRMATIONS blocks on top, so shallow reorgs never reach the database", async () => {
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
      settings: { confirmations: 3 },
    });
    const head = await headOf(chain.rpcUrl);
    await run.waitFor(head - 3n);
    // Give it time to (wrongly) go further.
    await new Promise((r) => setTimeout(r, 500));
    expect(await indexedBlock()).toBe(head - 3n);

    // An update mined now is not indexed until three more blocks confirm it.
    const block = await sender(chain, cast.address)(cast.staff, "updatePatient", [
      ref(12),
      { ...patientData(12), weightGrams: 77_777 },
    ]);
    await chain.mine(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(await indexedBlock()).toBeLessThan(block);
    const weight = async () =>
      Number(
        (await db.pool.query("SELECT weight_grams FROM patient WHERE ref = $1", [ref(12)])).rows[0]
          .weight_grams,
      );
    expect(await weight()).toBe(patientData(12).weightGrams);

    await chain.mine(1);
    await run.waitFor(block);
    expect(await weight()).toBe(77_777);
    await run.stop();
  });
});
