/** One treatment: its facts, care team, attachments and the full on-chain timeline. */
import { useCallback, useEffect, useState } from "react";
import { type TimelineEvent, TREATMENT } from "../../api/documents.ts";
import { useApi } from "../../auth/use-session.tsx";
import { Link } from "../../router.tsx";
import { ErrorAlert, Loading, Notice } from "../../ui/alert.tsx";
import { shortHex } from "../../ui/format.ts";
import { useAsync } from "../../ui/use-async.ts";
import { AttachmentsTable } from "./attachments.tsx";
import { describeMember, formatLocalTime, readableEvent, stageName } from "./event-args.ts";
import { VitalsChart } from "./vitals-chart.tsx";

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
        <dd>{stageName(t.stage)}</dd>
        <dt>Diagnosis</dt>
        <dd>
          {t.diagnosis ? `${t.diagnosis.code}${t.diagnosis.name ? ` — ${t.diagnosis.name}` : ""}` : "Not yet"}
        </dd>
        <dt>Opened</dt>
        <dd>{formatLocalTime(t.openedAt)}</dd>
        <dt>Discharged</dt>
        <dd>{formatLocalTime(t.dischargedAt)}</dd>
        <dt>Care team</dt>
        <dd>
          {t.careTeam.length === 0
            ? "No doctor assigned now"
            : t.careTeam.map((m) => (
                <span key={m.doctor.account} className="chip" title={m.doctor.account}>
                  {describeMember(m.doctor)}
                </span>
              ))}
        </dd>
      </dl>
      <h2>Vitals</h2>
      <VitalsChart points={t.vitals} />
      <h2>Attachments</h2>
      <AttachmentsTable attachments={t.attachments} />
      <h2>Timeline</h2>
      <div className="table-wrap">
        <table className="timeline">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Details</th>
              <th scope="col">By</th>
              <th scope="col">Block / transaction</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => {
              const readable = readableEvent(e, { account: describeMember(e.accountMember) ?? e.account });
              return (
                <tr key={`${e.blockNumber}-${e.logIndex}`} data-event={e.name}>
                  <td>{formatLocalTime(e.time)}</td>
                  <td>{readable.title}</td>
                  <td className="details">{readable.detail}</td>
                  <td className="actor" title={e.actor ?? ""}>
                    {describeMember(e.actorMember) ?? (e.actor ? `Account ${shortHex(e.actor, 4)}` : "—")}
                  </td>
                  <td>
                    {e.blockNumber}{" "}
                    <code className="muted" title={e.txHash}>
                      {shortHex(e.txHash, 4)}
                    </code>
                  </td>
                </tr>
              );
            })}
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
