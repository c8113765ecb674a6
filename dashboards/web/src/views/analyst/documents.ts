/** The analyst page's GraphQL documents: releases, datasets, limits (graphql/analytics/datasets). */
import { gqlDocument } from "../../api/graphql.ts";

export interface DatasetRegion {
  level: string;
  stateCode: number | null;
  stateName: string | null;
  districtCode: number | null;
  districtName: string | null;
}

/** A released region's name: district, state, or * (national). */
export const regionName = (r: DatasetRegion): string =>
  r.districtName ?? r.stateName ?? (r.level === "NATIONAL" ? "*" : String(r.districtCode ?? r.stateCode));

export interface Release {
  id: string;
  period: string;
  periodKind: string;
  from: string;
  to: string;
  cutAt: string;
  k: number;
  l: number;
  rowCount: number;
  classCount: number;
  chapterRows: number;
  suppressedRows: { approximately: number; roundedTo: number };
  informationLoss: number;
  generalization: { age: string; sex: string; region: string; period: string; diagnosis: string };
  values: { ageBands: string[]; sexes: string[]; periods: string[]; regions: DatasetRegion[] };
}

export interface DatasetUsage {
  windowHours: number;
  datasetsCreated: number;
  datasetLimit: number;
  exports: number;
  exportLimit: number;
}

const REGION = "level stateCode stateName districtCode districtName";

export const RELEASES = gqlDocument<{ datasetReleases: { nodes: Release[] }; datasetUsage: DatasetUsage }>(`
  query Releases {
    datasetReleases(first: 24) {
      nodes {
        id period periodKind from to cutAt k l rowCount classCount chapterRows informationLoss
        suppressedRows { approximately roundedTo }
        generalization { age sex region period diagnosis }
        values { ageBands sexes periods regions { ${REGION} } }
      }
    }
    datasetUsage { windowHours datasetsCreated datasetLimit exports exportLimit }
  }
`);

export interface DatasetInput {
  releaseId: string;
  ageBands: string[] | null;
  sexes: string[] | null;
  states: number[] | null;
  districts: number[] | null;
  periods: string[] | null;
}

export interface DatasetRow {
  pseudonym: string;
  ageBand: string;
  sex: string;
  region: DatasetRegion;
  period: string;
  diagnosis: string | null;
  diagnosisLevel: string;
  stage: string;
  lengthOfStayDays: number | null;
  verifiedAttachments: number;
}

export interface Dataset {
  id: string;
  createdAt: string;
  rowCount: number;
  classCount: number;
  informationLoss: number;
  exportPath: string;
  release: { id: string; period: string; k: number; l: number };
  rows: { totalCount: number; nodes: DatasetRow[] };
}

export const CREATE_DATASET = gqlDocument<{ createDeidentifiedDataset: Dataset }, { input: DatasetInput }>(`
  mutation CreateDataset($input: DatasetInput!) {
    createDeidentifiedDataset(input: $input) {
      id createdAt rowCount classCount informationLoss exportPath
      release { id period k l }
      rows(first: 25) {
        totalCount
        nodes {
          pseudonym ageBand sex period diagnosis diagnosisLevel stage lengthOfStayDays verifiedAttachments
          region { ${REGION} }
        }
      }
    }
  }
`);
