/**
 * Per-request DataLoaders: every nested relation is fetched for a whole level of the result in
 * one statement (`= ANY($1)` or a LATERAL join per parent; one key as a plain parameter, see
 * data/key-param.ts), so a page of 50 treatments with
 * their patient, hospital, care team and attachments costs a handful of statements, not 200.
 */
import DataLoader from "dataloader";
import { type ClinicalScope, treatmentVisibleSql } from "./auth/policy.ts";
import type { ApiContext } from "./context.ts";
import { keyParam } from "./data/key-param.ts";
import {
  ATTACHMENT_COLUMNS,
  type AttachmentRow,
  CARE_TEAM_COLUMNS,
  type CareTeamRow,
  EVENT_COLUMNS,
  type EventRow,
  HOSPITAL_COLUMNS,
  type HospitalRow,
  LOG_COLUMNS,
  MEMBER_COLUMNS,
  type MemberRow,
  PATIENT_COLUMNS,
  PATIENT_VERSION_COLUMNS,
  type PatientRow,
  type PatientVersionRow,
  TREATMENT_COLUMNS,
  type TreatmentRow,
  VITAL_COLUMNS,
  type VitalRow,
} from "./data/rows.ts";
import { prepared, type Queryable } from "./data/sql.ts";
import { type VitalsQuery, vitalsSeriesBatch } from "./data/vitals.ts";

export interface Loaders {
  hospital: DataLoader<number, HospitalRow | null>;
  patient: DataLoader<string, PatientRow | null>;
  member: DataLoader<string, MemberRow | null>;
  treatment: DataLoader<string, TreatmentRow | null>;
  careTeam: DataLoader<string, CareTeamRow[]>;
  attachments: DataLoader<string, AttachmentRow[]>;
  patientVersions: DataLoader<string, PatientVersionRow[]>;
  latestVitals(scope: ClinicalScope): DataLoader<string, VitalRow | null>;
  /** A patient's visible treatments, newest first, `limit` + 1 rows after the optional key. */
  patientTreatments(
    scope: ClinicalScope,
    page: { limit: number; after: [string, string] | null },
  ): DataLoader<string, TreatmentRow[]>;
  /** A treatment's events in chain order, `limit` + 1 rows after the optional (block, log) key. */
  timeline(page: { limit: number; after: [string, number] | null }): DataLoader<string, EventRow[]>;
  /** Vitals series of treatments (ids) or patients (references), one statement per level. */
  vitals(args: {
    scope: ClinicalScope;
    by: "treatment" | "patient";
    query: VitalsQuery;
  }): DataLoader<string, VitalRow[]>;
}

/** Relations a treatments page brings along (JSON: times arrive as ISO strings, which DateTime takes). */
interface Embedded {
  embeddedHospital: HospitalRow | null;
  embeddedCareTeam: (CareTeamRow & Partial<MemberRow>)[];
  embeddedAttachments: AttachmentRow[];
}

export function loadersOf(ctx: ApiContext): Loaders {
  return ctx.loaders as unknown as Loaders;
}

type Keyed<K, V> = (keys: readonly K[]) => Promise<Map<K, V>>;

function loader<K, V>(fetch: Keyed<K, V>, missing: V): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => {
    const found = await fetch(keys);
    return keys.map((key) => found.get(key) ?? missing);
  });
}

function byKey<K, R>(rows: R[], key: (row: R) => K): Map<K, R> {
  return new Map(rows.map((row) => [key(row), row]));
}

