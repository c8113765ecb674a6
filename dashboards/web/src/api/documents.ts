/** The dashboards' GraphQL documents, each with its hand-written result and variables types. */
import { gqlDocument } from "./graphql.ts";

export type Role = "GOVERNANCE" | "AUDITOR" | "STAFF" | "DOCTOR" | "ANALYST" | "PUBLIC_HEALTH";
export type VerificationStatus = "PENDING" | "VERIFIED" | "INVALID" | "UNAVAILABLE";
type Hex = `0x${string}`;

// ---------------------------------------------------------------------------------------- auth

export const NONCE = gqlDocument<{
  nonce: { nonce: string; chainId: number; domains: string[]; origins: string[]; expiresAt: string };
}>("mutation Nonce { nonce { nonce chainId domains origins expiresAt } }");

export const SIGN_IN = gqlDocument<
  { signIn: { token: string; address: Hex; expiresAt: string; roles: Role[] } },
  { message: string; signature: string }
>(
  "mutation SignIn($message: String!, $signature: String!) { signIn(message: $message, signature: $signature) { token address expiresAt roles } }",
);

export const SIGN_OUT = gqlDocument<{ signOut: boolean }>("mutation SignOut { signOut }");

export const VIEWER = gqlDocument<{
  viewer: { address: Hex; roles: Role[]; hospital: { id: number; name: string } | null } | null;
}>("query Viewer { viewer { address roles hospital { id name } } }");

// ------------------------------------------------------------------------------------ clinical

export interface Region {
  code: number;
  name: string | null;
}

export interface TreatmentSummary {
  id: string;
  stage: string;
  openedAt: string;
  dischargedAt: string | null;
  closedAt: string | null;
  hospital: { id: number; name: string };
  diagnosis: { code: string; name: string | null } | null;
}

/** A downsampled vitals bucket (bucket: AUTO): averages of `count` readings from `time` on. */
export interface VitalsPoint {
  time: string;
  count: number;
  temperatureC: number | null;
  systolicMmHg: number | null;
  diastolicMmHg: number | null;
  heartRateBpm: number | null;
  spo2Percent: number | null;
}

const VITALS_FIELDS = "time count temperatureC systolicMmHg diastolicMmHg heartRateBpm spo2Percent";
/** Points of a vitals chart: about one per 4 px of a 720 px wide plot. */
export const CHART_POINTS = 180;

export interface Patient {
  ref: Hex;
  sex: string;
  bloodGroup: string;
  birthDate: string;
  ageYears: number;
  weightGrams: number;
  heightCm: number;
  state: Region;
  district: Region;
  registeredHospital: { id: number; name: string } | null;
  registeredAt: string;
  updatedAt: string;
  version: number;
  treatments: { nodes: TreatmentSummary[]; pageInfo: { hasNextPage: boolean } };
  vitals: VitalsPoint[];
}

/** By Aadhaar (a variable only: never in a URL or storage) or by the patient's reference. */
export const PATIENT = gqlDocument<{ patient: Patient | null }, { aadhaar?: string; ref?: string }>(`
  query Patient($aadhaar: String, $ref: Bytes32) {
    patient(aadhaar: $aadhaar, ref: $ref) {
      ref sex bloodGroup birthDate ageYears weightGrams heightCm
      state { code name } district { code name }
      registeredHospital { id name } registeredAt updatedAt version
      treatments(first: 50) {
        nodes { id stage openedAt dischargedAt closedAt hospital { id name } diagnosis { code name } }
        pageInfo { hasNextPage }
      }
      vitals(bucket: AUTO, maxPoints: ${CHART_POINTS}) { ${VITALS_FIELDS} }
    }
  }
`);

/** A doctor's current patients: open treatments they are assigned to, newest first. */
export interface CurrentTreatment extends TreatmentSummary {
  patient: { ref: Hex; sex: string; ageYears: number; district: Region; state: Region };
}

export const CURRENT_TREATMENTS = gqlDocument<
  { treatments: { nodes: CurrentTreatment[] } },
  { doctor?: string; hospitalId?: number }
>(`
  query CurrentTreatments($doctor: Address, $hospitalId: Int) {
    treatments(
      filter: { doctor: $doctor, hospitalId: $hospitalId, stages: [ADMITTED, DIAGNOSED, IN_TREATMENT] }
      first: 20
    ) {
      nodes {
        id stage openedAt dischargedAt closedAt hospital { id name } diagnosis { code name }
        patient { ref sex ageYears district { code name } state { code name } }
      }
    }
  }
`);

export interface Attachment {
  kind: string;
  cid: string;
  attachedBy: Hex;
  attachedByMember: MemberInfo | null;
  attachedAt: string;
  blockNumber: string;
  txHash: string;
  url: string | null;
  verification: {
    status: VerificationStatus;
    sizeBytes: string | null;
    contentType: string | null;
    verifiedAt: string | null;
  };
}

/** Who an account is at a hospital (DocTel's member registry). */
export interface MemberInfo {
  account: Hex;
  kind: "STAFF" | "DOCTOR" | "DEVICE";
  hospital: { id: number; name: string };
  specialty: { name: string } | null;
}

