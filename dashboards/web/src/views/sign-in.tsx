/** Sign-in: an injected wallet (EIP-1193), or in demo mode one of the simulator's accounts. */
import { type FormEvent, useState } from "react";
import type { Role } from "../api/documents.ts";
import { type DemoAccounts, type DemoActor, demoSigner, fetchDemoAccounts } from "../auth/demo.ts";
import type { Session } from "../auth/session.ts";
import { type Signer, signInWith } from "../auth/sign-in.ts";
import { useSession } from "../auth/use-session.tsx";
import { connectInjectedWallet, hasInjectedWallet } from "../auth/wallet.ts";
import { navigate } from "../router.tsx";
import { ErrorAlert, Notice } from "../ui/alert.tsx";
import { titleCase } from "../ui/format.ts";
import { useAsync } from "../ui/use-async.ts";

/** Where each role starts. */
export function homeOf(roles: readonly Role[]): string {
  if (roles.includes("STAFF") || roles.includes("DOCTOR")) return "/hospital";
  if (roles.includes("PUBLIC_HEALTH")) return "/public-health";
  if (roles.includes("ANALYST")) return "/analyst";
  return "/explorer";
}

const ROLE_ORDER = ["STAFF", "DOCTOR", "PUBLIC_HEALTH", "ANALYST", "AUDITOR", "GOVERNANCE"] as const;

function actorLabel(a: DemoActor): string {
  const where = a.hospital && !a.label.includes(a.hospital.name) ? ` — ${a.hospital.name}` : "";
  const specialty = a.specialty ? ` (${a.specialty})` : "";
  return `${a.label}${specialty}${where}`;
}

export function SignInPage() {
  const { notice, signedIn } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const demo = useAsync(fetchDemoAccounts);

  const finish = async (signer: () => Promise<Signer>, extra?: Pick<Session, "demo" | "period">) => {
    setBusy(true);
    setError(null);
    try {
      const session = await signInWith(await signer(), extra);
      signedIn(session);
      const next = new URLSearchParams(window.location.search).get("next");
      navigate(next?.startsWith("/") && !next.startsWith("/sign-in") ? next : homeOf(session.roles), {
        replace: true,
      });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to DocTel</h1>
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={error} />
      <div className="cards">
        <div className="card">
          <h2>Browser wallet</h2>
          <p>Sign a Sign-In with Ethereum message (EIP-4361) with the account that holds your DocTel role.</p>
          {hasInjectedWallet() ? (
            <button type="button" disabled={busy} onClick={() => finish(connectInjectedWallet)}>
              Sign in with wallet
            </button>
          ) : (
            <p className="muted">No browser wallet found (window.ethereum). Install one to sign in.</p>
          )}
        </div>
        {demo.status === "error" && <ErrorAlert error={demo.error} />}
        {demo.status === "done" && demo.data && (
          <DemoCard
            accounts={demo.data}
            busy={busy}
            onPick={(actor) =>
              finish(() => demoSigner(actor), {
                demo: true,
                period: { from: demo.data!.simulatedFrom, to: demo.data!.simulatedTo },
              })
            }
          />
        )}
      </div>
    </section>
  );
}

function DemoCard(props: { accounts: DemoAccounts; busy: boolean; onPick(actor: DemoActor): void }) {
  const { accounts, busy, onPick } = props;
  const [address, setAddress] = useState(accounts.actors[0]?.address ?? "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const actor = accounts.actors.find((a) => a.address === address);
    if (actor) onPick(actor);
  };
  const firstOf = (role: DemoActor["role"]) => accounts.actors.find((a) => a.role === role);
  return (
    <div className="card card-demo">
      <h2>Demo accounts</h2>
      <p className="warning-text">Demo mode: {accounts.warning}</p>
      <div className="quick">
        {ROLE_ORDER.map((role) => {
          const actor = firstOf(role);
          return actor ? (
            <button
              key={role}
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => onPick(actor)}
            >
              {titleCase(role)}
            </button>
          ) : null;
        })}
      </div>
      <form onSubmit={submit}>
        <label htmlFor="demo-actor">Or pick an account</label>
        <select id="demo-actor" value={address} onChange={(e) => setAddress(e.target.value)}>
          {ROLE_ORDER.map((role) => (
            <optgroup key={role} label={titleCase(role)}>
              {accounts.actors
                .filter((a) => a.role === role)
                .map((a) => (
                  <option key={a.address} value={a.address}>
                    {actorLabel(a)}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        <button type="submit" disabled={busy}>
          Sign in as this account
        </button>
      </form>
    </div>
  );
}
