import { type AbiEvent, getAbiItem, stringToHex, toEventSelector } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import { useTestChain } from "../helpers/chain.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { dumpIndex, headOf, startIndexer } from "../helpers/indexer.ts";
import { type Cast, patientData, ref, seedNetwork, sender } from "./scenario.ts";

const chain = useTestChain();
const db = useTestDatabase();
const clean = useTestDatabase();
const tinyCache = useTestDatabase();
const usualCache = useTestDatabase();
let cast: Cast;

beforeAll(async () => {
  cast = await seedNetwork(chain);
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await db.pool.query(sql, params)).rows as T[];

describe("indexing DocTel's events into PostgreSQL", () => {
  it("rebuilds hospitals, members, patients, treatments, files, vitals and roles from the events alone", async () => {
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    await run.waitFor(await headOf(chain.rpcUrl));
    await run.stop();

    expect(await q("SELECT id, name, state_code, district_code FROM hospital ORDER BY id")).toEqual([
      { id: 1, name: "District Hospital Dwarka", state_code: 7, district_code: 94 },
      { id: 2, name: "Civil Hospital Pune", state_code: 27, district_code: 490 },
    ]);
    const members = await q<{
      account: string;
      kind: string;
      hospital_id: number;
      specialty: number | null;
      active: boolean;
    }>("SELECT account, kind::text, hospital_id, specialty, active FROM member ORDER BY kind, account");
    expect(members.map((m) => [m.kind, m.account, m.specialty, m.active])).toEqual(
      expect.arrayContaining([
        ["STAFF", cast.staff.account.address.toLowerCase(), null, true],
        ["DOCTOR", cast.doctor.account.address.toLowerCase(), 1, true],
        ["DOCTOR", cast.doctor2.account.address.toLowerCase(), 11, true],
        ["DEVICE", cast.device.account.address.toLowerCase(), null, true],
      ]),
    );

    const [p10] = await q<{ weight_grams: number; version: number; birth_date: Date }>(
      "SELECT weight_grams, version, birth_date FROM patient WHERE ref = $1",
      [ref(10)],
    );
    expect(p10).toMatchObject({ weight_grams: 61_000, version: 2 });
    expect(p10!.birth_date.toISOString().slice(0, 10)).toBe(
      new Date(patientData(10).birthDate * 86_400_000).toISOString().slice(0, 10),
    );
    expect(
      await q(
        "SELECT registration, weight_grams FROM patient_history WHERE patient_ref = $1 ORDER BY block_number",
        [ref(10)],
      ),
    ).toEqual([
      { registration: true, weight_grams: patientData(10).weightGrams },
      { registration: false, weight_grams: 61_000 },
    ]);

    const treatments = await q<Record<string, unknown>>(
      "SELECT id::int, stage::text, diagnosis, diagnosis_category, diagnosis_chapter, patient_sex::text, patient_state, closed_at IS NOT NULL AS closed FROM treatment ORDER BY id",
    );
    expect(treatments).toEqual([
      {
        id: 1,
        stage: "CLOSED",
        diagnosis: "A91",
        diagnosis_category: "A91",
        diagnosis_chapter: 1,
        patient_sex: "FEMALE",
        patient_state: 7,
        closed: true,
      },
      {
        id: 2,
        stage: "ADMITTED",
        diagnosis: "E11.9",
        diagnosis_category: "E11",
        diagnosis_chapter: 4,
        patient_sex: "MALE",
        patient_state: 7,
        closed: false,
      },
    ]);
    // Treatment 1: the opening doctor and doctor2; treatment 2: doctor2 was unassigned.
    expect(await q("SELECT treatment_id::int AS t, doctor FROM treatment_doctor ORDER BY 1, 2")).toEqual(
      [
        { t: 1, doctor: cast.doctor.account.address.toLowerCase() },
        { t: 1, doctor: cast.doctor2.account.address.toLowerCase() },
      ].sort((a, b) => a.doctor.localeCompare(b.doctor)),
    );
    expect(await q("SELECT kind::text, cid FROM attachment ORDER BY block_number")).toEqual([
      { kind: "LAB_REPORT", cid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" },
      { kind: "PRESCRIPTION", cid: "QmVxiUDRd4WfTmmobb6dTrSpYyoV34wafgMUvJ6DSDE1S9" },
    ]);
    expect(await q("SELECT status::text, count(*)::int AS n FROM file_verification GROUP BY 1")).toEqual([
      { status: "PENDING", n: 2 },
    ]);
    const vitals = await q<{ n: number; bp: number; nulls: number }>(
      "SELECT count(*)::int AS n, count(systolic_mmhg)::int AS bp, count(*) FILTER (WHERE temperature_centi_c IS NULL)::int AS nulls FROM vital",
    );
    // 20 from the device with blood pressure, 1 from doctor2 without ("0 = not measured" is NULL).
    expect(vitals[0]).toEqual({ n: 21, bp: 20, nulls: 0 });
    expect(
      await q("SELECT role::text, active FROM role_grant WHERE role <> 'GOVERNANCE' ORDER BY active"),
    ).toEqual([
      { role: "ANALYST", active: false },
      { role: "ANALYST", active: true },
    ]);
    expect(
      await q("SELECT action::text, count(*)::int AS n FROM access_history GROUP BY 1 ORDER BY 1"),
    ).toEqual([
      { action: "GRANTED", n: 7 },
      { action: "REVOKED", n: 1 },
    ]);
    // Two diagnosed treatments are two cases, in both week systems.
    expect(await q("SELECT sum(count)::int AS n FROM case_count_daily")).toEqual([{ n: 2 }]);
    expect(
      await q("SELECT system::text, sum(count)::int AS n FROM case_trend_weekly GROUP BY 1 ORDER BY 1"),
    ).toEqual([
      { system: "ISO", n: 2 },
      { system: "MMWR", n: 2 },
    ]);
  });

  it("keeps every event in the event log, in chain order, traceable to its transaction", async () => {
    // AccessControlSequenced only numbers OpenZeppelin's events: the sync consumes it.
    const cover = toEventSelector(getAbiItem({ abi: docTelAbi, name: "AccessControlSequenced" }) as AbiEvent);
    const all = await chain.publicClient.getLogs({ address: cast.address, fromBlock: cast.deployBlock });
    const logs = all.filter((l) => l.topics[0] !== cover);
    const rows = await q<{ block_number: string; log_index: number; tx_hash: string; name: string }>(
      "SELECT block_number::text, log_index, tx_hash, name::text FROM event_log e ORDER BY e.block_number, e.log_index",
    );
    expect(rows.map((r) => [BigInt(r.block_number), r.log_index, r.tx_hash])).toEqual(
      logs.map((l) => [l.blockNumber, l.logIndex, l.transactionHash]),
    );
    expect(new Set(rows.map((r) => r.name))).toEqual(
      new Set([
        "RoleGranted",
        "HospitalRegistered",
        "StaffRegistered",
        "DoctorRegistered",
        "PatientRegistered",
        "PatientUpdated",
        "DeviceRegistered",
        "TreatmentOpened",
        "DoctorAssigned",
        "DiagnosisRecorded",
        "StageAdvanced",
        "FileAttached",
        "VitalsRecorded",
        "DoctorUnassigned",
        "RoleRevoked",
      ]),
    );
    // Every event numbered, the last number checkpointed: the contract's own count.
    const [state] = await q<{ seq: string }>("SELECT last_event_seq::text AS seq FROM indexer_state");
    const onChain = await chain.publicClient.readContract({
      address: cast.address,
      abi: docTelAbi,
      functionName: "eventSequence",
    });
    expect(BigInt(state!.seq)).toBe(onChain);
    const unnumbered = new Set(
      docTelAbi
        .filter((item) => item.type === "event" && !item.inputs.some((i) => i.name === "seq"))
        .map((item) => toEventSelector(item as AbiEvent)),
    );
    expect(onChain).toBe(BigInt(all.filter((l) => !unnumbered.has(l.topics[0]!)).length));
    // Treatment-scoped events carry the patient, so one index scan gives a patient's full history.
    const [unscoped] = await q<{ n: number }>(
      "SELECT count(*)::int AS n FROM event_log WHERE treatment_id IS NOT NULL AND patient_ref IS NULL",
    );
    expect(unscoped!.n).toBe(0);
  });

  it("follows new blocks live and resumes from its checkpoint after a stop, ending equal to a clean run", async () => {
    const send = sender(chain, cast.address);
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    const opened = await send(cast.staff, "openTreatment", [ref(12)]);
    await run.waitFor(opened);
    expect(await q("SELECT count(*)::int AS n FROM treatment")).toEqual([{ n: 3 }]);
    await run.stop();

    // While stopped: revoking a doctor ends all of their assignments (no DoctorUnassigned events).
    await send(cast.staff, "assignDoctor", [3n, cast.doctor2.account.address]);
    await send(cast.doctor2, "recordDiagnosis", [3n, stringToHex("J11", { size: 8 })]);
    await send(cast.staff, "revokeMember", [cast.doctor2.account.address]);
    const resumed = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    await resumed.waitFor(await headOf(chain.rpcUrl));
    await resumed.stop();
    expect(
      await q("SELECT count(*)::int AS n FROM treatment_doctor WHERE doctor = $1", [
        cast.doctor2.account.address.toLowerCase(),
      ]),
    ).toEqual([{ n: 0 }]);
    expect(
      await q("SELECT active FROM member WHERE account = $1", [cast.doctor2.account.address.toLowerCase()]),
    ).toEqual([{ active: false }]);

    const fresh = startIndexer({
      pool: clean.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.address,
      deployBlock: cast.deployBlock,
    });
    await fresh.waitFor(await headOf(chain.rpcUrl));
    await fresh.stop();
    expect(await dumpIndex(db.pool)).toEqual(await dumpIndex(clean.pool));
  });

  it("indexes the same when the rows carried between batches are evicted at every batch, since only unchanged rows are re-read", async () => {
    // One block per batch: every batch reads rows the previous ones changed, often while the
    // previous one is still being written.
    const settings = { getLogs: { initial: 1, min: 1, max: 1, targetLogs: 1000 } };
    const head = await headOf(chain.rpcUrl);
    for (const [target, stateCacheEntries] of [
      [tinyCache, 2],
      [usualCache, 200_000],
    ] as const) {
      const run = startIndexer({
        pool: target.pool,
        rpcUrl: chain.rpcUrl,
        address: cast.address,
        deployBlock: cast.deployBlock,
        settings: { ...settings, stateCacheEntries },
      });
      await run.waitFor(head);
      await run.stop();
    }
    // The undo log too: which rows were loaded or cached must not change what it keeps.
    expect(await dumpIndex(tinyCache.pool, { unfinalized: true })).toEqual(
      await dumpIndex(usualCache.pool, { unfinalized: true }),
    );
    const [treatments] = await tinyCache.pool
      .query<{ n: number }>("SELECT count(*)::int AS n FROM treatment")
      .then((r) => r.rows);
    expect(treatments!.n).toBeGreaterThan(2);
  });

  it("refuses a database that already indexes another contract, instead of mixing two histories", async () => {
    const run = startIndexer({
      pool: db.pool,
      rpcUrl: chain.rpcUrl,
      address: cast.governance.account.address,
      deployBlock: cast.deployBlock,
    });
    await expect(run.failure).resolves.toMatchObject({ code: "CHAIN_MISMATCH" });
  });
});
