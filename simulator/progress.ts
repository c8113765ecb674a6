/**
 * Progress: the runner reports numbers (onProgress), and a reporter renders them on stderr:
 * one line rewritten in place on a terminal, a line every few seconds otherwise.
 */
export type Phase = "planning" | "setup" | "uploading" | "sending" | "checking" | "done";

export interface Progress {
  phase: Phase;
  /** Events in mined blocks so far, and the plan's total. */
  events: number;
  targetEvents: number;
  transactions: number;
  blocks: number;
  filesUploaded: number;
  filesTotal: number;
  elapsedMs: number;
  txPerSecond: number;
  eventsPerSecond: number;
  /** Seconds left at the current rate; undefined before there is a rate. */
  etaSeconds: number | undefined;
  /** Simulated date of the latest block, YYYY-MM-DD. */
  simulatedDate?: string | undefined;
}

const fmt = (n: number) =>
  n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : String(Math.round(n));

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function formatProgress(p: Progress): string {
  const parts = [
    `simulate ${p.phase}`,
    `events ${fmt(p.events)}/${fmt(p.targetEvents)}`,
    `tx ${fmt(p.transactions)}`,
    `blocks ${fmt(p.blocks)}`,
  ];
  if (p.filesTotal > 0) parts.push(`files ${p.filesUploaded}/${p.filesTotal}`);
  parts.push(`${fmt(p.txPerSecond)} tx/s`, `${fmt(p.eventsPerSecond)} events/s`);
  if (p.simulatedDate) parts.push(`at ${p.simulatedDate}`);
  parts.push(p.etaSeconds === undefined ? "ETA -" : `ETA ${duration(p.etaSeconds)}`);
  return parts.join(" | ");
}

/** Renders progress to a stream (stderr): in place on a TTY, every `intervalMs` otherwise. */
export function createProgressPrinter(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  options: { intervalMs?: number } = {},
): { update(p: Progress): void; finish(): void } {
  const tty = stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 200 : 5_000);
  let last = 0;
  let lastPhase: Phase | undefined;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === lastPhase && now - last < interval && p.phase !== "done") return;
      last = now;
      lastPhase = p.phase;
      const line = formatProgress(p);
      if (tty) {
        const width = Math.max(20, (stream.columns ?? 120) - 1);
        stream.write(`\r\u001b[2K${line.slice(0, width)}`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (tty && drawn) stream.write("\n");
      drawn = false;
    },
  };
}
