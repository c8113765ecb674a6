/**
 * Reorg benchmark: a reorg of the last --blocks (64) blocks on a database of --events (1,000,000)
 * events. The database is the API benchmark's dataset (bench/api-data.ts: the indexer's tables and
 * value shapes, generated in bulk SQL); the 64 blocks on top are written by the indexer's own
 * store, one batch per block as at the head (vitals of open treatments, stage changes, diagnoses,
 * assignments, attachments, new patients and treatments, demographic updates, a doctor's
 * revocation), each change undo-logged. Then the store rolls them back to the common ancestor
 * (indexer/store/rollback.ts) and the benchmark checks that every current-state and rollup table
 * is back to what it was, row for row.
 * Progress on stderr; one JSON object on the last line of stdout:
 * {"events","blocks","reorged_events","undo_rows","apply_ms","rollback_ms","deleted_rows","restored_rows","equal",…}
 *
 *   npm run bench:reorg [-- --events 1000000 --blocks 64]
 */
import { parseArgs } from "node:util";
import type pg from "pg";
import type { DocTelEvent } from "../indexer/decode/events.ts";
import { runWriteSteps } from "../indexer/store/bulk.ts";
import { advanceCheckpointStep } from "../indexer/store/checkpoint.ts";
import { createEntityCache } from "../indexer/store/entity-cache.ts";
import { loadBatchState } from "../indexer/store/load-state.ts";
import { createPartitions } from "../indexer/store/partitions.ts";
import { reduceEvent } from "../indexer/store/reduce.ts";
import { rollbackTo } from "../indexer/store/rollback.ts";
import { TABLES } from "../indexer/store/tables.ts";
import { planBatchWrites } from "../indexer/store/write-batch.ts";
import { applyMigrations } from "../prisma/migrate.ts";
import { createPgPool } from "../shared/db/pool.ts";
import { createSilentLogger } from "../shared/logger.ts";
import { encodeIcd10 } from "../shared/reference/icd10.ts";
import { createDatabase, databaseUrl } from "../shared/services/postgres.ts";
import { generateDataset } from "./api-data.ts";
import { startBenchPostgres } from "./support/postgres.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    blocks: { type: "string", default: "64" },
    "events-per-block": { type: "string", default: "24" },
  },
});
const say = (msg: string) => process.stderr.write(`[bench:reorg] ${msg}\n`);
const targetEvents = Number(values.events);
const blocks = Number(values.blocks);
const perBlock = Number(values["events-per-block"]);
// bench/api-data.ts writes about 7.7 events per treatment.
const treatments = Math.max(1_000, Math.round(targetEvents / 7.7));
const size = {
  treatments,
  patients: Math.max(500, Math.round(treatments * 0.3)),
  hospitals: Math.max(20, Math.round(treatments / 3_300)),
};

const hex = (n: bigint | number, bytes: number) =>
  `0x${n.toString(16).padStart(bytes * 2, "0")}` as `0x${string}`;

