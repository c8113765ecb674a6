/** A built dataset: its release and what it holds, then its first rows, and the export. */
import { formatTime, titleCase } from "../../ui/format.ts";
import { type Dataset, regionName } from "./documents.ts";

export function DatasetPreview(props: { dataset: Dataset; exporting: boolean; onExport(): void }) {
  const { dataset: d, exporting, onExport } = props;
  return (
    <div className="dataset">
      <h2>Dataset {d.id}</h2>
      <div className="stats">
        <div className="stat stat-k" data-testid="dataset-k">
          <span className="stat-label">Every class</span>
          <span className="stat-value">k = {d.release.k}</span>
          <span className="muted">patients at least; ℓ = {d.release.l} diagnoses at least</span>
        </div>
        <div className="stat" data-testid="dataset-rows">
          <span className="stat-label">Rows</span>
          <span className="stat-value">{d.rowCount}</span>
          <span className="muted">of release {d.release.period}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Classes</span>
          <span className="stat-value">{d.classCount}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Information loss</span>
          <span className="stat-value">{(d.informationLoss * 100).toFixed(1)} %</span>
        </div>
      </div>
      <p className="muted">Built {formatTime(d.createdAt)}.</p>
      <button type="button" onClick={onExport} disabled={exporting || d.rowCount === 0}>
        {exporting ? "Exporting…" : `Export ${d.rowCount} rows as NDJSON`}
      </button>
      <h3>
        Preview ({d.rows.nodes.length} of {d.rows.totalCount} rows)
      </h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Pseudonym</th>
              <th scope="col">Age</th>
              <th scope="col">Sex</th>
              <th scope="col">Region</th>
              <th scope="col">Period</th>
              <th scope="col">Diagnosis</th>
              <th scope="col">Stage</th>
              <th scope="col">Stay (days)</th>
              <th scope="col">Verified files</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.nodes.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: one fixed page of rows, never reordered (a pseudonym repeats per treatment)
              <tr key={`${r.pseudonym}-${i}`}>
                <td>
                  <code>{r.pseudonym.slice(0, 12)}</code>
                </td>
                <td>{r.ageBand}</td>
                <td>{r.sex === "*" ? "*" : titleCase(r.sex)}</td>
                <td>{regionName(r.region)}</td>
                <td>{r.period}</td>
                <td
                  title={
                    r.diagnosisLevel === "CHAPTER" ? "ICD-10 chapter: the category was too rare here" : ""
                  }
                >
                  {r.diagnosis ?? "—"}
                </td>
                <td>{titleCase(r.stage)}</td>
                <td>{r.lengthOfStayDays ?? "in care"}</td>
                <td>{r.verifiedAttachments}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
