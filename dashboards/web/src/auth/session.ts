/**
 * The signed-in session: the bearer token, the address and its roles. Kept in sessionStorage (this
 * tab only, gone when it closes) so a reload stays signed in; nothing else is stored.
 */
import type { Role } from "../api/documents.ts";

export interface Session {
  token: string;
  address: `0x${string}`;
  roles: Role[];
  expiresAt: string;
  hospital: { id: number; name: string } | null;
  /** Signed in with a demo account (demo mode). */
  demo: boolean;
  /** Demo mode: the simulated period, for default date ranges. */
  period: { from: string; to: string } | null;
}

const KEY = "doctel.session";

export function loadSession(): Session | null {
  try {
    const text = sessionStorage.getItem(KEY);
    if (!text) return null;
    const session = JSON.parse(text) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
