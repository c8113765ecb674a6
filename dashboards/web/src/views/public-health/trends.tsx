/**
 * Public health: the published weekly trends (exact, suppressed cells hatched, weeks not published
 * yet marked as pending), and custom views answered with noise, with their 95 % interval and the
 * privacy budget left.
 */
import { type FormEvent, useState } from "react";
import { ICD10_GROUPS } from "../../../../../shared/reference/icd10-groups.ts";
import { getDistrict, getState } from "../../../../../shared/reference/regions.ts";
import { CASE_TRENDS, NOISY_COUNTS, type TrendSeries } from "../../api/documents.ts";
import type { DataOf } from "../../api/graphql.ts";
import { useApi, useSession } from "../../auth/use-session.tsx";
import { ErrorAlert, Notice } from "../../ui/alert.tsx";
import { defaultPeriod } from "../../ui/period.ts";
import { RegionSelect } from "../region-select.tsx";
import { ChartLegend, TrendChart } from "./trend-chart.tsx";
import {
  type CustomForm,
  customInput,
  DEFAULT_TREND_GROUPS,
  type Selection,
  selectionsOf,
  type TrendForm,
  trendInput,
} from "./trend-form.ts";

const groupTitle = (id: string) => ICD10_GROUPS.find((g) => g.id === id)?.title ?? id;
/** Groups made of sub-category codes are not published (noisy answers only). */
const PUBLISHED_GROUP_IDS = new Set(
  ICD10_GROUPS.filter((g) => g.members.every((m) => m.includes("-") || m.length === 3)).map((g) => g.id),
);

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
    ...defaultPeriod(session),
    allDiagnoses: true,
    groups: [...DEFAULT_TREND_GROUPS],
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
            {ICD10_GROUPS.filter((g) => PUBLISHED_GROUP_IDS.has(g.id)).map((g) => (
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
            Published {trends.system} weeks {trends.from} to {trends.to} (exact figures);{" "}
            {trends.movingAverageWeeks}
            -week moving average; aberrations by {trends.aberration.name}, once a full baseline is published.{" "}
            {trends.disclosure.suppressedCells} of {trends.disclosure.totalCells} published cells suppressed.
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
                title={`${result.selections[s.diagnosisIndex]?.label ?? s.diagnosis.label ?? "Diagnosis"} — ${regionLabel(s.region)}${s.total ? " (total)" : ""}`}
                points={s.points}
              />
            ))}
          </div>
          {shown.length > 40 && (
            <p className="muted">Showing 40 of {shown.length} series: narrow the region.</p>
          )}
        </>
      )}
      <CustomView />
    </section>
  );
}

/** Anything the publications do not hold, answered with noise under the privacy budget. */
function CustomView() {
  const api = useApi();
  const { session } = useSession();
  const [form, setForm] = useState<CustomForm>(() => {
    const p = defaultPeriod(session);
    const yesterday = new Date(Date.now() + 330 * 60_000 - 86_400_000).toISOString().slice(0, 10);
    return {
      from: p.from,
      to: [p.to, yesterday].sort()[0]!,
      codes: "",
      groupBy: "STATE",
      epsilon: 0.1,
    };
  });
  const [answer, setAnswer] = useState<DataOf<typeof NOISY_COUNTS> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<CustomForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setAnswer(await api(NOISY_COUNTS, { input: customInput(form) }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const a = answer?.noisyCaseCounts;
  return (
    <section aria-labelledby="custom-title" className="custom-view">
      <h2 id="custom-title">Custom view (with noise)</h2>
      <p className="muted">
        Any day range, any ICD-10 codes, any split: answered with differentially private noise. Each answer
        spends its epsilon on every week of data it touches, from a budget per week that never renews; asking
        the same question again is free and returns the same answer.
      </p>
      <form className="panel" onSubmit={submit}>
        <div className="grid">
          <div className="field">
            <label htmlFor="custom-from">From</label>
            <input
              id="custom-from"
              type="date"
              value={form.from}
              onChange={(e) => set({ from: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="custom-to">To</label>
            <input id="custom-to" type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="custom-codes">ICD-10 codes (any, e.g. U07.1, A90)</label>
            <input
              id="custom-codes"
              type="text"
              value={form.codes}
              onChange={(e) => set({ codes: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="custom-by">Split by</label>
            <select
              id="custom-by"
              value={form.groupBy}
              onChange={(e) => set({ groupBy: e.target.value as CustomForm["groupBy"] })}
            >
              <option value="">Nothing (one total)</option>
              <option value="STATE">State</option>
              <option value="WEEK">Week</option>
              <option value="SEX">Sex</option>
              <option value="AGE_BAND_20">Age band (20 years)</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="custom-epsilon">Epsilon (privacy spent)</label>
            <select
              id="custom-epsilon"
              value={form.epsilon}
              onChange={(e) => set({ epsilon: Number(e.target.value) })}
            >
              <option value={0.05}>0.05 (noisier)</option>
              <option value={0.1}>0.1</option>
              <option value={0.2}>0.2 (less noise)</option>
            </select>
          </div>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Asking…" : "Ask with noise"}
        </button>
      </form>
      <ErrorAlert error={error} />
      {a && (
        <div className="noisy-answer" data-testid="noisy-answer">
          <p>
            <strong>Total: {a.total.count}</strong> (95 % interval {a.total.low}–{a.total.high}); noisy,
            epsilon {a.epsilon}
            {a.reused ? ", the stored answer to this question (nothing spent)" : ""}.
          </p>
          <p className="muted" data-testid="budget-left">
            Budget left on the {a.budget.weeks} weeks of data this touched:{" "}
            {a.budget.accountRemaining.toFixed(2)} of {a.budget.accountPerWeek} for you,{" "}
            {a.budget.deploymentRemaining.toFixed(2)} of {a.budget.deploymentPerWeek} for everyone.
          </p>
          {a.cells.length > 1 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{a.cells[0]!.keys.map((k) => k.dimension).join(" · ")}</th>
                    <th scope="col">Noisy count</th>
                    <th scope="col">95 % interval</th>
                  </tr>
                </thead>
                <tbody>
                  {a.cells
                    .filter((c) => c.high > a.cellHalfWidth || c.count > 0)
                    .slice(0, 100)
                    .map((c) => (
                      <tr key={c.keys.map((k) => k.value).join("|")}>
                        <td>
                          {c.keys
                            .map((k) =>
                              k.dimension === "STATE"
                                ? (getState(Number(k.value))?.name ?? k.value)
                                : k.value,
                            )
                            .join(" · ")}
                        </td>
                        <td>{c.count}</td>
                        <td>
                          {c.low}–{c.high}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
