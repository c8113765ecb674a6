import { isRetryable } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Runs `fn`, retrying retryable errors with exponential backoff and full jitter. Non-retryable
 * errors and the last retryable one are thrown. `signal` aborts the waiting.
 */
export async function withRetry<T>(
  label: string,
  policy: RetryPolicy,
  logger: Logger,
  fn: (attempt: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.retries || signal?.aborted) throw error;
      const delay = backoffDelay(attempt, policy);
      logger.warn(
        { err: error, attempt: attempt + 1, delay_ms: delay, operation: label },
        "retrying after error",
      );
      await sleep(delay, signal);
    }
  }
}

export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
