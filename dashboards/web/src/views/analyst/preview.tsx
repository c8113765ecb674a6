/** A built dataset: the disclosure facts first (achieved k, generalization, suppression), then rows. */
import type { Dataset } from "../../api/documents.ts";
import { formatTime, titleCase } from "../../ui/format.ts";

export function DatasetPreview(props: { dataset: Dataset; exporting: boolean; onExport(): void }) {
  const { dataset: d, exporting, onExport } = props;
  const g = d.generalization;
  return (
    <div className="dataset">
      <h2>Dataset {d.id}</h2>
      <div className="stats">
        <div className="stat stat-k" data-testid="achieved-k">
          <span className="stat-label">Achieved k</span>
          <span className="stat-value">{d.achievedK ?? "—"}</span>
          <span className="muted">asked {d.k}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Rows released</span>
          <span className="stat-value">{d.rowCount}</span>
          <span className="muted">of {d.candidateRows} candidates</span>
        </div>
        <div className="stat" data-testid="suppressed-rows">
          <span className="stat-label">Rows suppressed</span>
          <span className="stat-value">{d.suppressedRows}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Equivalence classes</span>
          <span className="stat-value">{d.classes}</span>
          <span className="muted">information loss {(d.informationLoss * 100).toFixed(1)} %</span>
        </div>
      </div>
      {d.achievedK === null && (
        <p className="muted">No row could be released at this k: widen the selection.</p>
      )}
      <h3>Generalization levels</h3>
      <dl className="facts" data-testid="generalization">
        <dt>Age</dt>
        <dd>{titleCase(g.age)}</dd>
        <dt>Sex</dt>
        <dd>{titleCase(g.sex)}</dd>
        <dt>Region</dt>
        <dd>{titleCase(g.region)}</dd>
        <dt>Period</dt>
        <dd>{titleCase(g.period)}</dd>
      </dl>
      <p className="muted">
        Quasi-identifiers: {d.quasiIdentifiers.join(", ")}. Built {formatTime(d.createdAt)}.
      </p>
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
                <td>{r.sex}</td>
                <td>
                  {r.region.districtName ??
                    r.region.stateName ??
                    (r.region.level === "NATIONAL" ? "India" : "*")}
                </td>
                <td>{r.period}</td>
                <td>{r.diagnosis ?? "—"}</td>
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
