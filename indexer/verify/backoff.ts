export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Growth per further attempt. */
  factor: number;
  /** Longest delay. */
  maxMs: number;
  /** Fraction of the delay taken off at random (0 = none, 0.5 = up to half), to spread retries. */
  jitter: number;
}

/**
 * Delay before the next attempt after `attempts` failed ones (1-based): base * factor^(attempts-1),
 * capped at maxMs, then reduced by up to `jitter` of itself.
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  attempts: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempts - 1);
  const raw = Math.min(policy.maxMs, policy.baseMs * policy.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(raw * (1 - jitter * random()));
}
