/**
 * Patients, treatments, vitals, attachments. Every resolver that discloses identified records
 * records them in the request's audit log (written before the response leaves).
 */
import type { GraphQLResolveInfo } from "graphql";
import { ForbiddenError, ValidationError } from "../../shared/errors.ts";
import { parseIcd10 } from "../../shared/reference/icd10.ts";
import { icd10Name } from "../../shared/reference/icd10-names.ts";
import { type ClinicalScope, patientVisibleSql, requireClinical, requireViewer } from "../auth/policy.ts";
import type { ApiContext } from "../context.ts";
import type {
  AttachmentRow,
  CareTeamRow,
  EventRow,
  PatientRow,
  TreatmentRow,
  VitalRow,
} from "../data/rows.ts";
import { searchTreatments, type TreatmentOrder, treatmentVisible } from "../data/treatments.ts";
import type { VitalsBucket } from "../data/vitals.ts";
import { loadersOf } from "../loaders.ts";
import { decodeCursor, type PageArgs, pageSize, toConnection } from "../pagination.ts";
import { childFieldArgs } from "./lookahead.ts";
import { districtRegion, stateRegion } from "./meta.ts";

const DEFAULT_SERIES_POINTS = 500;
const MAX_SERIES_POINTS = 2_000;

interface PatientArgs {
  aadhaar?: string | null;
  ref?: string | null;
}

/** Exactly one of Aadhaar (hashed here, on arrival) or reference. */
function patientRefOf(ctx: ApiContext, args: PatientArgs, field: string): string {
  const hasAadhaar = args.aadhaar !== undefined && args.aadhaar !== null;
  const hasRef = args.ref !== undefined && args.ref !== null;
  if (hasAadhaar === hasRef)
    throw new ValidationError(`${field}: give either an Aadhaar number or a reference`);
  return hasAadhaar ? ctx.settings.referenceOf(args.aadhaar!) : args.ref!;
}

async function patientVisible(ctx: ApiContext, scope: ClinicalScope, ref: string): Promise<boolean> {
  if (scope.kind === "STAFF") return true;
  const params: unknown[] = [ref];
  const visible = patientVisibleSql(scope, "$1", params);
  const { rows } = await ctx.readPool.query<{ ok: boolean }>(`SELECT ${visible} AS ok`, params);
  return rows[0]?.ok === true;
}

function seriesQuery(args: SeriesArgs) {
  const limit = args.maxPoints ?? DEFAULT_SERIES_POINTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SERIES_POINTS) {
    throw new ValidationError(`maxPoints must be 1..${MAX_SERIES_POINTS}`);
  }
  if (args.from && args.to && args.from >= args.to) throw new ValidationError("`from` must be before `to`");
  return { from: args.from ?? undefined, to: args.to ?? undefined, bucket: args.bucket ?? "RAW", limit };
}

interface SeriesArgs {
  from?: Date | null;
  to?: Date | null;
  bucket?: VitalsBucket | null;
  maxPoints?: number | null;
}

interface TreatmentFilterInput {
  patientAadhaar?: string | null;
  patientRef?: string | null;
  hospitalId?: number | null;
  doctor?: string | null;
  stages?: string[] | null;
  diagnosis?: string | null;
  diagnosisCategory?: string | null;
  diagnosisChapter?: number | null;
  openedFrom?: Date | null;
  openedTo?: Date | null;
}

const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** A 3-character ICD-10 category ("E11"), normalized; BAD_USER_INPUT otherwise. */
function icd10CategoryOf(input: string): string {
  const code = parseIcd10(input);
  if (code.includes(".")) {
    throw new ValidationError(
      `diagnosisCategory is a 3-character ICD-10 category such as E11, not a code (${code})`,
    );
  }
  return code;
}

function treatmentsPage(ctx: ApiContext, args: PageArgs) {
  const size = pageSize(args, ctx.settings);
  const after = args.after ? (decodeCursor(args.after, 2) as [string, string]) : null;
  return { size, after };
}

/** Starts loading `patient { treatments(…) }` together with the patient (see lookahead.ts). */
function prefetchTreatments(
  ctx: ApiContext,
  scope: ClinicalScope,
  ref: string,
  info: GraphQLResolveInfo,
): void {
  const args = childFieldArgs(info, "Patient", "treatments") as PageArgs | null;
  if (!args) return;
  try {
    const { size, after } = treatmentsPage(ctx, args);
    // Errors surface (or not) when Patient.treatments awaits the same promise.
    loadersOf(ctx)
      .patientTreatments(scope, { limit: size, after })
      .load(ref)
      .catch(() => undefined);
  } catch {
    // Bad arguments: Patient.treatments reports them.
  }
}
const treatmentKey = (t: TreatmentRow) => [t.openedAt.toISOString(), t.id];
const eventKey = (e: EventRow) => [e.blockNumber, e.logIndex];