/** Fingerprints of every current-state and rollup table: one md5 per table over its rows in key order. */
async function fingerprint(pool: pg.Pool): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES.filter((x) => x.role === "entity" || x.role === "rollup")) {
    const order = t.key.map((k) => t.columns.find((c) => c.field === k)!.name).join(", ");
    const { rows } = await pool.query<{ h: string }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY ${order}), '')) AS h FROM ${t.name} t`,
    );
    out[t.name] = rows[0]!.h;
  }
  return out;
}

const server = await startBenchPostgres(undefined);
try {
  await createDatabase(server.url, "doctel_bench");
  const url = databaseUrl(server.url, "doctel_bench");
  await applyMigrations({ databaseUrl: url });
  const pool = createPgPool({ connectionString: url, name: "bench", logger: createSilentLogger(), max: 2 });
  say(`generating ${size.treatments} treatments (about ${targetEvents} events)`);
  const started = performance.now();
  await generateDataset(pool, size, Buffer.alloc(32, 0x5a), say);
  const events = Number(
    (await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM event_log")).rows[0]!.n,
  );
  say(`dataset: ${events} events in ${Math.round((performance.now() - started) / 1000)} s`);
  const { rows: cp } = await pool.query<{ b: string; t: number }>(
    `SELECT s.indexed_block::text AS b, extract(epoch FROM e.time)::int AS t
       FROM indexer_state s JOIN event_block e ON e.number = s.indexed_block`,
  );
  const ancestor = BigInt(cp[0]!.b);
  let time = cp[0]!.t;
  // The blocks on top are unfinalized: the dataset's checkpoint says finality is 64 blocks behind.
  await pool.query("UPDATE indexer_state SET finalized_block = $1", [ancestor.toString()]);

  // What the 64 blocks act on: open treatments, their patients and hospitals' doctors.
  const { rows: open } = await pool.query<{ id: string; ref: string; hospital: number; stage: string }>(
    `SELECT id::text, patient_ref AS ref, hospital_id AS hospital, stage::text FROM treatment
      WHERE stage <> 'CLOSED' ORDER BY opened_at DESC LIMIT 400`,
  );
  const { rows: doctors } = await pool.query<{ account: string; hospital: number }>(
    `SELECT account, hospital_id AS hospital FROM member WHERE kind = 'DOCTOR' AND active ORDER BY account`,
  );
  const { rows: staff } = await pool.query<{ account: string; hospital: number }>(
    `SELECT account, hospital_id AS hospital FROM member WHERE kind = 'STAFF' ORDER BY account`,
  );
  const { rows: maxId } = await pool.query<{ id: string }>("SELECT max(id)::text AS id FROM treatment");
  let nextTreatment = BigInt(maxId[0]!.id) + 1n;
  const doctorOf = (hospital: number, i: number) => {
    const here = doctors.filter((d) => d.hospital === hospital);
    return (here[i % Math.max(1, here.length)] ?? doctors[i % doctors.length]!).account as `0x${string}`;
  };
  const staffOf = (hospital: number) =>
    (staff.find((s) => s.hospital === hospital) ?? staff[0]!).account as `0x${string}`;
  const revoked = doctorOf(open[0]!.hospital, 1);

  const batches: DocTelEvent[][] = [];
  let n = 0;
  const stages = new Map(
    open.map((t) => [t.id, ["ADMITTED", "DIAGNOSED", "IN_TREATMENT", "DISCHARGED"].indexOf(t.stage)]),
  );
  for (let b = 1; b <= blocks; b++) {
    const blockNumber = ancestor + BigInt(b);
    time += 12;
    const batch: DocTelEvent[] = [];
    const push = (eventName: string, args: object) =>
      batch.push({
        eventName,
        args,
        blockNumber,
        blockHash: hex(blockNumber * 7919n, 32),
        blockTime: time,
        txHash: hex(BigInt(++n), 32),
        logIndex: batch.length,
      } as DocTelEvent);
    for (let i = 0; i < perBlock; i++) {
      const t = open[(b * perBlock + i) % open.length]!;
      const id = BigInt(t.id);
      const doctor = doctorOf(t.hospital, i);
      const kind = (b * 31 + i) % 24;
      if (kind === 0 && (stages.get(t.id) ?? 4) < 4) {
        const from = stages.get(t.id)!;
        stages.set(t.id, from + 1);
        push("StageAdvanced", { treatmentId: id, actor: doctor, fromStage: from, toStage: from + 1 });
      } else if (kind === 1) {
        push("DiagnosisRecorded", {
          treatmentId: id,
          doctor,
          icd10: encodeIcd10(["I10", "A09", "E11.9", "J18.9"][i % 4]!),
        });
      } else if (kind === 2) {
        push("DoctorAssigned", {
          treatmentId: id,
          doctor: doctorOf(t.hospital, i + 3),
          actor: staffOf(t.hospital),
        });
      } else if (kind === 3) {
        push("FileAttached", { treatmentId: id, actor: doctor, kind: 1, cid: `bafkreibenchreorg${b}x${i}` });
      } else if (kind === 4) {
        push("PatientUpdated", {
          patientRef: t.ref,
          hospitalId: t.hospital,
          actor: staffOf(t.hospital),
          weightGrams: 60_000 + b,
          heightCm: 170,
          sex: 1,
          bloodGroup: 1,
          birthDate: 9_000,
          stateCode: 7,
          districtCode: 94,
        });
      } else if (kind === 5) {
        const ref = hex(BigInt(b) * 1_000_003n + BigInt(i), 32);
        push("PatientRegistered", {
          patientRef: ref,
          hospitalId: t.hospital,
          actor: staffOf(t.hospital),
          weightGrams: 55_000,
          heightCm: 160,
          sex: 2,
          bloodGroup: 3,
          birthDate: 8_000,
          stateCode: 7,
          districtCode: 94,
        });
        push("TreatmentOpened", {
          treatmentId: nextTreatment++,
          patientRef: ref,
          hospitalId: t.hospital,
          actor: staffOf(t.hospital),
        });
      } else {
        push("VitalsRecorded", {
          treatmentId: id,
          recorder: doctor,
          measuredAt: time - 30,
          temperatureCentiC: 3650 + i,
          systolicMmHg: 120,
          diastolicMmHg: 80,
          heartRateBpm: 70 + (i % 20),
          spo2Permille: 970,
        });
      }
    }
    if (b === Math.ceil(blocks / 2)) {
      push("MemberRevoked", {
        account: revoked,
        hospitalId: open[0]!.hospital,
        actor: staffOf(open[0]!.hospital),
        kind: 2,
      });
    }
    batches.push(batch);
  }
  const reorgedEvents = batches.reduce((s, x) => s + x.length, 0);

  const before = await fingerprint(pool);
  // 1. The blocks, each committed as the indexer commits a batch at the head.
  const cache = createEntityCache(200_000);
  const partitions = createPartitions((fn) => fn(pool));
  const client = await pool.connect();
  let applyMs = 0;
  let rollbackMs = 0;
  let result: Awaited<ReturnType<typeof rollbackTo>>;
  try {
    for (const batch of batches) {
      const mark = performance.now();
      const block = batch[0]!.blockNumber;
      await partitions.ensure(block, block);
      const state = await loadBatchState(client, batch, cache, ancestor);
      for (const ev of batch) reduceEvent(state, ev);
      await client.query("BEGIN");
      await runWriteSteps(client, [
        ...planBatchWrites(state),
        advanceCheckpointStep({ number: block, hash: batch[0]!.blockHash }, block, null),
      ]);
      await client.query("COMMIT");
      applyMs += performance.now() - mark;
    }
    const undoRows = Number((await client.query("SELECT count(*)::int AS n FROM undo_log")).rows[0].n);
    say(
      `${blocks} blocks, ${reorgedEvents} events written in ${Math.round(applyMs)} ms; ${undoRows} undo images`,
    );

    // 2. The reorg: everything above the ancestor, rolled back in one transaction.
    const mark = performance.now();
    await client.query("BEGIN");
    result = await rollbackTo(client, ancestor);
    await client.query("COMMIT");
    rollbackMs = performance.now() - mark;
    const after = await fingerprint(pool);
    const equal = JSON.stringify(after) === JSON.stringify(before);
    const left = Number(
      (
        await client.query("SELECT count(*)::int AS n FROM event_log WHERE block_number > $1", [
          ancestor.toString(),
        ])
      ).rows[0].n,
    );
    say(`rolled back in ${Math.round(rollbackMs)} ms; tables as before: ${equal}`);
    if (!equal || left !== 0)
      throw new Error(`the rollback left the database different (events above: ${left})`);
    console.log(
      JSON.stringify({
        events,
        blocks,
        reorged_events: reorgedEvents,
        undo_rows: undoRows,
        apply_ms: Math.round(applyMs),
        rollback_ms: Math.round(rollbackMs),
        deleted_rows: result.deleted,
        restored_rows: result.restored,
        equal,
        treatments: size.treatments,
      }),
    );
  } finally {
    client.release();
    await pool.end();
  }
} finally {
  await server.stop();
}
