/** The session in React: who is signed in, sign-out, and what to do when the API says UNAUTHENTICATED. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { SIGN_OUT } from "../api/documents.ts";
import { describeApiError, needsSignIn } from "../api/errors.ts";
import { type Document, request } from "../api/graphql.ts";
import { navigate } from "../router.tsx";
import { loadSession, type Session, saveSession } from "./session.ts";

interface SessionState {
  session: Session | null;
  /** Why the last session ended (expired, refused), shown on the sign-in page. */
  notice: string | null;
  signedIn(session: Session): void;
  signOut(): Promise<void>;
  /** The session is gone: back to the sign-in page with a notice. */
  expire(notice: string): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);

  const update = useCallback((next: Session | null) => {
    saveSession(next);
    setSession(next);
  }, []);

  const expire = useCallback(
    (message: string) => {
      update(null);
      setNotice(message);
      navigate(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`, { replace: true });
    },
    [update],
  );

  // Ends the session in the browser when the token expires.
  useEffect(() => {
    if (!session) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    const timer = setTimeout(() => expire("Your session expired: sign in again."), Math.max(0, left));
    return () => clearTimeout(timer);
  }, [session, expire]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      notice,
      signedIn(next) {
        setNotice(null);
        update(next);
      },
      async signOut() {
        const token = session?.token;
        update(null);
        setNotice("You are signed out.");
        navigate("/sign-in");
        if (token) await request(SIGN_OUT, {}, token).catch(() => undefined);
      },
      expire,
    }),
    [session, notice, update, expire],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession() outside SessionProvider");
  return state;
}

/** Sends a document with the session's token; UNAUTHENTICATED ends the session. */
export function useApi() {
  const { session, expire } = useSession();
  const token = session?.token ?? null;
  return useCallback(
    async <TData, TVariables>(
      doc: Document<TData, TVariables>,
      variables: TVariables,
      signal?: AbortSignal,
    ) => {
      try {
        return await request(doc, variables, token, signal);
      } catch (error) {
        if (needsSignIn(error)) expire(describeApiError(error));
        throw error;
      }
    },
    [token, expire],
  );
}
