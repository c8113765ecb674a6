/**
 * Analyst: the de-identified releases (one per closed period, anonymized once), and datasets built
 * from one of them by selecting whole classes; preview, export as NDJSON, and what `*` and
 * information loss mean.
 */
import { type FormEvent, useCallback, useState } from "react";
import { fetchWithToken, saveBlob } from "../../api/download.ts";
import { describeApiError, needsSignIn } from "../../api/errors.ts";
import { useApi, useSession } from "../../auth/use-session.tsx";
import { ErrorAlert, Loading, Notice } from "../../ui/alert.tsx";
import { formatTime, titleCase } from "../../ui/format.ts";
import { useAsync } from "../../ui/use-async.ts";
import {
  CREATE_DATASET,
  type Dataset,
  type DatasetInput,
  type DatasetRegion,
  RELEASES,
  type Release,
  regionName,
} from "./documents.ts";
import { Explanation } from "./explanation.tsx";
import { DatasetPreview } from "./preview.tsx";

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** A generalization level as the table shows it: * where the quasi-identifier is generalized away. */
const LEVEL_LABELS: Record<string, string> = {
  "5_YEARS": "5-year bands",
  "10_YEARS": "10-year bands",
  "20_YEARS": "20-year bands",
  SUPPRESSED: "*",
  NATIONAL: "*",
  RELEASE: "*",
};
const levelLabel = (level: string) => LEVEL_LABELS[level] ?? titleCase(level);

interface Selection {
  ageBands: string[];
  sexes: string[];
  periods: string[];
  /** "s:27" for a state, "d:490" for a district. */
  regions: string[];
}

const EMPTY: Selection = { ageBands: [], sexes: [], periods: [], regions: [] };
const regionKey = (r: DatasetRegion) =>
  r.districtCode !== null ? `d:${r.districtCode}` : `s:${r.stateCode}`;

/** The API input: an empty choice is every value. */
export function datasetInput(release: Release, s: Selection): DatasetInput {
  const codes = (prefix: string) =>
    s.regions.filter((r) => r.startsWith(prefix)).map((r) => Number(r.slice(2)));
  const states = codes("s:");
  const districts = codes("d:");
  const none = s.regions.length === 0;
  return {
    releaseId: release.id,
    ageBands: s.ageBands.length ? s.ageBands : null,
    sexes: s.sexes.length ? s.sexes : null,
    periods: s.periods.length ? s.periods : null,
    states: none || states.length === 0 ? null : states,
    districts: none || districts.length === 0 ? null : districts,
  };
}

function Choices(props: {
  legend: string;
  options: readonly (readonly [string, string])[];
  chosen: string[];
  onChange(chosen: string[]): void;
}) {
  if (props.options.length === 0) return null;
  const toggle = (value: string, on: boolean) =>
    props.onChange(on ? [...props.chosen, value] : props.chosen.filter((v) => v !== value));
  return (
    <fieldset className="inline">
      <legend>{props.legend}</legend>
      {props.options.map(([value, text]) => (
        <label key={value} className="check">
          <input
            type="checkbox"
            checked={props.chosen.includes(value)}
            onChange={(e) => toggle(value, e.target.checked)}
          />
          {text}
        </label>
      ))}
    </fieldset>
  );
}