export interface TimelineEvent {
  name: string;
  time: string;
  actor: Hex | null;
  actorMember: MemberInfo | null;
  accountMember: MemberInfo | null;
  account: Hex | null;
  blockNumber: string;
  logIndex: number;
  txHash: string;
  args: Record<string, unknown>;
}

export interface Treatment {
  id: string;
  stage: string;
  openedAt: string;
  openedBy: Hex;
  dischargedAt: string | null;
  closedAt: string | null;
  patient: { ref: Hex };
  hospital: { id: number; name: string };
  diagnosis: { code: string; category: string; name: string | null } | null;
  diagnosedAt: string | null;
  careTeam: { doctor: MemberInfo; assignedAt: string }[];
  attachments: Attachment[];
  vitals: VitalsPoint[];
  timeline: { nodes: TimelineEvent[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export const TREATMENT = gqlDocument<{ treatment: Treatment | null }, { id: string; after?: string | null }>(`
  query Treatment($id: BigInt!, $after: String) {
    treatment(id: $id) {
      id stage openedAt openedBy dischargedAt closedAt
      patient { ref }
      hospital { id name }
      diagnosis { code category name }
      diagnosedAt
      careTeam { doctor { account kind hospital { id name } specialty { name } } assignedAt }
      attachments {
        kind cid attachedBy attachedAt blockNumber txHash url
        attachedByMember { account kind hospital { id name } specialty { name } }
        verification { status sizeBytes contentType verifiedAt }
      }
      timeline(first: 100, after: $after) {
        nodes {
          name time actor account blockNumber logIndex txHash args
          actorMember { account kind hospital { id name } specialty { name } }
          accountMember { account kind hospital { id name } specialty { name } }
        }
        pageInfo { hasNextPage endCursor }
      }
      vitals(bucket: AUTO, maxPoints: ${CHART_POINTS}) { ${VITALS_FIELDS} }
    }
  }
`);

// ----------------------------------------------------------------------------------- analytics

export interface DiagnosisFilter {
  codes?: string[];
  categories?: string[];
  chapters?: number[];
  groups?: string[];
}

export interface TrendPoint {
  weekStart: string;
  week: string;
  /** False for a week not published yet: no count, drawn as pending. */
  published: boolean;
  count: number | null;
  suppressed: boolean;
  movingAverage: number | null;
  expected: number | null;
  upperBound: number | null;
  c2Alarm: boolean | null;
  c3Alarm: boolean | null;
}

export interface TrendSeries {
  diagnosisIndex: number;
  diagnosis: { level: string; code: string; label: string | null };
  region: { level: string; code: string; label: string | null };
  total: boolean;
  points: TrendPoint[];
}

/** A node of the published diagnosis hierarchy. */
export interface DiagnosisNode {
  level: "ALL" | "CHAPTER" | "GROUP" | "CATEGORY";
  code?: string;
}

export interface CaseTrendsInput {
  from: string;
  to: string;
  diagnoses: DiagnosisNode[];
  region: { state?: number; district?: number } | null;
  breakdown: "NONE" | "STATE" | "DISTRICT";
}

export const CASE_TRENDS = gqlDocument<
  {
    caseTrends: {
      system: "ISO" | "MMWR";
      from: string;
      to: string;
      movingAverageWeeks: number;
      aberration: { name: string; description: string };
      series: TrendSeries[];
      disclosure: { source: string; rule: string; suppressedCells: number; totalCells: number };
    };
  },
  { input: CaseTrendsInput }
>(`
  query CaseTrends($input: CaseTrendsInput!) {
    caseTrends(input: $input) {
      system from to movingAverageWeeks
      aberration { name description }
      series {
        diagnosisIndex total
        diagnosis { level code label }
        region { level code label }
        points { weekStart week published count suppressed movingAverage expected upperBound c2Alarm c3Alarm }
      }
      disclosure { source rule suppressedCells totalCells }
    }
  }
`);

export interface NoisyCountsInput {
  from: string;
  to: string;
  diagnosis: DiagnosisFilter | null;
  region: { states?: number[]; districts?: number[] } | null;
  groupBy: string[];
  epsilon: number;
}

export const NOISY_COUNTS = gqlDocument<
  {
    noisyCaseCounts: {
      id: string;
      source: string;
      epsilon: number;
      cellHalfWidth: number;
      reused: boolean;
      answeredAt: string;
      cells: { keys: { dimension: string; value: string }[]; count: number; low: number; high: number }[];
      total: { count: number; low: number; high: number };
      budget: {
        weeks: number;
        accountRemaining: number;
        deploymentRemaining: number;
        accountPerWeek: number;
        deploymentPerWeek: number;
      };
    };
  },
  { input: NoisyCountsInput }
>(`
  query NoisyCounts($input: NoisyCaseCountsInput!) {
    noisyCaseCounts(input: $input) {
      id source epsilon cellHalfWidth reused answeredAt
      cells { keys { dimension value } count low high }
      total { count low high }
      budget { weeks accountRemaining deploymentRemaining accountPerWeek deploymentPerWeek }
    }
  }
`);
