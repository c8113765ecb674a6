/**
 * Process signals for long-running commands that stop their parts themselves.
 *
 * js-ipfs pulls in `signal-exit`, whose SIGINT/SIGTERM handler re-raises the signal (killing the
 * process) when it believes no one else listens; its count is wrong once it has two subscribers,
 * so it kills the process in the middle of a graceful shutdown. Its signal handlers are removed;
 * its `exit` handler (lock-file cleanup) stays.
 */
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function takeOverSignals(): void {
  for (const sig of SIGNALS) {
    for (const listener of process.listeners(sig)) {
      if (String(listener).includes("emitter.count")) process.removeListener(sig, listener);
    }
  }
}

/**
 * One Ctrl-C often arrives twice: from the terminal (to the whole foreground process group) and
 * again from `npm start`, which forwards it to its child. Signals this close together are one
 * request; a later one means "stop now".
 */
const SAME_REQUEST_MS = 1_000;

export interface ShutdownSignals {
  /** Aborted at the first SIGINT, SIGTERM or SIGHUP. */
  readonly signal: AbortSignal;
  /** Resolves with that first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Listens for SIGINT/SIGTERM/SIGHUP from now on: the first one aborts `signal`, so that whatever
 * is starting or running can stop in order. Another one, a second or more later, while that
 * shutdown is still under way, calls `onForce` and exits at once with code 130.
 */
export function listenForShutdown(onForce?: () => void): ShutdownSignals {
  const controller = new AbortController();
  let first: number | undefined;
  let resolve: (sig: NodeJS.Signals) => void = () => {};
  const requested = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  const handler = (sig: NodeJS.Signals) => {
    if (first === undefined) {
      first = performance.now();
      controller.abort(new ShutdownRequested(sig));
      resolve(sig);
      return;
    }
    if (performance.now() - first < SAME_REQUEST_MS) return;
    onForce?.();
    process.exit(130);
  };
  for (const sig of SIGNALS) process.on(sig, handler);
  return {
    signal: controller.signal,
    requested,
    dispose: () => {
      for (const sig of SIGNALS) process.removeListener(sig, handler);
    },
  };
}

/** The abort reason of a shutdown signal. */
export class ShutdownRequested extends Error {
  readonly signalName: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
    this.name = "ShutdownRequested";
    this.signalName = signal;
  }
}
