/** The trend form's state and how it becomes a CaseTrendsInput, and the custom view's (pure). */
import type { CaseTrendsInput, DiagnosisNode, NoisyCountsInput } from "../../api/documents.ts";

/** The surveillance groups the form starts with: the ones a public-health official watches first. */
export const DEFAULT_TREND_GROUPS: readonly string[] = ["vector-borne", "respiratory"];

export interface TrendForm {
  from: string;
  to: string;
  allDiagnoses: boolean;
  /** Published surveillance groups (whole categories). */
  groups: string[];
  /** Free text: ICD-10 categories such as "A90, J18", one series each. */
  categories: string;
  state: number | null;
  district: number | null;
  breakdown: "NONE" | "STATE" | "DISTRICT";
}

export interface Selection {
  label: string;
  node: DiagnosisNode;
}

export function selectionsOf(form: TrendForm, groupTitle: (id: string) => string): Selection[] {
  const out: Selection[] = [];
  if (form.allDiagnoses) out.push({ label: "All diagnoses", node: { level: "ALL" } });
  for (const g of form.groups) out.push({ label: groupTitle(g), node: { level: "GROUP", code: g } });
  for (const c of form.categories.split(/[\s,;]+/)) {
    const category = c.trim().toUpperCase();
    if (category !== "") out.push({ label: category, node: { level: "CATEGORY", code: category } });
  }
  return out;
}

export function trendInput(form: TrendForm, selections: readonly Selection[]): CaseTrendsInput {
  const region =
    form.district !== null ? { district: form.district } : form.state !== null ? { state: form.state } : null;
  return {
    from: form.from,
    to: form.to,
    diagnoses: selections.map((s) => s.node),
    region,
    breakdown: form.district !== null ? "NONE" : form.breakdown,
  };
}

export interface CustomForm {
  from: string;
  to: string;
  /** Free text: any ICD-10 codes or categories, united ("U07.1, J18"). */
  codes: string;
  groupBy: "" | "STATE" | "SEX" | "AGE_BAND_20" | "WEEK";
  epsilon: number;
}

export function customInput(form: CustomForm): NoisyCountsInput {
  const codes = form.codes
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== "");
  return {
    from: form.from,
    to: form.to,
    diagnosis: codes.length > 0 ? { codes } : null,
    region: null,
    groupBy: form.groupBy === "" ? [] : [form.groupBy],
    epsilon: form.epsilon,
  };
}
