/**
 * Bench dataset for `npm run bench:api`: a bulk SQL generator that writes the read model exactly
 * as the indexer would (same tables, same value shapes: lowercase hex, bigints, IST reporting
 * days, event args as decoded JSON), fast enough for ~1M treatments and ~7M events in minutes.
 *
 * Shape: hospitals in districts drawn by 2011 population; one staff account per hospital (with a
 * private key, so the bench signs in for real) and eight doctors; patients with a young age
 * pyramid, registered before the two-year window (an onboarding of existing records), each with
 * a home hospital; treatments opened uniformly over two years, 85% at the patient's home hospital,
 * patients drawn with a skew (some are treated often); a weighted mix of common Indian ICD-10
 * diagnoses (92% diagnosed); stages by age (old treatments closed); one or two doctors each;
 * attachments for a third, vitals for 30%. Blocks are 12 s apart; log indexes count within a block.
 */
import type { Pool, PoolClient } from "pg";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { completeAadhaar } from "../shared/identity/aadhaar.ts";
import { aadhaarReference } from "../shared/identity/reference.ts";
import { encodeIcd10, icd10Category, icd10Chapter } from "../shared/reference/icd10.ts";
import { DISTRICTS } from "../shared/reference/regions.ts";
import { SPECIALTIES } from "../shared/reference/specialties.ts";

export interface DatasetSize {
  hospitals: number;
  patients: number;
  treatments: number;
}

export interface Dataset {
  staff: { hospitalId: number; privateKey: `0x${string}`; address: string }[];
  /** Sample of patients with their Aadhaar number and home hospital (for queries). */
  sample: { aadhaar: string; ref: string; hospitalId: number }[];
  publicHealthKey: `0x${string}`;
  treatments: number;
  events: number;
  /** Generation time by phase, ms. */
  phasesMs: Record<string, number>;
  categories: string[];
  states: number[];
}

