/**
 * The treatments a clinician is working on now: a doctor's open treatments they are assigned to
 * (their current patients), or a staff member's hospital's open treatments, newest first.
 */
import { useCallback } from "react";
import { getDistrict } from "../../../../../shared/reference/regions.ts";
import { CURRENT_TREATMENTS } from "../../api/documents.ts";
import type { Session } from "../../auth/session.ts";
import { useApi } from "../../auth/use-session.tsx";
import { Link } from "../../router.tsx";
import { ErrorAlert, Loading } from "../../ui/alert.tsx";
import { titleCase } from "../../ui/format.ts";
import { useAsync } from "../../ui/use-async.ts";
import { formatLocalTime, stageName } from "./event-args.ts";

export function CurrentPatients({ session }: { session: Session }) {
  const api = useApi();
  const doctor = session.roles.includes("DOCTOR") && !session.roles.includes("STAFF");
  const hospitalId = session.hospital?.id;
  const state = useAsync(
    useCallback(
      (signal: AbortSignal) =>
        api(CURRENT_TREATMENTS, doctor ? { doctor: session.address } : { hospitalId }, signal),
      [api, doctor, session.address, hospitalId],
    ),
  );
  const title = doctor
    ? "Your current patients"
    : `Open treatments${session.hospital ? ` at ${session.hospital.name}` : ""}`;
  return (
    <section className="card current" aria-labelledby="current-title" data-testid="current-patients">
      <h2 id="current-title">{title}</h2>
      {state.status === "loading" && <Loading what="current treatments" />}
      {state.status === "error" && <ErrorAlert error={state.error} />}
      {state.status === "done" &&
        (state.data.treatments.nodes.length === 0 ? (
          <p className="muted">{doctor ? "No open treatment is assigned to you." : "No open treatment."}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Diagnosis</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Opened</th>
                  <th scope="col">Treatment</th>
                </tr>
              </thead>
              <tbody>
                {state.data.treatments.nodes.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <Link to={`/hospital/patients/${t.patient.ref}`}>
                        {titleCase(t.patient.sex)}, {t.patient.ageYears} years,{" "}
                        {t.patient.district.name ?? getDistrict(t.patient.district.code)?.name ?? ""}
                      </Link>
                    </td>
                    <td>
                      {t.diagnosis
                        ? `${t.diagnosis.code}${t.diagnosis.name ? ` ${t.diagnosis.name}` : ""}`
                        : "Not yet"}
                    </td>
                    <td>{stageName(t.stage)}</td>
                    <td>{formatLocalTime(t.openedAt)}</td>
                    <td>
                      <Link to={`/hospital/treatments/${t.id}`}>#{t.id}</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
