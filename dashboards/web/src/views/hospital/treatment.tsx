/** One treatment: its facts, care team, attachments and the full on-chain timeline. */
import { useCallback, useEffect, useState } from "react";
import { type TimelineEvent, TREATMENT } from "../../api/documents.ts";
import { useApi } from "../../auth/use-session.tsx";
import { Link } from "../../router.tsx";
import { ErrorAlert, Loading, Notice } from "../../ui/alert.tsx";
import { formatTime, shortHex, titleCase } from "../../ui/format.ts";
import { useAsync } from "../../ui/use-async.ts";
import { AttachmentsTable } from "./attachments.tsx";
import { argsSummary } from "./event-args.ts";

export function TreatmentPage({ id }: { id: string }) {
  const api = useApi();
  const state = useAsync(useCallback((signal: AbortSignal) => api(TREATMENT, { id }, signal), [id, api]));
  const [more, setMore] = useState<TimelineEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  useEffect(() => {
    setMore([]);
    setCursor(state.data?.treatment?.timeline.pageInfo.endCursor ?? null);
  }, [state.data]);

  if (state.status === "loading") return <Loading what={`treatment #${id}`} />;
  if (state.status === "error") return <ErrorAlert error={state.error} />;
  const t = state.data.treatment;
  if (!t) return <Notice tone="warn">Treatment #{id} does not exist or is not one you may see.</Notice>;
  const events = [...t.timeline.nodes, ...more];
  const hasMore = more.length > 0 ? cursor !== null : t.timeline.pageInfo.hasNextPage;

  const loadMore = async () => {
    try {
      const next = await api(TREATMENT, { id, after: cursor });
      const page = next.treatment?.timeline;
      setMore((m) => [...m, ...(page?.nodes ?? [])]);
      setCursor(page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    } catch (e) {
      setMoreError(e);
    }
  };

  return (
    <section aria-labelledby="treatment-title">
      <p>
        <Link to={`/hospital/patients/${t.patient.ref}`}>← The patient</Link>
      </p>
      <h1 id="treatment-title">Treatment #{t.id}</h1>
      <dl className="facts">
        <dt>Hospital</dt>
        <dd>{t.hospital.name}</dd>
        <dt>Stage</dt>
        <dd>{titleCase(t.stage)}</dd>
        <dt>Diagnosis</dt>
        <dd>
          {t.diagnosis ? `${t.diagnosis.code}${t.diagnosis.name ? ` — ${t.diagnosis.name}` : ""}` : "Not yet"}
        </dd>
        <dt>Opened</dt>
        <dd>{formatTime(t.openedAt)}</dd>
        <dt>Discharged</dt>
        <dd>{formatTime(t.dischargedAt)}</dd>
        <dt>Care team</dt>
        <dd>
          {t.careTeam.length === 0
            ? "No doctor assigned now"
            : t.careTeam.map((m) => (
                <span key={m.doctor.account} className="chip">
                  <code title={m.doctor.account}>{shortHex(m.doctor.account)}</code>
                  {m.doctor.specialty ? ` ${m.doctor.specialty.name}` : ""}
                </span>
              ))}
        </dd>
      </dl>
      <h2>Attachments</h2>
      <AttachmentsTable attachments={t.attachments} />
      <h2>Timeline</h2>
      <div className="table-wrap">
        <table className="timeline">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Actor</th>
              <th scope="col">Block</th>
              <th scope="col">Transaction</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={`${e.blockNumber}-${e.logIndex}`}>
                <td>{formatTime(e.time)}</td>
                <td>{e.name}</td>
                <td>
                  <code title={e.actor ?? ""}>{shortHex(e.actor)}</code>
                </td>
                <td>{e.blockNumber}</td>
                <td>
                  <code title={e.txHash}>{shortHex(e.txHash, 8)}</code>
                </td>
                <td className="details">{argsSummary(e.args)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorAlert error={moreError} />
      {hasMore && (
        <button type="button" className="secondary" onClick={loadMore}>
          Load more events
        </button>
      )}
    </section>
  );
}
