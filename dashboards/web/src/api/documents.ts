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
    }
  }
`);

export interface Attachment {
  kind: string;
  cid: string;
  attachedBy: Hex;
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

export interface TimelineEvent {
  name: string;
  time: string;
  actor: Hex | null;
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
  careTeam: { doctor: { account: Hex; specialty: { name: string } | null }; assignedAt: string }[];
  attachments: Attachment[];
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
      careTeam { doctor { account specialty { name } } assignedAt }
      attachments {
        kind cid attachedBy attachedAt blockNumber txHash url
        verification { status sizeBytes contentType verifiedAt }
      }
      timeline(first: 100, after: $after) {
        nodes { name time actor account blockNumber logIndex txHash args }
        pageInfo { hasNextPage endCursor }
      }
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

export interface DatasetInput {
  from: string;
  to: string;
  diagnosis: DiagnosisFilter | null;
  region: { states?: number[]; districts?: number[] } | null;
  diagnosisGranularity: "CODE" | "CATEGORY";
  ageGranularity: "AGE_5_YEARS" | "AGE_10_YEARS" | "AGE_20_YEARS";
  regionGranularity: "DISTRICT" | "STATE";
  periodGranularity: "WEEK" | "MONTH" | "QUARTER" | "YEAR";
  k: number;
  maxSuppressionPercent: number;
}

export interface DatasetRow {
  pseudonym: string;
  ageBand: string;
  sex: string;
  region: { level: string; stateName: string | null; districtName: string | null };
  period: string;
  diagnosis: string | null;
  stage: string;
  lengthOfStayDays: number | null;
  verifiedAttachments: number;
}

export interface Dataset {
  id: string;
  createdAt: string;
  k: number;
  achievedK: number | null;
  generalization: { age: string; sex: string; region: string; period: string };
  candidateRows: number;
  rowCount: number;
  suppressedRows: number;
  classes: number;
  informationLoss: number;
  quasiIdentifiers: string[];
  exportPath: string;
  rows: { totalCount: number; nodes: DatasetRow[] };
}

export const CREATE_DATASET = gqlDocument<{ createDeidentifiedDataset: Dataset }, { input: DatasetInput }>(`
  mutation CreateDataset($input: DatasetInput!) {
    createDeidentifiedDataset(input: $input) {
      id createdAt k achievedK
      generalization { age sex region period }
      candidateRows rowCount suppressedRows classes informationLoss quasiIdentifiers exportPath
      rows(first: 25) {
        totalCount
        nodes {
          pseudonym ageBand sex period diagnosis stage lengthOfStayDays verifiedAttachments
          region { level stateName districtName }
        }
      }
    }
  }
`);
