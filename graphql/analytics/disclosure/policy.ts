/**
 * The disclosure-control constants every release obeys. Changing them is a policy decision,
 * not a tuning knob: they are not configurable.
 */

/** The smallest count released: cells of 1..10 are suppressed (the CMS cell-size rule). */
export const MIN_CELL_COUNT = 11;

/** The smallest k a de-identified dataset may be built with (datasets may ask for more). */
export const MIN_K = 11;

/** Per-release epsilon bounds for noisy releases, in thousandths (0.1 .. 2.0). */
export const MIN_EPSILON_MILLI = 100;
export const MAX_EPSILON_MILLI = 2000;

/** Districts whose 2011 population is unknown or below this are released at state level only. */
export const MIN_DISTRICT_POPULATION = 20_000;