function ReleaseTable(props: { releases: Release[]; chosen: string | null; onChoose(id: string): void }) {
  return (
    <div className="table-wrap">
      <table data-testid="releases">
        <thead>
          <tr>
            <th scope="col">Use</th>
            <th scope="col">Period</th>
            <th scope="col">Weeks (IST)</th>
            <th scope="col">Rows</th>
            <th scope="col">Classes</th>
            <th scope="col">Age · sex · region · period</th>
            <th scope="col">Information loss</th>
            <th scope="col">Left out</th>
            <th scope="col">Cut</th>
          </tr>
        </thead>
        <tbody>
          {props.releases.map((r) => (
            <tr key={r.id} data-testid="release-row">
              <td>
                <input
                  type="radio"
                  name="release"
                  aria-label={`Use release ${r.period}`}
                  checked={props.chosen === r.id}
                  onChange={() => props.onChoose(r.id)}
                />
              </td>
              <td>
                <strong>{r.period}</strong>
              </td>
              <td>
                {r.from} – {r.to}
              </td>
              <td>{r.rowCount}</td>
              <td>{r.classCount}</td>
              <td>
                {[
                  r.generalization.age,
                  r.generalization.sex,
                  r.generalization.region,
                  r.generalization.period,
                ]
                  .map(levelLabel)
                  .join(" · ")}
              </td>
              <td>{percent(r.informationLoss)}</td>
              <td
                title={`rounded to a multiple of ${r.suppressedRows.roundedTo}: counted before suppression`}
              >
                ≈ {r.suppressedRows.approximately}
              </td>
              <td>{formatTime(r.cutAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DatasetsPage() {
  const api = useApi();
  const { session, expire } = useSession();
  const state = useAsync(useCallback((signal: AbortSignal) => api(RELEASES, {}, signal), [api]));
  const [chosen, setChosen] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>(EMPTY);
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<"build" | "export" | null>(null);

  const releases = state.data?.datasetReleases.nodes ?? [];
  // By default the latest release with rows, as the API's createDeidentifiedDataset defaults to.
  const release =
    releases.find((r) => r.id === chosen) ?? releases.find((r) => r.rowCount > 0) ?? releases[0] ?? null;
  const set = (patch: Partial<Selection>) => setSelection((s) => ({ ...s, ...patch }));

  const build = async (event: FormEvent) => {
    event.preventDefault();
    if (!release) return;
    setBusy("build");
    setError(null);
    try {
      const { createDeidentifiedDataset } = await api(CREATE_DATASET, {
        input: datasetInput(release, selection),
      });
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
      <p className="muted">
        Each release holds the treatments opened in one closed period, anonymized once when the period ended
        and never changed after. A dataset is a choice of whole classes of one release.
      </p>
      {state.status === "loading" && <Loading what="releases" />}
      <ErrorAlert error={state.error} />
      {state.status === "done" && releases.length === 0 && (
        <Notice>
          No release has been cut yet: a period is released once it has closed and its end is final.
        </Notice>
      )}
      {state.data && (
        <p className="muted" data-testid="usage">
          You built {state.data.datasetUsage.datasetsCreated} of {state.data.datasetUsage.datasetLimit}{" "}
          datasets and exported {state.data.datasetUsage.exports} of {state.data.datasetUsage.exportLimit} in
          the last {state.data.datasetUsage.windowHours} hours.
        </p>
      )}
      {releases.length > 0 && (
        <ReleaseTable
          releases={releases}
          chosen={release?.id ?? null}
          onChoose={(id) => {
            setChosen(id);
            setSelection(EMPTY);
          }}
        />
      )}
      {release && (
        <form className="panel" onSubmit={build}>
          <h2>
            Dataset from {release.period}{" "}
            <span className="muted">
              (k = {release.k}, ℓ = {release.l}; leave a group unticked for every value)
            </span>
          </h2>
          <Choices
            legend="Age band"
            options={release.values.ageBands.map((v) => [v, v] as const)}
            chosen={selection.ageBands}
            onChange={(ageBands) => set({ ageBands })}
          />
          <Choices
            legend="Sex"
            options={release.values.sexes.map((v) => [v, v === "*" ? "*" : titleCase(v)] as const)}
            chosen={selection.sexes}
            onChange={(sexes) => set({ sexes })}
          />
          <Choices
            legend="Region"
            options={release.values.regions
              .filter((r) => r.level !== "NATIONAL")
              .map((r) => [regionKey(r), regionName(r)] as const)}
            chosen={selection.regions}
            onChange={(regions) => set({ regions })}
          />
          <Choices
            legend="Period"
            options={release.values.periods.map((v) => [v, v] as const)}
            chosen={selection.periods}
            onChange={(periods) => set({ periods })}
          />
          <button type="submit" disabled={busy !== null || release.rowCount === 0}>
            {busy === "build" ? "Building…" : "Build dataset"}
          </button>
          {release.rowCount === 0 && (
            <p className="muted">
              This release has no row: every class of its period was too small to release.
            </p>
          )}
        </form>
      )}
      <ErrorAlert error={error} />
      {dataset && <DatasetPreview dataset={dataset} exporting={busy === "export"} onExport={exportRows} />}
      <Explanation />
    </section>
  );
}
