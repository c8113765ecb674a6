/** A treatment's attachments with their verification badges; verified files open through the API. */
import { useState } from "react";
import type { Attachment } from "../../api/documents.ts";
import { fetchWithToken, openBlob, saveBlob } from "../../api/download.ts";
import { describeApiError, needsSignIn } from "../../api/errors.ts";
import { useSession } from "../../auth/use-session.tsx";
import { ErrorAlert } from "../../ui/alert.tsx";
import { VerificationBadge } from "../../ui/badge.tsx";
import { formatBytes, formatLocalTime, shortHex } from "../../ui/format.ts";
import { describeMember, fileKindName } from "./event-args.ts";

export function AttachmentsTable({ attachments }: { attachments: Attachment[] }) {
  const { session, expire } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const get = async (a: Attachment, action: "open" | "save") => {
    if (!a.url || !session) return;
    setBusy(a.cid);
    setError(null);
    try {
      const blob = await fetchWithToken(a.url, session.token);
      if (action === "open") openBlob(blob);
      else saveBlob(blob, `${a.kind.toLowerCase()}-${a.cid}`);
    } catch (e) {
      if (needsSignIn(e)) expire(describeApiError(e));
      else setError(e);
    } finally {
      setBusy(null);
    }
  };

  if (attachments.length === 0) return <p className="muted">No files attached.</p>;
  return (
    <>
      <ErrorAlert error={error} />
      <div className="table-wrap">
        <table className="attachments">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Verification</th>
              <th scope="col">CID</th>
              <th scope="col">Size / type</th>
              <th scope="col">Attached</th>
              <th scope="col">File</th>
            </tr>
          </thead>
          <tbody>
            {attachments.map((a) => (
              <tr key={`${a.cid}-${a.txHash}`}>
                <td>{fileKindName(a.kind)}</td>
                <td>
                  <VerificationBadge status={a.verification.status} />
                </td>
                <td>
                  <code title={a.cid}>{shortHex(a.cid, 8)}</code>
                </td>
                <td>
                  {formatBytes(a.verification.sizeBytes)}
                  {a.verification.contentType ? ` · ${a.verification.contentType}` : ""}
                </td>
                <td>
                  {formatLocalTime(a.attachedAt)}
                  <br />
                  <span className="muted">
                    by{" "}
                    <span title={a.attachedBy}>
                      {describeMember(a.attachedByMember) ?? shortHex(a.attachedBy)}
                    </span>
                    , block {a.blockNumber}
                  </span>
                </td>
                <td className="actions">
                  {a.url ? (
                    <>
                      <button type="button" disabled={busy === a.cid} onClick={() => get(a, "open")}>
                        Open
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={busy === a.cid}
                        onClick={() => get(a, "save")}
                      >
                        Download
                      </button>
                    </>
                  ) : (
                    <span className="muted">Not available until verified</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