const DOCTORS_PER_HOSPITAL = 8;
const BLOCK_SECONDS = 12;
/** Common diagnoses at Indian hospitals (ICD-10), with rough relative frequencies. */
const DIAGNOSES: [string, number][] = [
  ["A09", 9],
  ["J06.9", 9],
  ["I10", 8],
  ["E11.9", 8],
  ["J18.9", 5],
  ["A90", 4],
  ["B54", 3],
  ["A01.0", 3],
  ["K29.7", 3],
  ["N39.0", 4],
  ["O80", 5],
  ["J45.9", 3],
  ["A15.0", 3],
  ["D50.9", 4],
  ["I21.9", 2],
  ["I63.9", 2],
  ["K35.8", 2],
  ["S72.0", 1],
  ["E86", 2],
  ["R50.9", 4],
  ["A91", 1],
  ["B34.9", 3],
  ["J44.9", 2],
  ["N18.9", 1],
  ["K80.2", 1],
  ["L03.9", 2],
  ["T14.9", 2],
  ["F32.9", 1],
  ["E44.0", 1],
  ["P07.3", 1],
  ["O14.9", 1],
  ["C50.9", 1],
  ["I50.9", 1],
  ["K74.6", 1],
  ["G40.9", 1],
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const address = (label: string) => keccak256(toHex(label)).slice(0, 42);
const keyOf = (label: string) => keccak256(toHex(`doctel-bench-key:${label}`));

export async function generateDataset(
  pool: Pool,
  size: DatasetSize,
  pepper: Uint8Array,
  log: (message: string) => void,
): Promise<Dataset> {
  const random = prng(42);
  const client = await pool.connect();
  try {
    const end = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
    const start = new Date(end.getTime() - 730 * 86_400_000);
    const genesis = new Date(start.getTime() - 90 * 86_400_000);
    await client.query("SET synchronous_commit = off");
    await client.query(`SET work_mem = '256MB'`);
    await client.query(`SET maintenance_work_mem = '1GB'`);
    await client.query("SELECT setseed(0.42)");
    // Inlined SQL expressions (temporary SQL functions are not inlined: one executor call per row).
    const g = genesis.getTime() / 1000;
    const blk = (t: string) => `(floor((extract(epoch FROM (${t})) - ${g}) / ${BLOCK_SECONDS})::bigint + 1)`;
    const h32 = (s: string) => `('0x' || md5(${s}) || md5((${s}) || '/'))`;
    const dropped = await dropSecondaryIndexes(client);
    // With wal_level=minimal, rows written into a table truncated in the same transaction skip
    // the WAL: the bulk loads below write each table once instead of twice. Each table is still
    // empty when it is loaded (CASCADE only empties tables loaded after it).
    const load = async (table: string, sql: string, params: unknown[] = []) => {
      await client.query("BEGIN");
      await client.query(`TRUNCATE ${table} CASCADE`);
      const result = await client.query(sql, params);
      await client.query("COMMIT");
      return result;
    };

    // ---------------------------------------------------------------- hospitals, members (JS)
    const phasesMs: Record<string, number> = {};
    let t = Date.now();
    /** Ends a phase: its time is recorded and logged, and the next one starts. */
    const phase = (name: string, message: string) => {
      phasesMs[name] = Date.now() - t;
      log(`${message}: ${phasesMs[name]} ms`);
      t = Date.now();
    };
    const weighted = DISTRICTS.filter((d) => (d.population2011 ?? 0) > 0);
    const total = weighted.reduce((s, d) => s + (d.population2011 ?? 0), 0);
    const pickDistrict = () => {
      let r = random() * total;
      for (const d of weighted) {
        r -= d.population2011 ?? 0;
        if (r <= 0) return d;
      }
      return weighted.at(-1)!;
    };
    const gov = address("governance");
    const hospitals = Array.from({ length: size.hospitals }, (_, i) => {
      const d = pickDistrict();
      return {
        id: i + 1,
        name: `${d.name} District Hospital ${i + 1}`,
        state: d.stateCode,
        district: d.code,
      };
    });
    const regTime = new Date(genesis.getTime() + 3_600_000);
    await client.query(
      `INSERT INTO hospital (id, name, state_code, district_code, registered_by, registered_at, registered_block, tx_hash)
       SELECT id, name, s, d, $5, $6, ${blk("$6::timestamptz")}, ${h32("'hospital' || id")}
         FROM unnest($1::int[], $2::text[], $3::int[], $4::int[]) AS x(id, name, s, d)`,
      [
        hospitals.map((h) => h.id),
        hospitals.map((h) => h.name),
        hospitals.map((h) => h.state),
        hospitals.map((h) => h.district),
        gov,
        regTime,
      ],
    );
    const staff = hospitals.map((h) => {
      const privateKey = keyOf(`staff-${h.id}`);
      return { hospitalId: h.id, privateKey, address: privateKeyToAccount(privateKey).address.toLowerCase() };
    });
    const doctors = hospitals.flatMap((h) =>
      Array.from({ length: DOCTORS_PER_HOSPITAL }, (_, slot) => ({
        hospitalId: h.id,
        slot,
        account: address(`doctor-${h.id}-${slot}`),
        specialty: SPECIALTIES[Math.floor(random() * 30)]!.code,
      })),
    );
    await client.query(
      `INSERT INTO member (account, kind, hospital_id, person_ref, specialty, active, registered_by, registered_at, registered_block)
       SELECT a, k::member_kind, h, ${h32("'person' || a")}, sp, true, $5, $6, ${blk("$6::timestamptz")}
         FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS x(a, k, h, sp)`,
      [
        [...staff.map((s) => s.address), ...doctors.map((d) => d.account)],
        [...staff.map(() => "STAFF"), ...doctors.map(() => "DOCTOR")],
        [...staff.map((s) => s.hospitalId), ...doctors.map((d) => d.hospitalId)],
        [...staff.map(() => null), ...doctors.map((d) => d.specialty)],
        gov,
        new Date(regTime.getTime() + 3_600_000),
      ],
    );
    await client.query(
      `CREATE TEMP TABLE bench_doctor (hospital_id int, slot int, account text, PRIMARY KEY (hospital_id, slot))`,
    );
    await client.query(`INSERT INTO bench_doctor SELECT * FROM unnest($1::int[], $2::int[], $3::text[])`, [
      doctors.map((d) => d.hospitalId),
      doctors.map((d) => d.slot),
      doctors.map((d) => d.account),
    ]);
    const publicHealthKey = keyOf("public-health");
    const roleHolders: [string, string, string][] = [
      [gov, "GOVERNANCE", `0x${"0".repeat(64)}`],
      [
        privateKeyToAccount(publicHealthKey).address.toLowerCase(),
        "PUBLIC_HEALTH",
        keccak256(toHex("PUBLIC_HEALTH_ROLE")),
      ],
      [address("auditor"), "AUDITOR", keccak256(toHex("AUDITOR_ROLE"))],
    ];
    await client.query(
      `INSERT INTO role_grant (account, role, role_id, active, granted_by, granted_at, granted_block)
       SELECT a, r::global_role, id, true, $4, $5, ${blk("$5::timestamptz")} FROM unnest($1::text[], $2::text[], $3::text[]) AS x(a, r, id)`,
      [
        roleHolders.map((r) => r[0]),
        roleHolders.map((r) => r[1]),
        roleHolders.map((r) => r[2]),
        gov,
        regTime,
      ],
    );

    // ---------------------------------------------------------------- patients (refs in JS)
    await client.query(`CREATE TEMP TABLE bench_patient (idx int PRIMARY KEY, ref text, hospital_id int)`);
    const sample: Dataset["sample"] = [];
    const chunk = 50_000;
    for (let from = 0; from < size.patients; from += chunk) {
      const idx: number[] = [];
      const refs: string[] = [];
      const homes: number[] = [];
      for (let i = from; i < Math.min(size.patients, from + chunk); i++) {
        const aadhaar = completeAadhaar(String(23_000_000_000 + i * 7_919));
        const ref = aadhaarReference(pepper, aadhaar);
        const home = 1 + Math.floor(random() * size.hospitals);
        idx.push(i);
        refs.push(ref);
        homes.push(home);
        // The most frequently treated patients are the low indexes (skewed draw below).
        if (i < 20_000 && i % 10 === 0) sample.push({ aadhaar, ref, hospitalId: home });
      }
      await client.query("INSERT INTO bench_patient SELECT * FROM unnest($1::int[], $2::text[], $3::int[])", [
        idx,
        refs,
        homes,
      ]);
    }
    phase("references", `hospitals, members, ${size.patients} patient references`);
    const onboardStart = new Date(genesis.getTime() + 86_400_000);
    await load(
      "patient",
      `INSERT INTO patient (ref, weight_grams, height_cm, sex, blood_group, birth_date, state_code, district_code,
                            registered_hospital_id, registered_by, registered_at, registered_block, updated_at, updated_block, version)
       SELECT ref, w, hcm, sex::sex, bg::blood_group, birth, h.state_code, h.district_code, h.id, s.account, at, ${blk("at")}, at, ${blk("at")}, 1
         FROM (SELECT bp.*, age,
                      CASE WHEN age < 18 THEN 3200 + age * 2800 ELSE 52000 + (random() * 30000)::int END AS w,
                      CASE WHEN age < 18 THEN 50 + age * 6 + (random() * 10)::int ELSE 150 + (random() * 30)::int END AS hcm,
                      CASE WHEN rs < 0.49 THEN 'FEMALE' WHEN rs < 0.98 THEN 'MALE' WHEN rs < 0.99 THEN 'OTHER' ELSE 'UNKNOWN' END AS sex,
                      CASE WHEN rb < 0.37 THEN 'O_POS' WHEN rb < 0.69 THEN 'B_POS' WHEN rb < 0.91 THEN 'A_POS' WHEN rb < 0.98 THEN 'AB_POS'
                           WHEN rb < 0.985 THEN 'O_NEG' WHEN rb < 0.99 THEN 'B_NEG' WHEN rb < 0.995 THEN 'A_NEG' ELSE 'AB_NEG' END AS bg,
                      ($1::date - (age * 365.25 + random() * 364)::int) AS birth,
                      $1::timestamptz + (bp.idx * $2::float8) * interval '1 second' AS at
                 FROM (SELECT *, least(95, floor(-ln(1 - random()) * 27))::int AS age, random() AS rs, random() AS rb FROM bench_patient) bp) bp
         JOIN hospital h ON h.id = bp.hospital_id
         JOIN member s ON s.hospital_id = h.id AND s.kind = 'STAFF'`,
      [onboardStart, (60 * 86_400) / size.patients],
    );
    await client.query("ANALYZE patient");
    phase("patients", "patients");

    // ---------------------------------------------------------------- treatments
    await client.query(
      `CREATE TEMP TABLE dx_slot (slot int PRIMARY KEY, code text, category text, chapter int, hex text)`,
    );
    const weightSum = DIAGNOSES.reduce((s, [, w]) => s + w, 0);
    const slots: [number, string][] = [];
    let slot = 0;
    for (const [code, w] of DIAGNOSES) {
      const n = Math.round((w / weightSum) * 1000);
      for (let i = 0; i < n && slot < 1000; i++) slots.push([slot++, code]);
    }
    while (slot < 1000) slots.push([slot++, "A09"]);
    await client.query(
      `INSERT INTO dx_slot SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::text[])`,
      [
        slots.map((s) => s[0]),
        slots.map((s) => s[1]),
        slots.map((s) => icd10Category(s[1])),
        slots.map((s) => icd10Chapter(s[1])?.number ?? 0),
        slots.map((s) => encodeIcd10(s[1])),
      ],
    );
    const span = (end.getTime() - start.getTime()) / 1000;
    await client.query(
      `CREATE TEMP TABLE tgen AS
       SELECT g.id, floor(${size.patients} * power(random(), 1.7))::int AS pidx, random() AS r_home, random() AS r_h,
              random() AS r_dx, random() AS r_stage, random() AS r_doc, random() AS r_doc2, random() AS r_los,
              random() AS r_file, random() AS r_vit,
              $1::timestamptz + ((g.id - 1 + random() * 0.9) * ${span / size.treatments}) * interval '1 second' AS opened_at
         FROM generate_series(1, ${size.treatments}) AS g(id)`,
      [start],
    );
    await client.query(
      `CREATE TEMP TABLE tfull AS
       SELECT t.id, p.ref AS patient_ref, CASE WHEN t.r_home < 0.85 THEN bp.hospital_id ELSE 1 + floor(t.r_h * ${size.hospitals})::int END AS hospital_id,
              t.opened_at, CASE WHEN t.r_dx < 0.92 THEN d.code END AS diagnosis, d.category, d.chapter, d.hex,
              t.r_stage, t.r_doc, t.r_doc2, t.r_los, t.r_file, t.r_vit,
              p.sex, p.birth_date, p.state_code, p.district_code
         FROM tgen t JOIN bench_patient bp ON bp.idx = t.pidx JOIN patient p ON p.ref = bp.ref
         JOIN dx_slot d ON d.slot = floor(t.r_dx / 0.92 * 1000)::int % 1000`,
    );
    await client.query(
      `CREATE TEMP TABLE tstage AS
       SELECT f.*, s.account AS staff, dr.account AS doctor, dr2.account AS doctor2,
              CASE WHEN f.diagnosis IS NULL THEN 0
                   WHEN f.opened_at < $1::timestamptz - interval '30 days' THEN
                     CASE WHEN f.r_stage < 0.85 THEN 4 WHEN f.r_stage < 0.95 THEN 3 WHEN f.r_stage < 0.98 THEN 2 ELSE 1 END
                   WHEN f.opened_at < $1::timestamptz - interval '12 days' THEN
                     CASE WHEN f.r_stage < 0.4 THEN 4 WHEN f.r_stage < 0.7 THEN 3 WHEN f.r_stage < 0.9 THEN 2 ELSE 1 END
                   ELSE CASE WHEN f.r_stage < 0.6 THEN 2 ELSE 1 END END AS stage_no,
              f.opened_at + (1 + f.r_los * 5) * interval '1 hour' AS diag_at,
              f.opened_at + (1 + f.r_los * 9) * interval '1 day' AS discharge_at
         FROM tfull f
         JOIN member s ON s.hospital_id = f.hospital_id AND s.kind = 'STAFF'
         JOIN bench_doctor dr ON dr.hospital_id = f.hospital_id AND dr.slot = floor(f.r_doc * ${DOCTORS_PER_HOSPITAL})::int
         LEFT JOIN bench_doctor dr2 ON f.r_doc2 < 0.1 AND dr2.hospital_id = f.hospital_id
              AND dr2.slot = (floor(f.r_doc * ${DOCTORS_PER_HOSPITAL})::int + 1) % ${DOCTORS_PER_HOSPITAL}`,
      [end],
    );
    phase("treatments", "treatment draws");

    // ---------------------------------------------------------------- events (staging, then event_record)
    await client.query(
      `CREATE TEMP TABLE ev AS
       SELECT opened_at AS t, 1 AS o, 'TreatmentOpened' AS name, staff AS actor, id, patient_ref, hospital_id, NULL::text AS account,
              jsonb_build_object('treatmentId', id::text, 'patientRef', patient_ref, 'hospitalId', hospital_id, 'actor', staff) AS args
         FROM tstage
       UNION ALL
       SELECT opened_at + interval '5 minutes', 2, 'DoctorAssigned', staff, id, patient_ref, hospital_id, doctor,
              jsonb_build_object('treatmentId', id::text, 'doctor', doctor, 'actor', staff) FROM tstage
       UNION ALL
       SELECT opened_at + interval '6 minutes', 3, 'DoctorAssigned', staff, id, patient_ref, hospital_id, doctor2,
              jsonb_build_object('treatmentId', id::text, 'doctor', doctor2, 'actor', staff) FROM tstage WHERE doctor2 IS NOT NULL
       UNION ALL
       SELECT diag_at, 4, 'DiagnosisRecorded', doctor, id, patient_ref, hospital_id, NULL,
              jsonb_build_object('treatmentId', id::text, 'doctor', doctor, 'icd10', hex) FROM tstage WHERE diagnosis IS NOT NULL
       UNION ALL
       SELECT CASE s.to_stage WHEN 1 THEN diag_at + interval '1 minute' WHEN 2 THEN diag_at + interval '30 minutes'
                              WHEN 3 THEN discharge_at ELSE discharge_at + interval '1 day' END,
              4 + s.to_stage, 'StageAdvanced', CASE WHEN s.to_stage <= 2 THEN doctor ELSE staff END, id, patient_ref, hospital_id, NULL,
              jsonb_build_object('treatmentId', id::text, 'actor', CASE WHEN s.to_stage <= 2 THEN doctor ELSE staff END,
                                 'fromStage', s.to_stage - 1, 'toStage', s.to_stage)
         FROM tstage JOIN generate_series(1, 4) AS s(to_stage) ON s.to_stage <= stage_no
       UNION ALL
       SELECT diag_at + interval '2 hours', 9, 'FileAttached', doctor, id, patient_ref, hospital_id, NULL,
              jsonb_build_object('treatmentId', id::text, 'actor', doctor, 'kind', 1,
                                 'cid', 'bafkrei' || substr(md5('cid' || id), 1, 26) || substr(md5('cid/' || id), 1, 26))
         FROM tstage WHERE r_file < 0.35 AND diagnosis IS NOT NULL
       UNION ALL
       SELECT opened_at + v.k * interval '3 hours' + interval '10 minutes', 10 + v.k, 'VitalsRecorded', staff, id, patient_ref, hospital_id, NULL,
              jsonb_build_object('treatmentId', id::text, 'recorder', staff,
                'measuredAt', floor(extract(epoch FROM opened_at + v.k * interval '3 hours'))::bigint::text,
                'temperatureCentiC', 3620 + (r_vit * 1000)::int % 250 + v.k * 10,
                'systolicMmHg', 105 + (r_los * 60)::int + v.k, 'diastolicMmHg', 65 + (r_los * 30)::int,
                'heartRateBpm', 60 + (r_doc * 50)::int + v.k * 2, 'spo2Permille', 930 + (r_stage * 69)::int)
         FROM tstage JOIN generate_series(0, 1) AS v(k) ON true WHERE r_vit < 0.3`,
    );
    await client.query(
      `INSERT INTO ev
       SELECT p.registered_at, 0, 'PatientRegistered', p.registered_by, NULL, p.ref, p.registered_hospital_id, NULL,
              jsonb_build_object('patientRef', p.ref, 'hospitalId', p.registered_hospital_id, 'actor', p.registered_by,
                 'weightGrams', p.weight_grams, 'heightCm', p.height_cm, 'sex', array_position(enum_range(NULL::sex), p.sex) - 1,
                 'bloodGroup', array_position(enum_range(NULL::blood_group), p.blood_group) - 1,
                 'birthDate', p.birth_date - date '1970-01-01', 'stateCode', p.state_code, 'districtCode', p.district_code)
         FROM patient p`,
    );
    phase("event_staging", "event staging");
    // Block-range partitions of event_record and vital (the indexer creates them ahead as it goes).
    await client.query(
      `SELECT ensure_block_partitions(p, 0, (SELECT max(${blk("t")}) FROM ev), 1000000)
         FROM unnest(ARRAY['event_record', 'vital']::regclass[]) AS p`,
    );
    const { rowCount: events } = await load(
      "event_record",
      `INSERT INTO event_record (block_number, log_index, tx_hash, name, actor, treatment_id, patient_ref, hospital_id, account, args)
       SELECT b, (row_number() OVER (PARTITION BY b ORDER BY t, o, id) - 1)::int,
              ${h32("'tx' || b || ':' || row_number() OVER (PARTITION BY b ORDER BY t, o, id)")},
              name::event_name, actor, id, patient_ref, hospital_id, account, args
         FROM (SELECT *, ${blk("t")} AS b FROM ev) e
        ORDER BY b`,
    );
    phase("event_record", `event_record ${events} rows`);
    await load(
      "event_block",
      `INSERT INTO event_block (number, hash, time)
       SELECT DISTINCT block_number, ${h32("'block' || block_number")},
              to_timestamp(${genesis.getTime() / 1000} + (block_number - 1) * ${BLOCK_SECONDS})
         FROM event_record ORDER BY block_number`,
    );

    // ---------------------------------------------------------------- rows derived from events
    await load(
      "patient_history",
      `INSERT INTO patient_history (block_number, log_index, patient_ref, registration, weight_grams, height_cm, sex, blood_group,
                                    birth_date, state_code, district_code, hospital_id, actor, tx_hash)
       SELECT e.block_number, e.log_index, p.ref, true, p.weight_grams, p.height_cm, p.sex, p.blood_group, p.birth_date,
              p.state_code, p.district_code, p.registered_hospital_id, p.registered_by, e.tx_hash
         FROM event_record e JOIN patient p ON p.ref = e.patient_ref WHERE e.name = 'PatientRegistered'`,
    );
    await load(
      "treatment",
      `INSERT INTO treatment (id, patient_ref, hospital_id, stage, diagnosis, diagnosis_category, diagnosis_chapter, diagnosed_by,
                              diagnosed_at, opened_by, opened_at, opened_block, discharged_at, closed_at, updated_at, updated_block,
                              patient_sex, patient_age_band, patient_age_years, patient_state, patient_district)
       SELECT id, patient_ref, hospital_id, (enum_range(NULL::stage))[stage_no + 1], diagnosis, category, chapter,
              CASE WHEN diagnosis IS NOT NULL THEN doctor END, CASE WHEN diagnosis IS NOT NULL THEN date_trunc('second', diag_at) END,
              staff, date_trunc('second', opened_at), ${blk("opened_at")},
              CASE WHEN stage_no >= 3 THEN date_trunc('second', discharge_at) END,
              CASE WHEN stage_no = 4 THEN date_trunc('second', discharge_at + interval '1 day') END,
              date_trunc('second', last_at), ${blk("last_at")},
              sex, CASE WHEN age >= 90 THEN '90+' ELSE (age / 5 * 5) || '-' || (age / 5 * 5 + 4) END, age, state_code, district_code
         FROM (SELECT s.*, extract(year FROM age((s.opened_at AT TIME ZONE 'Asia/Kolkata')::date, s.birth_date))::int AS age,
                      greatest(s.opened_at + interval '6 minutes',
                               CASE s.stage_no WHEN 0 THEN s.opened_at WHEN 1 THEN s.diag_at + interval '1 minute'
                                    WHEN 2 THEN s.diag_at + interval '30 minutes' WHEN 3 THEN s.discharge_at
                                    ELSE s.discharge_at + interval '1 day' END,
                               CASE WHEN s.r_vit < 0.3 THEN s.opened_at + interval '3 hours 10 minutes' END,
                               CASE WHEN s.r_file < 0.35 AND s.diagnosis IS NOT NULL THEN s.diag_at + interval '2 hours' END) AS last_at
                 FROM tstage s) s`,
    );
    await load(
      "treatment_doctor",
      `INSERT INTO treatment_doctor (treatment_id, doctor, assigned_by, assigned_at, assigned_block)
       SELECT e.treatment_id, e.account, e.actor, b.time, e.block_number
         FROM event_record e JOIN event_block b ON b.number = e.block_number WHERE e.name = 'DoctorAssigned'`,
    );
    await load(
      "file_verification",
      `INSERT INTO file_verification (cid, status, size_bytes, content_type, blocks, attempts, next_attempt_at, first_seen_at, verified_at)
       SELECT DISTINCT ON (args->>'cid') args->>'cid', CASE WHEN random() < 0.97 THEN 'VERIFIED' ELSE 'PENDING' END::verification_status,
              20000 + (random() * 2000000)::bigint, 'application/pdf', 1 + (random() * 8)::int, 1, b.time, b.time,
              b.time + interval '20 seconds'
         FROM event_record e JOIN event_block b ON b.number = e.block_number WHERE e.name = 'FileAttached'`,
    );
    await load(
      "attachment",
      `INSERT INTO attachment (block_number, log_index, treatment_id, kind, cid, actor, tx_hash)
       SELECT block_number, log_index, treatment_id, 'LAB_REPORT', args->>'cid', actor, tx_hash
         FROM event_record WHERE name = 'FileAttached'`,
    );
    await load(
      "vital",
      `INSERT INTO vital (block_number, log_index, tx_hash, treatment_id, patient_ref, recorder, measured_at, temperature_centi_c,
                          systolic_mmhg, diastolic_mmhg, heart_rate_bpm, spo2_permille)
       SELECT block_number, log_index, tx_hash, treatment_id, patient_ref, actor, to_timestamp((args->>'measuredAt')::bigint),
              (args->>'temperatureCentiC')::int, (args->>'systolicMmHg')::int, (args->>'diastolicMmHg')::int,
              (args->>'heartRateBpm')::int, (args->>'spo2Permille')::int
         FROM event_record WHERE name = 'VitalsRecorded'`,
    );
    // As the indexer keeps them: a vital's event is its row of `vital` (the view event_log shows both).
    await client.query("DELETE FROM event_record WHERE name = 'VitalsRecorded'");
    await load(
      "case_count_daily",
      `INSERT INTO case_count_daily (day, diagnosis, diagnosis_category, diagnosis_chapter, state_code, district_code, age_band, sex, hospital_id, count)
       SELECT (opened_at AT TIME ZONE 'Asia/Kolkata')::date, diagnosis, diagnosis_category, diagnosis_chapter, patient_state,
              patient_district, patient_age_band, patient_sex, hospital_id, count(*)
         FROM treatment WHERE diagnosis IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    );
    await load(
      "case_trend_weekly",
      `INSERT INTO case_trend_weekly (system, week_start, diagnosis_category, state_code, district_code, count)
       SELECT 'ISO'::week_system, date_trunc('week', day)::date, diagnosis_category, state_code, district_code, sum(count)
         FROM case_count_daily GROUP BY 2, 3, 4, 5
       UNION ALL
       SELECT 'MMWR'::week_system, day - extract(dow FROM day)::int, diagnosis_category, state_code, district_code, sum(count)
         FROM case_count_daily GROUP BY 2, 3, 4, 5`,
    );
    const { rows: last } = await client.query<{ b: string; h: string }>(
      "SELECT number::text AS b, hash AS h FROM event_block ORDER BY number DESC LIMIT 1",
    );
    await client.query(
      `INSERT INTO indexer_state (id, chain_id, contract_address, deploy_block, indexed_block, indexed_block_hash, finalized_block, head_block)
       VALUES (1, 31337, $1, 1, $2, $3, $2::bigint - 64, $2)`,
      [address("doctel-contract"), last[0]!.b, last[0]!.h],
    );
    phase("derived", "event_block, derived rows and rollups");
    for (const sql of dropped) await client.query(sql);
    await client.query("ANALYZE");
    phase("indexes", `indexes rebuilt (${dropped.length}) and analyzed`);
    const { rows: cats } = await client.query<{ c: string }>(
      "SELECT diagnosis_category AS c FROM case_trend_weekly GROUP BY 1 ORDER BY sum(count) DESC LIMIT 10",
    );
    const { rows: states } = await client.query<{ s: number }>(
      "SELECT state_code AS s FROM case_trend_weekly GROUP BY 1 ORDER BY sum(count) DESC LIMIT 10",
    );
    return {
      staff,
      sample,
      publicHealthKey,
      treatments: size.treatments,
      events: events ?? 0,
      phasesMs,
      categories: cats.map((c) => c.c),
      states: states.map((s) => s.s),
    };
  } finally {
    client.release();
  }
}

/** Drops the secondary indexes of the big tables (bulk loads are faster without them); returns their DDL. */
async function dropSecondaryIndexes(client: PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public'
        AND i.tablename IN ('event_record', 'treatment', 'treatment_doctor', 'vital', 'attachment', 'patient', 'patient_history')
        AND i.indexname NOT LIKE '%_pkey'`,
  );
  for (const row of rows) await client.query(`DROP INDEX "${row.name}"`);
  // A partitioned table's index reads "ON ONLY parent": created again on the parent and its partitions.
  return rows.map((r) => r.def.replace(" ON ONLY ", " ON "));
}
