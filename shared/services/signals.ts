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
 * Resolves with the first SIGINT/SIGTERM. A second one while stopping exits at once (code 130),
 * so a stuck shutdown can always be interrupted.
 */
export function untilSignal(onSecond?: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      process.on(sig, () => {
        if (received) {
          onSecond?.();
          process.exit(130);
        }
        received = true;
        resolve(sig);
      });
    }
  });
}
