/** A patient's demographics and the treatments the viewer may see. */
import { useCallback } from "react";
import { getDistrict, getState } from "../../../../../shared/reference/regions.ts";
import { PATIENT, type Region } from "../../api/documents.ts";
import { useApi } from "../../auth/use-session.tsx";
import { Link } from "../../router.tsx";
import { ErrorAlert, Loading, Notice } from "../../ui/alert.tsx";
import { shortHex, titleCase } from "../../ui/format.ts";
import { useAsync } from "../../ui/use-async.ts";
import { formatLocalTime, stageName } from "./event-args.ts";
import { maskedAadhaarOf } from "./typed-aadhaar.ts";
import { VitalsChart } from "./vitals-chart.tsx";

const regionName = (r: Region, lookup: (code: number) => { name: string } | undefined) =>
  r.name ?? lookup(r.code)?.name ?? `code ${r.code}`;

export function PatientPage({ patientRef }: { patientRef: string }) {
  const api = useApi();
  const state = useAsync(
    useCallback((signal: AbortSignal) => api(PATIENT, { ref: patientRef }, signal), [patientRef, api]),
  );
  if (state.status === "loading") return <Loading what="the patient" />;
  if (state.status === "error") return <ErrorAlert error={state.error} />;
  const p = state.data.patient;
  if (!p) return <Notice tone="warn">No patient you may see has this reference.</Notice>;
  return (
    <section aria-labelledby="patient-title">
      <p>
        <Link to="/hospital">← Find another patient</Link>
      </p>
      <h1 id="patient-title" title={`reference ${p.ref}`}>
        {maskedAadhaarOf(p.ref) ? `Aadhaar ${maskedAadhaarOf(p.ref)} · ` : ""}
        {titleCase(p.sex)}, {p.ageYears} years · {regionName(p.district, getDistrict)}
      </h1>
      <p className="muted">
        {regionName(p.state, getState)} · reference <code title={p.ref}>{shortHex(p.ref, 6)}</code>
      </p>
      <dl className="facts">
        <dt>Sex</dt>
        <dd>{titleCase(p.sex)}</dd>
        <dt>Blood group</dt>
        <dd>{p.bloodGroup.replace("_POS", "+").replace("_NEG", "−")}</dd>
        <dt>Born</dt>
        <dd>
          {p.birthDate} ({p.ageYears} years)
        </dd>
        <dt>Weight</dt>
        <dd>{(p.weightGrams / 1000).toFixed(1)} kg</dd>
        <dt>Height</dt>
        <dd>{p.heightCm} cm</dd>
        <dt>Home</dt>
        <dd>
          {regionName(p.district, getDistrict)}, {regionName(p.state, getState)}
        </dd>
        <dt>Registered</dt>
        <dd>
          {formatLocalTime(p.registeredAt)}
          {p.registeredHospital ? ` at ${p.registeredHospital.name}` : ""}
        </dd>
        <dt>Record version</dt>
        <dd>
          {p.version} (updated {formatLocalTime(p.updatedAt)})
        </dd>
      </dl>
      <h2>Treatments</h2>
      {p.treatments.nodes.length === 0 ? (
        <p className="muted">No treatment you may see.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Treatment</th>
                <th scope="col">Hospital</th>
                <th scope="col">Stage</th>
                <th scope="col">Diagnosis</th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {p.treatments.nodes.map((t) => (
                <tr key={t.id}>
                  <td>
                    <Link to={`/hospital/treatments/${t.id}`}>#{t.id}</Link>
                  </td>
                  <td>{t.hospital.name}</td>
                  <td>{stageName(t.stage)}</td>
                  <td>
                    {t.diagnosis
                      ? `${t.diagnosis.code}${t.diagnosis.name ? ` ${t.diagnosis.name}` : ""}`
                      : "—"}
                  </td>
                  <td>{formatLocalTime(t.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.treatments.pageInfo.hasNextPage && <p className="muted">Showing the 50 most recent treatments.</p>}
      <h2>Vitals</h2>
      <VitalsChart points={p.vitals} />
    </section>
  );
}
