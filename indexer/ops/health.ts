/**
 * What the indexer's /ready and /health say, decided in one place from what the indexer reports:
 *
 * - ready: this process leads, has caught up with the head once, is not failing, and has not
 *   lagged more than `lagBlocks` behind the head for longer than `lagMs` (the lag alarm; a burst
 *   of blocks shorter than that keeps it ready);
 * - healthy: not failing. A failure (a write that failed, the node or the database gone) turns
 *   both red at once; the pipeline running again (the checkpoint read, the head read) clears it.
 *   A standby is healthy and not ready.
 *
 * The clock is injected so the lag alarm is tested without waiting.
 */
export type Role = "starting" | "standby" | "leader";

export interface HealthArgs {
  /** Blocks behind the head (beyond the confirmations) that count as lagging. */
  lagBlocks: number;
  /** How long lagging may last before /ready turns false. */
  lagMs: number;
  now?: () => number;
}

export interface HealthView {
  role: Role;
  ready: boolean;
  healthy: boolean;
  /** Why not ready (or null when ready). */
  reason: string | null;
  /** The failure being retried, if any. */
  failure: string | null;
  /** Since when the indexer lags more than lagBlocks (ms since the epoch), or null. */
  laggingSince: number | null;
  lagAlarm: boolean;
}

export interface Health {
  setRole(role: Role): void;
  /** The indexed block and the head, as the sync last saw them (lag = head - indexed). */
  progress(lag: bigint): void;
  fail(reason: string): void;
  /** The pipeline runs again (the checkpoint and the head were read). */
  recovered(): void;
  view(): HealthView;
}

export function createHealth(args: HealthArgs): Health {
  const now = args.now ?? Date.now;
  let role: Role = "starting";
  let caughtUp = false;
  let lagging: number | null = null;
  let failure: string | null = null;

  function lagAlarm(): boolean {
    return lagging !== null && now() - lagging > args.lagMs;
  }

  return {
    setRole(next) {
      role = next;
      if (next !== "leader") {
        caughtUp = false;
        lagging = null;
      }
    },
    progress(lag) {
      if (lag <= BigInt(args.lagBlocks)) {
        caughtUp = true;
        lagging = null;
      } else {
        lagging ??= now();
      }
    },
    fail(reason) {
      failure = reason;
    },
    recovered() {
      failure = null;
    },
    view() {
      const alarm = lagAlarm();
      let reason: string | null = null;
      if (role === "standby") reason = "standby: another indexer process leads";
      else if (role === "starting") reason = "starting";
      else if (failure !== null) reason = `failing: ${failure}`;
      else if (!caughtUp) reason = "catching up with the chain";
      else if (alarm)
        reason = `lagging more than ${args.lagBlocks} blocks behind the head for over ${args.lagMs} ms`;
      return {
        role,
        ready: reason === null,
        healthy: failure === null,
        reason,
        failure,
        laggingSince: lagging,
        lagAlarm: alarm,
      };
    },
  };
}
