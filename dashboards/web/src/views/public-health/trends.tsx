/** Public health: weekly case trends by diagnosis and region, with suppression and aberration flags. */
import { type FormEvent, useState } from "react";
import { ICD10_GROUPS } from "../../../../../shared/reference/icd10-groups.ts";
import { getDistrict, getState } from "../../../../../shared/reference/regions.ts";
import { CASE_TRENDS, type TrendSeries } from "../../api/documents.ts";
import type { DataOf } from "../../api/graphql.ts";
import { useApi, useSession } from "../../auth/use-session.tsx";
import { ErrorAlert, Notice } from "../../ui/alert.tsx";
import { defaultPeriod } from "../../ui/period.ts";
import { RegionSelect } from "../region-select.tsx";
import { ChartLegend, TrendChart } from "./trend-chart.tsx";
import { type Selection, selectionsOf, type TrendForm, trendInput } from "./trend-form.ts";

const groupTitle = (id: string) => ICD10_GROUPS.find((g) => g.id === id)?.title ?? id;

function regionLabel(r: TrendSeries["region"]): string {
  if (r.level === "STATE") return getState(Number(r.code))?.name ?? r.label ?? `State ${r.code}`;
  if (r.level === "DISTRICT") return getDistrict(Number(r.code))?.name ?? r.label ?? `District ${r.code}`;
  return r.label ?? "India";
}

/** Series worth a chart: totals, and those with a released case or a suppressed week. */
const worthShowing = (s: TrendSeries) => s.total || s.points.some((p) => p.suppressed || (p.count ?? 0) > 0);

export function TrendsPage() {
  const api = useApi();
  const { session } = useSession();
  const [form, setForm] = useState<TrendForm>(() => ({
    system: "ISO",
    ...defaultPeriod(session),
    allDiagnoses: true,
    groups: ["vector-borne", "respiratory"],
    categories: "",
    state: null,
    district: null,
    breakdown: "NONE",
  }));
  const [result, setResult] = useState<{
    release: DataOf<typeof CASE_TRENDS>;
    selections: Selection[];
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<TrendForm>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const selections = selectionsOf(form, groupTitle);
    if (selections.length === 0) {
      setError(new Error("Pick at least one diagnosis selection."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const release = await api(CASE_TRENDS, { input: trendInput(form, selections) });
      setResult({ release, selections });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const trends = result?.release.caseTrends;
  const shown = trends?.series.filter(worthShowing) ?? [];
  return (
    <section aria-labelledby="trends-title">
      <h1 id="trends-title">Weekly case trends</h1>
      <form className="panel" onSubmit={submit}>
        <fieldset className="inline">
          <legend>Epidemiological weeks</legend>
          {(["ISO", "MMWR"] as const).map((system) => (
            <label key={system} className="radio">
              <input
                type="radio"
                name="system"
                value={system}
                checked={form.system === system}
                onChange={() => set({ system })}
              />
              {system === "ISO" ? "ISO / IDSP (Mon–Sun)" : "MMWR (Sun–Sat)"}
            </label>
          ))}
        </fieldset>
        <div className="grid">
          <div className="field">
            <label htmlFor="trend-from">From</label>
            <input
              id="trend-from"
              type="date"
              value={form.from}
              onChange={(e) => set({ from: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="trend-to">To</label>
            <input id="trend-to" type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} />
          </div>
          <RegionSelect
            idPrefix="trend"
            state={form.state}
            district={form.district}
            onChange={(state, district) => set({ state, district })}
          />
          <div className="field">
            <label htmlFor="trend-breakdown">Series per</label>
            <select
              id="trend-breakdown"
              value={form.breakdown}
              onChange={(e) => set({ breakdown: e.target.value as TrendForm["breakdown"] })}
            >
              <option value="NONE">The whole region</option>
              <option value="STATE">State</option>
              <option value="DISTRICT">District</option>
            </select>
          </div>
        </div>
        <fieldset>
          <legend>Diagnoses (one chart each)</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={form.allDiagnoses}
              onChange={(e) => set({ allDiagnoses: e.target.checked })}
            />
            All diagnoses
          </label>
          <div className="groups">
            {ICD10_GROUPS.map((g) => (
              <label key={g.id} className="check">
                <input
                  type="checkbox"
                  checked={form.groups.includes(g.id)}
                  onChange={(e) =>
                    set({
                      groups: e.target.checked
                        ? [...form.groups, g.id]
                        : form.groups.filter((x) => x !== g.id),
                    })
                  }
                />
                {g.title}
              </label>
            ))}
          </div>
          <div className="field">
            <label htmlFor="trend-categories">ICD-10 categories (comma separated, e.g. A90, J18)</label>
            <input
              id="trend-categories"
              type="text"
              value={form.categories}
              onChange={(e) => set({ categories: e.target.value })}
            />
          </div>
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? "Loading…" : "Show trends"}
        </button>
      </form>
      <ErrorAlert error={error} />
      {trends && result && (
        <>
          <p className="muted">
            {trends.system} weeks {trends.from} to {trends.to}; {trends.movingAverageWeeks}-week moving
            average; aberrations by {trends.aberration.name}. Released counts are 0 or at least{" "}
            {trends.disclosure.minReleasedCount}; {trends.disclosure.suppressedCells} of{" "}
            {trends.disclosure.totalCells} cells suppressed. Release {trends.releaseId}.
          </p>
          <ChartLegend />
          {shown.length === 0 && <Notice>No cases in this period and region.</Notice>}
          {shown.length < trends.series.length && (
            <p className="muted">
              {trends.series.length - shown.length} series without any case are not drawn.
            </p>
          )}
          <div className="charts">
            {shown.slice(0, 40).map((s) => (
              <TrendChart
                key={`${s.diagnosisIndex}-${s.region.level}-${s.region.code}`}
                title={`${result.selections[s.diagnosisIndex]?.label ?? "Diagnosis"} — ${regionLabel(s.region)}${s.total && trends.series.length > result.selections.length ? " (total)" : ""}`}
                points={s.points}
              />
            ))}
          </div>
          {shown.length > 40 && (
            <p className="muted">Showing 40 of {shown.length} series: narrow the region.</p>
          )}
        </>
      )}
    </section>
  );
}
