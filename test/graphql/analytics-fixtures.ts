/**
 * Test fixtures for analytics: treatments written the way the indexer writes them (its own row
 * writers and rollup deltas, in one transaction), and an ApiContext for calling the analytics
 * resolvers directly with a chosen role.
 */
import type pg from "pg";
import type { AnalyticsSettings } from "../../graphql/analytics/settings.ts";
import type { ApiContext, ApiRole } from "../../graphql/context.ts";
import { addTreatmentDelta, createRollupDeltas } from "../../indexer/store/rollups.ts";
import type { PatientRow, SexLabel, StageLabel, TreatmentRow } from "../../indexer/store/rows.ts";
import { applyRollupDeltas, upsertPatients, upsertTreatments } from "../../indexer/store/write-batch.ts";
import type { PrismaClient } from "../../prisma/generated/client.ts";
import { createSilentLogger } from "../../shared/logger.ts";
import { icd10Chapter } from "../../shared/reference/icd10.ts";
import { ageBand, ageInYears, toEpochDay } from "../../shared/reference/weeks.ts";

export const SECRET = Buffer.alloc(32, 0x42);

export interface CaseSpec {
  /** Patient number: the same number is the same patient (reference derived from it). */
  patient: number;
  sex?: SexLabel;
  birthDate?: string;
  state?: number;
  district?: number;
  hospitalId?: number;
  /** Opening time, ISO (UTC). */
  openedAt: string;
  diagnosis?: string | null;
  stage?: StageLabel;
  dischargedAt?: string | null;
}

export const patientRef = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;
const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const day = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000 + 330 / 1440);

export async function insertHospitals(
  pool: pg.Pool,
  hospitals: { id: number; state: number; district: number }[],
): Promise<void> {
  for (const h of hospitals) {
    await pool.query(
      `INSERT INTO hospital (id, name, state_code, district_code, registered_by, registered_at, registered_block, tx_hash)
       VALUES ($1, $2, $3, $4, '0x0000000000000000000000000000000000000001', now(), 1, '0x00') ON CONFLICT (id) DO NOTHING`,
      [h.id, `Hospital ${h.id}`, h.state, h.district],
    );
  }
}

/** Writes patients, treatments and their rollup deltas as the indexer does; returns the treatment ids. */
export async function insertCases(pool: pg.Pool, cases: readonly CaseSpec[], firstId = 1): Promise<bigint[]> {
  const patients = new Map<string, PatientRow>();
  const treatments: TreatmentRow[] = [];
  cases.forEach((c, i) => {
    const ref = patientRef(c.patient);
    const birth = toEpochDay(c.birthDate ?? "1985-06-15");
    const state = c.state ?? 27;
    const district = c.district ?? 490;
    const opened = unix(c.openedAt);
    if (!patients.has(ref)) {
      patients.set(ref, {
        ref,
        weightGrams: 65_000,
        heightCm: 165,
        sex: c.sex ?? "FEMALE",
        bloodGroup: "O_POS",
        birthDate: birth,
        stateCode: state,
        districtCode: district,
        registeredHospitalId: c.hospitalId ?? 1,
        registeredBy: "0x0000000000000000000000000000000000000002",
        registeredAt: opened - 86_400,
        registeredBlock: 1n,
        updatedAt: opened - 86_400,
        updatedBlock: 1n,
        version: 1,
      });
    }
    const diagnosis = c.diagnosis === undefined ? "A90" : c.diagnosis;
    const openDay = day(c.openedAt);
    treatments.push({
      id: BigInt(firstId + i),
      patientRef: ref,
      hospitalId: c.hospitalId ?? 1,
      stage: c.stage ?? (diagnosis ? "DIAGNOSED" : "ADMITTED"),
      diagnosis,
      diagnosisCategory: diagnosis ? diagnosis.slice(0, 3) : null,
      diagnosisChapter: diagnosis ? (icd10Chapter(diagnosis)?.number ?? null) : null,
      diagnosedBy: diagnosis ? "0x0000000000000000000000000000000000000003" : null,
      diagnosedAt: diagnosis ? opened + 600 : null,
      openedBy: "0x0000000000000000000000000000000000000002",
      openedAt: opened,
      openedBlock: BigInt(10 + i),
      dischargedAt: c.dischargedAt ? unix(c.dischargedAt) : null,
      closedAt: null,
      updatedAt: opened + 600,
      updatedBlock: BigInt(10 + i),
      patientSex: c.sex ?? "FEMALE",
      patientAgeBand: ageBand(birth, openDay),
      patientAgeYears: ageInYears(birth, openDay),
      patientState: state,
      patientDistrict: district,
    });
  });
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await upsertPatients(client, [...patients.values()]);
    await upsertTreatments(client, treatments);
    const deltas = createRollupDeltas();
    for (const t of treatments) addTreatmentDelta(deltas, null, t);
    await applyRollupDeltas(client, deltas);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
  return treatments.map((t) => t.id);
}

export interface AuditEntry {
  operation: string;
  recordType: string;
  recordIds: readonly string[];
  details?: Record<string, unknown>;
}

export type TestContext = ApiContext & { audited: AuditEntry[] };

export function analyticsContext(
  db: { pool: pg.Pool; prisma: PrismaClient },
  roles: readonly ApiRole[] | null,
  options: { address?: `0x${string}`; secret?: Uint8Array | null } = {},
): TestContext {
  const audited: AuditEntry[] = [];
  const settings: ApiContext["settings"] & AnalyticsSettings = {
    chainId: 31337,
    contractAddress: "0x0000000000000000000000000000000000000abc",
    defaultPageSize: 20,
    maxPageSize: 100,
    doctorAccessGraceMs: 0,
    referenceOf: () => {
      throw new Error("not used by analytics");
    },
    ...(options.secret === null ? {} : { analyticsSecret: options.secret ?? SECRET }),
  };
  return {
    requestId: `test-${Math.random().toString(36).slice(2)}`,
    clientRequestId: null,
    clientIp: "127.0.0.1",
    clock: () => new Date(),
    viewer:
      roles === null
        ? null
        : {
            address: options.address ?? "0x00000000000000000000000000000000000000a1",
            roles: new Set(roles),
            hospitalId: null,
          },
    prisma: db.prisma,
    pool: db.pool,
    readPool: db.pool,
    audit: {
      async record(entry) {
        audited.push(entry);
      },
    },
    logger: createSilentLogger(),
    loaders: {},
    settings,
    audited,
  };
}
