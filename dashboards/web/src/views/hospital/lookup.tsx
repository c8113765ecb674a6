/**
 * Patient lookup by Aadhaar. The number lives in this form's state only: it is sent as a GraphQL
 * variable, never put in a URL, storage or a log, and the form is cleared once the patient is found
 * (the patient's page is addressed by their reference, an HMAC of the number).
 */
import { type FormEvent, useCallback, useState } from "react";
import { isValidAadhaar } from "../../../../../shared/identity/aadhaar.ts";
import { PATIENT } from "../../api/documents.ts";
import { fetchDemoAccounts } from "../../auth/demo.ts";
import { useApi, useSession } from "../../auth/use-session.tsx";
import { navigate } from "../../router.tsx";
import { ErrorAlert, Notice } from "../../ui/alert.tsx";
import { useAsync } from "../../ui/use-async.ts";
import { CurrentPatients } from "./current-patients.tsx";
import { rememberTypedAadhaar } from "./typed-aadhaar.ts";

export function PatientLookupPage() {
  const api = useApi();
  const { session } = useSession();
  const [aadhaar, setAadhaar] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const demo = session?.demo === true;
  const doctor = session?.roles.includes("DOCTOR") === true && !session.roles.includes("STAFF");
  // The cast's sample patients are for staff (any patient); a doctor sees their own patients.
  const samples = useAsync(
    useCallback(
      async (signal: AbortSignal) =>
        demo && !doctor ? ((await fetchDemoAccounts(signal))?.samplePatients ?? []) : [],
      [demo, doctor],
    ),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    const digits = aadhaar.replace(/[\s-]/g, "");
    if (!isValidAadhaar(digits)) {
      setMessage("That is not a valid Aadhaar number: 12 digits, with a correct check digit.");
      return;
    }
    setBusy(true);
    try {
      const { patient } = await api(PATIENT, { aadhaar: digits });
      if (!patient) {
        setMessage(
          session?.roles.includes("STAFF")
            ? "No patient is registered with this Aadhaar number."
            : "No patient you treat has this Aadhaar number.",
        );
        return;
      }
      rememberTypedAadhaar(patient.ref, digits);
      setAadhaar("");
      navigate(`/hospital/patients/${patient.ref}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="lookup-title">
      <h1 id="lookup-title">{doctor ? "Your patients" : "Find a patient"}</h1>
      {session && doctor && <CurrentPatients session={session} />}
      <form className="lookup" method="post" onSubmit={submit} autoComplete="off">
        <label htmlFor="aadhaar">Aadhaar number</label>
        <div className="row">
          <input
            id="aadhaar"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            maxLength={14}
            placeholder="12 digits"
            value={aadhaar}
            onChange={(e) => setAadhaar(e.target.value)}
            aria-describedby="aadhaar-help"
          />
          <button type="submit" disabled={busy || aadhaar.trim() === ""}>
            {busy ? "Looking up…" : "Look up"}
          </button>
        </div>
        <p id="aadhaar-help" className="muted">
          The number is sent to the API only to compute the patient's reference; it is not stored or shown
          again.
        </p>
      </form>
      {message && <Notice tone="warn">{message}</Notice>}
      <ErrorAlert error={error} />
      {session && !doctor && <CurrentPatients session={session} />}
      {samples.status === "done" && samples.data.length > 0 && (
        <div className="card">
          <h2>Sample patients (synthetic, demo only)</h2>
          <ul className="samples">
            {samples.data.map((p) => (
              <li key={`${p.hospitalId}-${p.masked}`}>
                <button type="button" className="secondary" onClick={() => setAadhaar(p.aadhaar)}>
                  Use {p.masked}
                </button>{" "}
                <span className="muted">
                  hospital {p.hospitalId}, {p.treatments} treatment{p.treatments === 1 ? "" : "s"}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