function groupBy<K, R>(rows: R[], key: (row: R) => K): Map<K, R[]> {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** A family of loaders, one per argument set (e.g. per page size), built on first use. */
function family<A, K, V>(make: (args: A) => DataLoader<K, V>): (args: A) => DataLoader<K, V> {
  const made = new Map<string, DataLoader<K, V>>();
  return (args) => {
    const key = JSON.stringify(args);
    let l = made.get(key);
    if (!l) {
      l = make(args);
      made.set(key, l);
    }
    return l;
  };
}

export function createLoaders(pool: Queryable): Loaders {
  const rows = async <R>(sql: string, params: unknown[]): Promise<R[]> =>
    (await prepared<R & Record<string, unknown>>(pool, sql, params)).rows;

  const member = loader(
    async (accounts: readonly string[]) => {
      const k = keyParam(accounts, "text");
      const r = await rows<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM member m WHERE m.account ${k.match}`, [
        k.value,
      ]);
      return byKey(r, (x) => x.account);
    },
    null as MemberRow | null,
  );

  const hospital = loader(
    async (ids: readonly number[]) => {
      const k = keyParam(ids, "int");
      const r = await rows<HospitalRow>(`SELECT ${HOSPITAL_COLUMNS} FROM hospital h WHERE h.id ${k.match}`, [
        k.value,
      ]);
      return byKey(r, (x) => x.id);
    },
    null as HospitalRow | null,
  );

  const careTeam = loader(async (ids: readonly string[]) => {
    const k = keyParam(ids, "bigint");
    // The doctors' member rows come along (one statement, one round trip less) and prime `member`.
    const r = await rows<CareTeamRow & Partial<MemberRow>>(
      `SELECT ${CARE_TEAM_COLUMNS} FROM treatment_doctor d LEFT JOIN member m ON m.account = d.doctor
        WHERE d.treatment_id ${k.match}
        ORDER BY d.treatment_id, d.assigned_block, d.doctor`,
      [k.value],
    );
    for (const row of r) if (row.account) member.prime(row.account, row as MemberRow);
    return groupBy(r, (x) => x.treatmentId);
  }, [] as CareTeamRow[]);

  const attachments = loader(async (ids: readonly string[]) => {
    const k = keyParam(ids, "bigint");
    const r = await rows<AttachmentRow>(
      `SELECT ${ATTACHMENT_COLUMNS} FROM attachment a JOIN file_verification f ON f.cid = a.cid
        JOIN event_block ab ON ab.number = a.block_number
        WHERE a.treatment_id ${k.match}
        ORDER BY a.treatment_id, a.block_number, a.log_index`,
      [k.value],
    );
    return groupBy(r, (x) => x.treatmentId);
  }, [] as AttachmentRow[]);

  const patientTreatments = family(
    ({ scope, limit, after }: { scope: ClinicalScope; limit: number; after: [string, string] | null }) =>
      loader(async (refs: readonly string[]) => {
        const k = keyParam(refs, "text");
        const params: unknown[] = [k.value, limit + 1];
        const visible = treatmentVisibleSql(scope, "t", params);
        let cursor = "";
        if (after) {
          params.push(after[0], after[1]);
          cursor = `AND (t.opened_at, t.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`;
        }
        // A patient's history is the hot path (a clinician opening a record): the page comes with
        // each treatment's hospital, care team and attachments, which prime their loaders, so the
        // whole history takes one statement and one round trip.
        const r = await rows<TreatmentRow & Embedded & { key: string }>(
          `SELECT k.ref AS key, t.*,
                  (SELECT row_to_json(h) FROM (SELECT ${HOSPITAL_COLUMNS} FROM hospital h
                     WHERE h.id = t."hospitalId") h) AS "embeddedHospital",
                  (SELECT coalesce(json_agg(c), '[]') FROM (SELECT ${CARE_TEAM_COLUMNS}
                     FROM treatment_doctor d LEFT JOIN member m ON m.account = d.doctor
                    WHERE d.treatment_id = t.id::bigint ORDER BY d.assigned_block, d.doctor) c) AS "embeddedCareTeam",
                  (SELECT coalesce(json_agg(a), '[]') FROM (SELECT ${ATTACHMENT_COLUMNS}
                     FROM attachment a JOIN file_verification f ON f.cid = a.cid
                     JOIN event_block ab ON ab.number = a.block_number
                    WHERE a.treatment_id = t.id::bigint ORDER BY a.block_number, a.log_index) a) AS "embeddedAttachments"
             FROM ${k.table("k", "ref")}
             CROSS JOIN LATERAL (
               SELECT ${TREATMENT_COLUMNS} FROM treatment t
                WHERE t.patient_ref = k.ref AND ${visible} ${cursor}
                ORDER BY t.opened_at DESC, t.id DESC
                LIMIT $2) t`,
          params,
        );
        for (const row of r) {
          const { embeddedHospital, embeddedCareTeam, embeddedAttachments } = row;
          if (embeddedHospital) hospital.prime(row.hospitalId, embeddedHospital);
          careTeam.prime(row.id, embeddedCareTeam);
          for (const c of embeddedCareTeam) if (c.account) member.prime(c.account, c as MemberRow);
          attachments.prime(row.id, embeddedAttachments);
          delete (row as Partial<Embedded>).embeddedHospital;
          delete (row as Partial<Embedded>).embeddedCareTeam;
          delete (row as Partial<Embedded>).embeddedAttachments;
        }
        return groupBy(r, (x) => x.key);
      }, [] as TreatmentRow[]),
  );

  return {
    hospital,
    careTeam,
    attachments,
    patient: loader(async (refs) => {
      const k = keyParam(refs, "text");
      const r = await rows<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patient p WHERE p.ref ${k.match}`, [
        k.value,
      ]);
      return byKey(r, (x) => x.ref);
    }, null),

    member,

    treatment: loader(async (ids) => {
      const k = keyParam(ids, "bigint");
      const r = await rows<TreatmentRow>(
        `SELECT ${TREATMENT_COLUMNS} FROM treatment t WHERE t.id ${k.match}`,
        [k.value],
      );
      return byKey(r, (x) => x.id);
    }, null),

    patientVersions: loader(async (refs) => {
      const k = keyParam(refs, "text");
      const r = await rows<PatientVersionRow>(
        `SELECT ${PATIENT_VERSION_COLUMNS} FROM patient_history h JOIN event_block hb ON hb.number = h.block_number
          WHERE h.patient_ref ${k.match}
          ORDER BY h.patient_ref, h.block_number, h.log_index`,
        [k.value],
      );
      return groupBy(r, (x) => x.patientRef);
    }, []),

    vitals: family(
      ({ scope, by, query }: { scope: ClinicalScope; by: "treatment" | "patient"; query: VitalsQuery }) =>
        loader(
          (keys: readonly string[]) => vitalsSeriesBatch(pool, scope, by, keys, query),
          [] as VitalRow[],
        ),
    ),
    latestVitals: family((scope: ClinicalScope) =>
      loader(async (refs) => {
        const k = keyParam(refs, "text");
        const params: unknown[] = [k.value];
        const visible = treatmentVisibleSql(scope, "t", params);
        const r = await rows<VitalRow & { patientRef: string }>(
          `SELECT k.ref AS "patientRef", v.*
             FROM ${k.table("k", "ref")}
             CROSS JOIN LATERAL (
               -- The latest reading of each visible treatment (vital is indexed by treatment), then
               -- the latest of those.
               SELECT v.* FROM treatment t
                CROSS JOIN LATERAL (
                  SELECT ${VITAL_COLUMNS}, v.log_index
                    FROM vital v WHERE v.treatment_id = t.id AND v.block_number >= t.opened_block
                   ORDER BY v.measured_at DESC, v.block_number DESC, v.log_index DESC
                   LIMIT 1) v
                WHERE t.patient_ref = k.ref AND ${visible}
                ORDER BY v.time DESC, v."blockNumber"::bigint DESC, v.log_index DESC
                LIMIT 1) v`,
          params,
        );
        return byKey(r, (x) => x.patientRef);
      }, null),
    ),

    patientTreatments: (scope, page) => patientTreatments({ scope, ...page }),

    timeline: family(({ limit, after }: { limit: number; after: [string, number] | null }) =>
      loader(async (ids) => {
        const k = keyParam(ids, "bigint");
        const params: unknown[] = [k.value, limit + 1];
        let cursor = "";
        if (after) {
          params.push(after[0], after[1]);
          cursor = `AND (e.block_number, e.log_index) > ($3::bigint, $4::int)`;
        }
        // The events of event_log, each kind limited on its own through its index, then merged:
        // a limit over the view itself would sort every vital of the treatment for each page.
        // No event of a treatment precedes its opening: the block-range partitions before it are
        // pruned at run time.
        const page = (source: string) =>
          `(SELECT ${LOG_COLUMNS} FROM ${source} e
             WHERE e.treatment_id = k.id AND e.block_number >= o.opened_block ${cursor}
             ORDER BY e.block_number, e.log_index
             LIMIT $2)`;
        const r = await rows<EventRow & { key: string }>(
          `SELECT k.id::text AS key, e.*
             FROM ${k.table("k", "id")}
             CROSS JOIN LATERAL (SELECT t.opened_block FROM treatment t WHERE t.id = k.id) o
             CROSS JOIN LATERAL (
               SELECT ${EVENT_COLUMNS}
                 FROM (${page("event_record")} UNION ALL ${page("vital_event")}) e
                 JOIN event_block b ON b.number = e.block_number
                ORDER BY e.block_number, e.log_index
                LIMIT $2) e`,
          params,
        );
        return groupBy(r, (x) => x.key);
      }, []),
    ),
  };
}
