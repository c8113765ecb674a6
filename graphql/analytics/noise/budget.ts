/**
 * The privacy budget of noisy answers, charged to the data they read rather than to a calendar
 * window: every case lies in one epidemiological week (the week it opened), so a week's ledger
 * rows bound the total privacy loss of its cases, for ever, however long an attacker waits and
 * however many accounts collude. A window that renews (say, ε per month) would let anyone average
 * the noise away by asking again next month.
 *
 * Two limits per week of data, both enforced: what one account may spend (so one account cannot
 * exhaust a week for everybody) and what the whole deployment may spend (the guarantee against
 * colluding accounts). Defaults: 0.3 per account, 0.6 per deployment. At 0.6, the best estimate of
 * a count that the whole budget can buy (one discrete Laplace answer at ε = 0.6) has a 95 %
 * interval of ±5 or more: 11 integers, so it can never fit inside 1..10.
 */
export interface NoiseBudget {
  /** Epsilon the whole deployment may spend on one week of data, over all time. */
  readonly deploymentEpsilonPerWeek: number;
  /** Epsilon one account may spend on one week of data, over all time. */
  readonly accountEpsilonPerWeek: number;
}

export const DEFAULT_NOISE_BUDGET: NoiseBudget = {
  deploymentEpsilonPerWeek: 0.6,
  accountEpsilonPerWeek: 0.3,
};
