/**
 * The store's row types are generated from prisma/schema.prisma (shared/db/generated/tables.ts):
 * times are unix seconds, dates days since 1970-01-01, enums their database labels. Re-exported
 * here under the names the store has always used.
 */
export type {
  GlobalRole as GlobalRoleLabel,
  HospitalRow,
  MemberKind as MemberKindLabel,
  MemberRow,
  PatientRow,
  RoleGrantRow,
  Sex as SexLabel,
  Stage as StageLabel,
  TreatmentDoctorRow,
  TreatmentRow,
} from "../../shared/db/generated/tables.ts";