export const clinicalResolvers = {
  Query: {
    /**
     * A doctor gets the same answer for a patient they do not treat and for an Aadhaar number
     * nobody registered (FORBIDDEN, after the same statements): an answer that differed would tell
     * doctors who is registered. Every refused lookup is audited (outcome REFUSED).
     */
    patient: async (_: unknown, args: PatientArgs, ctx: ApiContext, info: GraphQLResolveInfo) => {
      requireViewer(ctx);
      const ref = patientRefOf(ctx, args, "patient");
      const lookup = args.aadhaar ? "aadhaar" : "ref";
      const refuse = async (error: ForbiddenError, reason: string) => {
        await ctx.audit.record({
          operation: "patient",
          recordType: "PATIENT",
          recordIds: [ref],
          outcome: "REFUSED",
          details: { lookup, reason },
        });
        return error;
      };
      let scope: ClinicalScope;
      try {
        scope = requireClinical(ctx, "reading a patient");
      } catch (error) {
        throw error instanceof ForbiddenError ? await refuse(error, "role") : error;
      }
      prefetchTreatments(ctx, scope, ref, info);
      const [patient, visible] = await Promise.all([
        loadersOf(ctx).patient.load(ref),
        patientVisible(ctx, scope, ref),
      ]);
      if (!visible) {
        throw await refuse(
          new ForbiddenError("doctors may read only patients they are treating, and no such patient matches"),
          "not treating",
        );
      }
      if (!patient) return null;
      await ctx.audit.record({
        operation: "patient",
        recordType: "PATIENT",
        recordIds: [ref],
        details: { lookup },
      });
      return patient;
    },

    treatments: async (
      _: unknown,
      args: PageArgs & { filter?: TreatmentFilterInput | null; orderBy?: TreatmentOrder | null },
      ctx: ApiContext,
    ) => {
      const scope = requireClinical(ctx, "reading treatments");
      const f = args.filter ?? {};
      const size = pageSize(args, ctx.settings);
      let patientRef = opt(f.patientRef);
      if (f.patientAadhaar !== undefined && f.patientAadhaar !== null) {
        if (patientRef !== undefined)
          throw new ValidationError("filter: give patientAadhaar or patientRef, not both");
        patientRef = ctx.settings.referenceOf(f.patientAadhaar);
      }
      const after = args.after ? (decodeCursor(args.after, 2) as [string, string]) : null;
      const rows = await searchTreatments(
        ctx.readPool,
        scope,
        {
          patientRef,
          hospitalId: opt(f.hospitalId),
          doctor: opt(f.doctor),
          stages: opt(f.stages),
          diagnosis: f.diagnosis == null ? undefined : parseIcd10(f.diagnosis),
          diagnosisCategory: f.diagnosisCategory == null ? undefined : icd10CategoryOf(f.diagnosisCategory),
          diagnosisChapter: opt(f.diagnosisChapter),
          openedFrom: opt(f.openedFrom),
          openedTo: opt(f.openedTo),
        },
        { limit: size, after, order: args.orderBy ?? "OPENED_AT_DESC" },
      );
      const page = toConnection(rows, size, treatmentKey);
      const filters = Object.keys(f).filter((k) => f[k as keyof TreatmentFilterInput] != null);
      await ctx.audit.record({
        operation: "treatments",
        recordType: "TREATMENT",
        recordIds: page.nodes.map((t) => t.id),
        details: { filters: filters.map((k) => (k === "patientAadhaar" ? "patientRef" : k)) },
      });
      return page;
    },

    treatment: async (_: unknown, args: { id: string }, ctx: ApiContext) => {
      const scope = requireClinical(ctx, "reading a treatment");
      const visible = await treatmentVisible(ctx.readPool, scope, args.id);
      if (visible === null) return null;
      if (!visible) {
        await ctx.audit.record({
          operation: "treatment",
          recordType: "TREATMENT",
          recordIds: [args.id],
          outcome: "REFUSED",
          details: { reason: scope.kind === "DOCTOR" ? "not treating" : "other hospital" },
        });
        throw new ForbiddenError(`treatment ${args.id} is not one you may read`);
      }
      await ctx.audit.record({ operation: "treatment", recordType: "TREATMENT", recordIds: [args.id] });
      return loadersOf(ctx).treatment.load(args.id);
    },
  },

  Patient: {
    ageYears: (p: PatientRow) => {
      const [y, m, d] = p.birthDate.split("-").map(Number) as [number, number, number];
      const now = new Date();
      let age = now.getUTCFullYear() - y;
      if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--;
      return age;
    },
    state: (p: PatientRow) => stateRegion(p.stateCode),
    district: (p: PatientRow) => districtRegion(p.districtCode),
    registeredHospital: (p: PatientRow, _: unknown, ctx: ApiContext) =>
      loadersOf(ctx).hospital.load(p.registeredHospitalId),
    history: (p: PatientRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).patientVersions.load(p.ref),
    treatments: async (p: PatientRow, args: PageArgs, ctx: ApiContext) => {
      const scope = requireClinical(ctx, "reading treatments");
      const { size, after } = treatmentsPage(ctx, args);
      const rows = await loadersOf(ctx).patientTreatments(scope, { limit: size, after }).load(p.ref);
      const page = toConnection(rows, size, treatmentKey);
      await ctx.audit.record({
        operation: "Patient.treatments",
        recordType: "TREATMENT",
        recordIds: page.nodes.map((t) => t.id),
      });
      return page;
    },
    latestVitals: async (p: PatientRow, _: unknown, ctx: ApiContext) => {
      const scope = requireClinical(ctx, "reading vitals");
      const latest = await loadersOf(ctx).latestVitals(scope).load(p.ref);
      if (latest)
        await ctx.audit.record({
          operation: "Patient.latestVitals",
          recordType: "VITALS",
          recordIds: [p.ref],
        });
      return latest;
    },
    vitals: async (p: PatientRow, args: SeriesArgs, ctx: ApiContext) => {
      const scope = requireClinical(ctx, "reading vitals");
      const rows = await loadersOf(ctx)
        .vitals({ scope, by: "patient", query: seriesQuery(args) })
        .load(p.ref);
      if (rows.length > 0)
        await ctx.audit.record({ operation: "Patient.vitals", recordType: "VITALS", recordIds: [p.ref] });
      return rows;
    },
  },

  PatientVersion: {
    state: (v: { stateCode: number }) => stateRegion(v.stateCode),
    district: (v: { districtCode: number }) => districtRegion(v.districtCode),
    time: (v: { blockTime: Date }) => v.blockTime,
  },

  Treatment: {
    patient: async (t: TreatmentRow, _: unknown, ctx: ApiContext) => {
      await ctx.audit.record({
        operation: "Treatment.patient",
        recordType: "PATIENT",
        recordIds: [t.patientRef],
      });
      return loadersOf(ctx).patient.load(t.patientRef);
    },
    hospital: (t: TreatmentRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).hospital.load(t.hospitalId),
    diagnosis: (t: TreatmentRow) =>
      t.diagnosis === null
        ? null
        : {
            code: t.diagnosis,
            category: t.diagnosisCategory ?? t.diagnosis.slice(0, 3),
            chapter: t.diagnosisChapter,
            name: icd10Name(t.diagnosis) ?? null,
          },
    careTeam: (t: TreatmentRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).careTeam.load(t.id),
    attachments: (t: TreatmentRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).attachments.load(t.id),
    timeline: async (t: TreatmentRow, args: PageArgs, ctx: ApiContext) => {
      const size = pageSize(args, ctx.settings);
      const after = args.after ? (decodeCursor(args.after, 2) as [string, number]) : null;
      const rows = await loadersOf(ctx).timeline({ limit: size, after }).load(t.id);
      await ctx.audit.record({ operation: "Treatment.timeline", recordType: "TREATMENT", recordIds: [t.id] });
      return toConnection(rows, size, eventKey);
    },
    vitals: async (t: TreatmentRow, args: SeriesArgs, ctx: ApiContext) => {
      const scope = requireClinical(ctx, "reading vitals");
      const rows = await loadersOf(ctx)
        .vitals({ scope, by: "treatment", query: seriesQuery(args) })
        .load(t.id);
      if (rows.length > 0)
        await ctx.audit.record({ operation: "Treatment.vitals", recordType: "VITALS", recordIds: [t.id] });
      return rows;
    },
  },

  CareTeamMember: {
    doctor: (c: CareTeamRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).member.load(c.doctor),
  },

  TimelineEvent: {
    time: (e: EventRow) => e.blockTime,
    // Batched with every other member of the request (one statement per level).
    actorMember: (e: EventRow, _: unknown, ctx: ApiContext) =>
      e.actor ? loadersOf(ctx).member.load(e.actor) : null,
    accountMember: (e: EventRow, _: unknown, ctx: ApiContext) =>
      e.account ? loadersOf(ctx).member.load(e.account) : null,
  },

  DocumentReference: {
    attachedBy: (a: AttachmentRow) => a.actor,
    attachedByMember: (a: AttachmentRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).member.load(a.actor),
    attachedAt: (a: AttachmentRow) => a.blockTime,
    verification: (a: AttachmentRow) => ({
      status: a.status,
      sizeBytes: a.sizeBytes,
      contentType: a.contentType,
      verifiedAt: a.verifiedAt,
    }),
    url: (a: AttachmentRow) => (a.status === "VERIFIED" ? `/files/${encodeURIComponent(a.cid)}` : null),
  },

  Observation: {
    temperatureC: (v: VitalRow) => (v.temperatureCentiC === null ? null : v.temperatureCentiC / 100),
    systolicMmHg: (v: VitalRow) => v.systolicMmHg,
    diastolicMmHg: (v: VitalRow) => v.diastolicMmHg,
    heartRateBpm: (v: VitalRow) => v.heartRateBpm,
    spo2Percent: (v: VitalRow) => (v.spo2Permille === null ? null : v.spo2Permille / 10),
  },
};
