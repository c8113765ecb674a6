/** Hospitals, members, doctors, role grants and the audit log. */
import type { AuditOutcome, AuditRecordType } from "../../prisma/generated/enums.ts";
import { ValidationError } from "../../shared/errors.ts";
import { getSpecialty } from "../../shared/reference/specialties.ts";
import { DIRECTORY_ROLES, OVERSIGHT_ROLES, requireRole, requireViewer } from "../auth/policy.ts";
import type { ApiContext } from "../context.ts";
import { searchAuditEvents } from "../data/audit.ts";
import { type MemberSearch, searchHospitals, searchMembers, searchRoleGrants } from "../data/directory.ts";
import type { HospitalRow, MemberRow, RoleGrantRow } from "../data/rows.ts";
import { loadersOf } from "../loaders.ts";
import { decodeCursor, type PageArgs, pageSize, toConnection } from "../pagination.ts";
import { districtRegion, stateRegion } from "./meta.ts";

type Nullable<T> = { [K in keyof T]?: T[K] | null };
const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);
/** PostgreSQL's bigint maximum. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;
const memberKey = (m: MemberRow) => [m.registeredBlock, m.account];

async function members(ctx: ApiContext, search: MemberSearch, args: PageArgs, operation: string) {
  const size = pageSize(args, ctx.settings);
  const after = args.after ? (decodeCursor(args.after, 2) as [string, string]) : null;
  const rows = await searchMembers(ctx.readPool, search, { limit: size, after });
  const page = toConnection(rows, size, memberKey);
  await ctx.audit.record({ operation, recordType: "MEMBER", recordIds: page.nodes.map((m) => m.account) });
  return page;
}

export const directoryResolvers = {
  Query: {
    hospitals: async (
      _: unknown,
      args: PageArgs & { stateCode?: number | null; districtCode?: number | null },
      ctx: ApiContext,
    ) => {
      requireViewer(ctx);
      const size = pageSize(args, ctx.settings);
      const after = args.after ? Number(decodeCursor(args.after, 1)[0]) : null;
      const rows = await searchHospitals(
        ctx.readPool,
        { stateCode: opt(args.stateCode), districtCode: opt(args.districtCode) },
        { limit: size, after },
      );
      return toConnection(rows, size, (h) => [h.id]);
    },
    hospital: (_: unknown, args: { id: number }, ctx: ApiContext) => {
      requireViewer(ctx);
      return loadersOf(ctx).hospital.load(args.id);
    },
    members: (_: unknown, args: PageArgs & { filter?: Nullable<MemberSearch> | null }, ctx: ApiContext) => {
      requireRole(ctx, DIRECTORY_ROLES, "the member list");
      const f = args.filter ?? { active: true };
      return members(
        ctx,
        {
          kind: opt(f.kind),
          hospitalId: opt(f.hospitalId),
          active: opt(f.active),
          specialty: opt(f.specialty),
          stateCode: opt(f.stateCode),
          districtCode: opt(f.districtCode),
        },
        args,
        "members",
      );
    },
    member: async (_: unknown, args: { account: string }, ctx: ApiContext) => {
      requireRole(ctx, DIRECTORY_ROLES, "a member");
      const member = await loadersOf(ctx).member.load(args.account);
      if (member)
        await ctx.audit.record({ operation: "member", recordType: "MEMBER", recordIds: [member.account] });
      return member;
    },
    doctors: (
      _: unknown,
      args: PageArgs &
        Nullable<{ specialty: number; stateCode: number; districtCode: number; hospitalId: number }>,
      ctx: ApiContext,
    ) => {
      requireRole(ctx, DIRECTORY_ROLES, "the doctor directory");
      return members(
        ctx,
        {
          kind: "DOCTOR",
          active: true,
          specialty: opt(args.specialty),
          stateCode: opt(args.stateCode),
          districtCode: opt(args.districtCode),
          hospitalId: opt(args.hospitalId),
        },
        args,
        "doctors",
      );
    },
    roleGrants: async (
      _: unknown,
      args: PageArgs & { filter?: Nullable<{ role: string; account: string; active: boolean }> | null },
      ctx: ApiContext,
    ) => {
      requireRole(ctx, OVERSIGHT_ROLES, "role grants");
      const f = args.filter ?? {};
      const size = pageSize(args, ctx.settings);
      const after = args.after ? (decodeCursor(args.after, 2) as [string, string]) : null;
      const rows = await searchRoleGrants(
        ctx.readPool,
        { role: opt(f.role), account: opt(f.account), active: opt(f.active) },
        { limit: size, after },
      );
      const page = toConnection(rows, size, (g) => [g.account, g.roleId]);
      await ctx.audit.record({
        operation: "roleGrants",
        recordType: "ROLE_GRANT",
        recordIds: page.nodes.map((g) => `${g.account}:${g.role}`),
      });
      return page;
    },
    auditEvents: async (
      _: unknown,
      args: PageArgs & {
        filter?: Nullable<{
          viewer: string;
          recordType: string;
          recordId: string;
          operation: string;
          requestId: string;
          clientRequestId: string;
          outcome: string;
          from: Date;
          to: Date;
        }> | null;
      },
      ctx: ApiContext,
    ) => {
      requireRole(ctx, OVERSIGHT_ROLES, "the access audit log");
      const f = args.filter ?? {};
      const size = pageSize(args, ctx.settings);
      const after = args.after ? String(decodeCursor(args.after, 1)[0]) : null;
      if (after !== null && !(/^\d{1,19}$/.test(after) && BigInt(after) <= MAX_BIGINT)) {
        throw new ValidationError("invalid cursor: pass back an endCursor from a previous page");
      }
      const rows = await searchAuditEvents(
        ctx.prisma,
        {
          viewer: opt(f.viewer),
          recordType: opt(f.recordType) as AuditRecordType | undefined,
          recordId: opt(f.recordId),
          operation: opt(f.operation),
          requestId: opt(f.requestId),
          clientRequestId: opt(f.clientRequestId),
          outcome: opt(f.outcome) as AuditOutcome | undefined,
          from: opt(f.from),
          to: opt(f.to),
        },
        { limit: size, after: after === null ? null : BigInt(after) },
      );
      const page = toConnection(rows, size, (a) => [a.id]);
      await ctx.audit.record({
        operation: "auditEvents",
        recordType: "AUDIT_LOG",
        recordIds: page.nodes.map((a) => a.id),
      });
      return page;
    },
  },

  Hospital: {
    state: (h: HospitalRow) => stateRegion(h.stateCode),
    district: (h: HospitalRow) => districtRegion(h.districtCode),
  },

  Member: {
    hospital: (m: MemberRow, _: unknown, ctx: ApiContext) => loadersOf(ctx).hospital.load(m.hospitalId),
    specialty: (m: MemberRow) => (m.specialty === null ? null : (getSpecialty(m.specialty) ?? null)),
  },

  RoleGrant: {
    role: (g: RoleGrantRow) => g.role,
  },
};
