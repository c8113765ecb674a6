import type { Session } from "../auth/session.ts";
import { istDay } from "./format.ts";

/** The default date range: the simulated period in demo mode, else the last 26 weeks (IST days). */
export function defaultPeriod(session: Session | null): { from: string; to: string } {
  if (session?.period) {
    return { from: istDay(new Date(session.period.from)), to: istDay(new Date(session.period.to)) };
  }
  const now = new Date();
  return { from: istDay(new Date(now.getTime() - 26 * 7 * 86_400_000)), to: istDay(now) };
}
