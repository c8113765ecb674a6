/** Analyst: build a k-anonymous dataset, preview it with its achieved k, export it as NDJSON. */
import { type FormEvent, useState } from "react";
import { ICD10_GROUPS } from "../../../../../shared/reference/icd10-groups.ts";
import { CREATE_DATASET, type Dataset, type DatasetInput } from "../../api/documents.ts";
import { fetchWithToken, saveBlob } from "../../api/download.ts";
import { describeApiError, needsSignIn } from "../../api/errors.ts";
import { useApi, useSession } from "../../auth/use-session.tsx";
import { ErrorAlert } from "../../ui/alert.tsx";
import { defaultPeriod } from "../../ui/period.ts";
import { RegionSelect } from "../region-select.tsx";
import { DatasetPreview } from "./preview.tsx";

interface Form {
  from: string;
  to: string;
  group: string;
  categories: string;
  state: number | null;
  district: number | null;
  diagnosisGranularity: DatasetInput["diagnosisGranularity"];
  ageGranularity: DatasetInput["ageGranularity"];
  regionGranularity: DatasetInput["regionGranularity"];
  periodGranularity: DatasetInput["periodGranularity"];
  k: number;
  maxSuppressionPercent: number;
}

export function datasetInput(form: Form): DatasetInput {
  const categories = form.categories
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== "");
  const diagnosis =
    form.group !== "" || categories.length > 0
      ? { ...(form.group ? { groups: [form.group] } : {}), ...(categories.length ? { categories } : {}) }
      : null;
  const region =
    form.district !== null
      ? { districts: [form.district] }
      : form.state !== null
        ? { states: [form.state] }
        : null;
  return {
    from: form.from,
    to: form.to,
    diagnosis,
    region,
    diagnosisGranularity: form.diagnosisGranularity,
    ageGranularity: form.ageGranularity,
    regionGranularity: form.regionGranularity,
    periodGranularity: form.periodGranularity,
    k: form.k,
    maxSuppressionPercent: form.maxSuppressionPercent,
  };
}

function Choice<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange(value: T): void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DatasetsPage() {
  const api = useApi();
  const { session, expire } = useSession();
  const [form, setForm] = useState<Form>(() => ({
    ...defaultPeriod(session),
    group: "",
    categories: "",
    state: null,
    district: null,
    diagnosisGranularity: "CATEGORY",
    ageGranularity: "AGE_10_YEARS",
    regionGranularity: "STATE",
    periodGranularity: "MONTH",
    k: 11,
    maxSuppressionPercent: 5,
  }));
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<"build" | "export" | null>(null);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));

  const build = async (event: FormEvent) => {
    event.preventDefault();
    setBusy("build");
    setError(null);
    try {
      const { createDeidentifiedDataset } = await api(CREATE_DATASET, { input: datasetInput(form) });
      setDataset(createDeidentifiedDataset);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const exportRows = async () => {
    if (!dataset || !session) return;
    setBusy("export");
    setError(null);
    try {
      saveBlob(
        await fetchWithToken(dataset.exportPath, session.token),
        `doctel-dataset-${dataset.id}.ndjson`,
      );
    } catch (e) {
      if (needsSignIn(e)) expire(describeApiError(e));
      else setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="datasets-title">
      <h1 id="datasets-title">De-identified datasets</h1>
      <form className="panel" onSubmit={build}>
        <div className="grid">
          <div className="field">
            <label htmlFor="ds-from">Treatments opened from</label>
            <input
              id="ds-from"
              type="date"
              value={form.from}
              onChange={(e) => set({ from: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="ds-to">to</label>
            <input id="ds-to" type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} />
          </div>
          <Choice
            id="ds-group"
            label="Diagnosis group"
            value={form.group}
            options={[["", "Any diagnosis"], ...ICD10_GROUPS.map((g) => [g.id, g.title] as const)]}
            onChange={(group) => set({ group })}
          />
          <div className="field">
            <label htmlFor="ds-categories">ICD-10 categories (optional)</label>
            <input
              id="ds-categories"
              type="text"
              placeholder="e.g. A90, E11"
              value={form.categories}
              onChange={(e) => set({ categories: e.target.value })}
            />
          </div>
          <RegionSelect
            idPrefix="ds"
            state={form.state}
            district={form.district}
            onChange={(state, district) => set({ state, district })}
          />
        </div>
        <fieldset>
          <legend>Finest granularity released (the search may coarsen it to reach k)</legend>
          <div className="grid">
            <Choice
              id="ds-diag-gran"
              label="Diagnosis"
              value={form.diagnosisGranularity}
              options={[
                ["CATEGORY", "Category (E11)"],
                ["CODE", "Code (E11.9)"],
              ]}
              onChange={(diagnosisGranularity) => set({ diagnosisGranularity })}
            />
            <Choice
              id="ds-age-gran"
              label="Age"
              value={form.ageGranularity}
              options={[
                ["AGE_5_YEARS", "5-year bands"],
                ["AGE_10_YEARS", "10-year bands"],
                ["AGE_20_YEARS", "20-year bands"],
              ]}
              onChange={(ageGranularity) => set({ ageGranularity })}
            />
            <Choice
              id="ds-region-gran"
              label="Region"
              value={form.regionGranularity}
              options={[
                ["DISTRICT", "District"],
                ["STATE", "State"],
              ]}
              onChange={(regionGranularity) => set({ regionGranularity })}
            />
            <Choice
              id="ds-period-gran"
              label="Period"
              value={form.periodGranularity}
              options={[
                ["WEEK", "Week"],
                ["MONTH", "Month"],
                ["QUARTER", "Quarter"],
                ["YEAR", "Year"],
              ]}
              onChange={(periodGranularity) => set({ periodGranularity })}
            />
            <div className="field">
              <label htmlFor="ds-k">k (at least 11)</label>
              <input
                id="ds-k"
                type="number"
                min={11}
                value={form.k}
                onChange={(e) => set({ k: Number(e.target.value) })}
              />
            </div>
            <div className="field">
              <label htmlFor="ds-suppress">Max suppressed rows (%)</label>
              <input
                id="ds-suppress"
                type="number"
                min={0}
                max={20}
                step={0.5}
                value={form.maxSuppressionPercent}
                onChange={(e) => set({ maxSuppressionPercent: Number(e.target.value) })}
              />
            </div>
          </div>
        </fieldset>
        <button type="submit" disabled={busy !== null}>
          {busy === "build" ? "Building…" : "Build dataset"}
        </button>
      </form>
      <ErrorAlert error={error} />
      {dataset && <DatasetPreview dataset={dataset} exporting={busy === "export"} onExport={exportRows} />}
    </section>
  );
}
