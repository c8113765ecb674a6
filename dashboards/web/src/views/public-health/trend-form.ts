/** The trend form's state and how it becomes a CaseTrendsInput (pure). */
import type { CaseTrendsInput, DiagnosisFilter } from "../../api/documents.ts";

export interface TrendForm {
  system: "ISO" | "MMWR";
  from: string;
  to: string;
  allDiagnoses: boolean;
  groups: string[];
  /** Free text: ICD-10 categories such as "A90, J18", one series each. */
  categories: string;
  state: number | null;
  district: number | null;
  breakdown: "NONE" | "STATE" | "DISTRICT";
}

export interface Selection {
  label: string;
  filter: DiagnosisFilter | null;
}

export function selectionsOf(form: TrendForm, groupTitle: (id: string) => string): Selection[] {
  const out: Selection[] = [];
  if (form.allDiagnoses) out.push({ label: "All diagnoses", filter: null });
  for (const g of form.groups) out.push({ label: groupTitle(g), filter: { groups: [g] } });
  for (const c of form.categories.split(/[\s,;]+/)) {
    const category = c.trim().toUpperCase();
    if (category !== "") out.push({ label: category, filter: { categories: [category] } });
  }
  return out;
}

export function trendInput(form: TrendForm, selections: readonly Selection[]): CaseTrendsInput {
  const region =
    form.district !== null && form.state !== null
      ? { state: form.state, district: form.district }
      : form.state !== null
        ? { state: form.state }
        : null;
  return {
    system: form.system,
    from: form.from,
    to: form.to,
    diagnoses: selections.map((s) => s.filter),
    region,
    breakdown: form.breakdown,
  };
}
