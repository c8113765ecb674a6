/** The shell: header with the signed-in address, roles and sign-out; navigation by role; the routes. */
import { lazy, type ReactNode, Suspense, useEffect } from "react";
import type { Role } from "./api/documents.ts";
import { useSession } from "./auth/use-session.tsx";
import { Link, matchPath, navigate, useLocation } from "./router.tsx";
import { Loading, Notice } from "./ui/alert.tsx";
import { shortHex, titleCase } from "./ui/format.ts";
import { DatasetsPage } from "./views/analyst/datasets.tsx";
import { PatientLookupPage } from "./views/hospital/lookup.tsx";
import { PatientPage } from "./views/hospital/patient.tsx";
import { TreatmentPage } from "./views/hospital/treatment.tsx";
import { TrendsPage } from "./views/public-health/trends.tsx";
import { homeOf, SignInPage } from "./views/sign-in.tsx";

const ExplorerPage = lazy(() => import("./views/explorer.tsx"));

const CLINICAL: Role[] = ["STAFF", "DOCTOR"];
const NAV: { to: string; label: string; roles: Role[] | null }[] = [
  { to: "/hospital", label: "Hospital", roles: CLINICAL },
  { to: "/public-health", label: "Public health", roles: ["PUBLIC_HEALTH"] },
  { to: "/analyst", label: "Analyst", roles: ["ANALYST"] },
  { to: "/explorer", label: "GraphQL explorer", roles: null },
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** A page for some roles: sign in first, and say so plainly when the roles do not fit. */
function Guard({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Redirect to={`/sign-in?next=${encodeURIComponent(location.split("?")[0] ?? "/")}`} />;
  if (!roles.some((r) => session.roles.includes(r))) {
    return (
      <Notice tone="warn">
        This page is for {roles.map(titleCase).join(" or ")}; you are signed in as{" "}
        {session.roles.map(titleCase).join(", ") || "an account without a DocTel role"}.
      </Notice>
    );
  }
  return <>{children}</>;
}

function Routes() {
  const { session } = useSession();
  const location = useLocation();
  const path = location.split("?")[0] ?? "/";
  if (path === "/") return <Redirect to={session ? homeOf(session.roles) : "/sign-in"} />;
  if (path === "/sign-in") return <SignInPage />;
  if (path === "/explorer") {
    return (
      <Suspense fallback={<Loading what="the explorer" />}>
        <ExplorerPage />
      </Suspense>
    );
  }
  if (path === "/hospital") return <Guard roles={CLINICAL}>{<PatientLookupPage />}</Guard>;
  const patient = matchPath("/hospital/patients/:ref", path);
  if (patient) return <Guard roles={CLINICAL}>{<PatientPage patientRef={patient.ref!} />}</Guard>;
  const treatment = matchPath("/hospital/treatments/:id", path);
  if (treatment) return <Guard roles={CLINICAL}>{<TreatmentPage id={treatment.id!} />}</Guard>;
  if (path === "/public-health") return <Guard roles={["PUBLIC_HEALTH"]}>{<TrendsPage />}</Guard>;
  if (path === "/analyst") return <Guard roles={["ANALYST"]}>{<DatasetsPage />}</Guard>;
  return <Notice tone="warn">There is no page at {path}.</Notice>;
}

export function App() {
  const { session, signOut } = useSession();
  const location = useLocation();
  const wide = location.startsWith("/explorer");
  const nav = NAV.filter(
    (n) => n.roles === null || (session && n.roles.some((r) => session.roles.includes(r))),
  );
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          DocTel
        </Link>
        <nav aria-label="Dashboards">
          {nav.map((n) => (
            <Link key={n.to} to={n.to} aria-current={location.startsWith(n.to) ? "page" : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          {session ? (
            <>
              <span data-testid="signed-in-address" title={session.address}>
                <code>{shortHex(session.address, 4)}</code>
              </span>
              <span className="roles" data-testid="signed-in-roles">
                {session.roles.map((r) => (
                  <span key={r} className="chip">
                    {titleCase(r)}
                  </span>
                ))}
                {session.hospital && <span className="muted"> {session.hospital.name}</span>}
                {session.demo && <span className="chip chip-demo">demo</span>}
              </span>
              <button type="button" className="secondary" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          ) : (
            location !== "/sign-in" && <Link to="/sign-in">Sign in</Link>
          )}
        </div>
      </header>
      <main id="main" className={wide ? "wide" : undefined}>
        <Routes />
      </main>
    </>
  );
}
