/**
 * Rows as resolvers see them: camelCase, bigints and block numbers as decimal strings,
 * timestamps as Date, dates as "YYYY-MM-DD", enums as their labels. Each type is the row its
 * SELECT list produces, both derived from prisma/schema.prisma (shared/db/select.ts), so every
 * query returns the same shape and no row type is written by hand.
 */
import { TABLE } from "../../shared/db/generated/tables.ts";
import {
  columnName,
  combine,
  type Nullable,
  type SelectedRow,
  select,
  selectAs,
  selectExcept,
} from "../../shared/db/select.ts";

/** A treatment as the API shows it: without the patient snapshot, which only aggregates read. */
const TREATMENT = selectExcept(TABLE.treatment, "t", [
  "patientSex",
  "patientAgeBand",
  "patientAgeYears",
  "patientState",
  "patientDistrict",
]);
export type TreatmentRow = SelectedRow<typeof TREATMENT>;
export const TREATMENT_COLUMNS = TREATMENT.sql;

const PATIENT = selectExcept(TABLE.patient, "p", ["registeredBlock", "updatedBlock"]);
export type PatientRow = SelectedRow<typeof PATIENT>;
export const PATIENT_COLUMNS = PATIENT.sql;

/** A version of patient_history `h`, its block's time from event_block `hb`. */
const PATIENT_VERSION = combine(
  selectExcept(TABLE.patientHistory, "h", []),
  selectAs(TABLE.eventBlock, "hb", { time: "blockTime" }),
);
export type PatientVersionRow = SelectedRow<typeof PATIENT_VERSION>;
export const PATIENT_VERSION_COLUMNS = PATIENT_VERSION.sql;

/** A hospital (the exact bytes of a name that is not text stay in the table: `name` is escaped). */
const HOSPITAL = selectExcept(TABLE.hospital, "h", ["rawName"]);
export type HospitalRow = SelectedRow<typeof HOSPITAL>;
export const HOSPITAL_COLUMNS = HOSPITAL.sql;

const MEMBER = selectExcept(TABLE.member, "m", []);
export type MemberRow = SelectedRow<typeof MEMBER>;
export const MEMBER_COLUMNS = MEMBER.sql;

/** A doctor of a treatment's care team (treatment_doctor `d`) with their member row (`m`, outer-joined). */
const CARE_TEAM = selectExcept(TABLE.treatmentDoctor, "d", []);
export type CareTeamRow = SelectedRow<typeof CARE_TEAM> & Nullable<MemberRow>;
export const CARE_TEAM_COLUMNS = `${CARE_TEAM.sql}, ${MEMBER_COLUMNS}`;

/** An attachment (`a`) with its block's time (event_block `ab`) and its file's verification (`f`). */
const ATTACHMENT = combine(
  selectExcept(TABLE.attachment, "a", ["rawCid"]),
  selectAs(TABLE.eventBlock, "ab", { time: "blockTime" }),
  select(TABLE.fileVerification, "f", ["status", "sizeBytes", "contentType", "verifiedAt", "lastError"]),
);
export type AttachmentRow = SelectedRow<typeof ATTACHMENT>;
export const ATTACHMENT_COLUMNS = ATTACHMENT.sql;

/**
 * An event of a treatment's timeline (`e`): a row of event_record, or a vital as the view
 * vital_event shows it (its args rebuilt from `vital`), in the same columns; its block's hash and
 * time from event_block `b`.
 */
const EVENT = combine(
  selectExcept(TABLE.eventRecord, "e", []),
  selectAs(TABLE.eventBlock, "b", { hash: "blockHash", time: "blockTime" }),
);
export type EventRow = SelectedRow<typeof EVENT>;

/**
 * The columns every event source has, in one order: the table event_record and the view
 * vital_event (a vital's args rebuilt from `vital`).
 */
export const LOG_COLUMNS = TABLE.eventRecord.columns.map((c) => `e.${c.name}`).join(", ");

/** Those columns as an EventRow, joined with event_block `b`. */
export const EVENT_COLUMNS = EVENT.sql;

/** The measurements of a reading (each NULL when not taken). */
const VITAL_MEASURES = [
  "temperatureCentiC",
  "systolicMmHg",
  "diastolicMmHg",
  "heartRateBpm",
  "spo2Permille",
] as const;
const VITAL = select(TABLE.vital, "v", ["treatmentId", "recorder", "blockNumber", ...VITAL_MEASURES]);
/**
 * A point of a vitals series: one reading of `vital v` (its time is `measured_at`) or, bucketed,
 * the averages of a bucket (then without treatment, recorder and block).
 */
export type VitalRow = { time: Date; count: number } & Nullable<SelectedRow<typeof VITAL>>;
/** One reading as a VitalRow. */
export const VITAL_COLUMNS = `v.measured_at AS time, ${VITAL.sql}, 1 AS count`;
/** The readings of a bucket (rows of `vital v`, grouped) as a VitalRow, without `time`. */
export const VITAL_AVERAGES = [
  ...VITAL_MEASURES.map((f) => `avg(v.${columnName(TABLE.vital, f)})::float8 AS "${f}"`),
  `count(*)::int AS count, NULL AS "treatmentId", NULL AS recorder, NULL AS "blockNumber"`,
].join(", ");

const ROLE_GRANT = selectExcept(TABLE.roleGrant, "g", []);
export type RoleGrantRow = SelectedRow<typeof ROLE_GRANT>;
export const ROLE_GRANT_COLUMNS = ROLE_GRANT.sql;

export interface AuditEventRow {
  id: string;
  at: Date;
  requestId: string;
  clientRequestId: string | null;
  viewer: string;
  viewerRoles: string[];
  operation: string;
  recordType: string;
  recordIds: string[];
  outcome: string;
  details: unknown;
}
