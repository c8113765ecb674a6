/**
 * The simulated period: slot s is the block at startTs + s·slotSeconds. One hour per slot by
 * default; the bench uses longer slots (fewer, fuller blocks and transactions).
 */
export const SLOT_SECONDS = 3600;
const IST_SECONDS = 19_800;

export interface Clock {
  readonly startTs: number;
  readonly slotSeconds: number;
  readonly slots: number;
  ts(slot: number): number;
  /** Calendar month (0 = January) of a slot, in IST. */
  month(slot: number): number;
  /** Hour of day (0-23) of a slot's start, in IST. */
  hour(slot: number): number;
  /** Days since 1970-01-01 of a slot, UTC (the contract's "today" for birth dates). */
  epochDay(slot: number): number;
  /** Slots for a duration in hours, at least 1: a step that must land in a later block. */
  after(hours: number): number;
  /** Slots in a duration of hours (may be 0). */
  span(hours: number): number;
}

export function createClock(startTs: number, days: number, slotSeconds = SLOT_SECONDS): Clock {
  const slotHours = slotSeconds / 3600;
  return {
    startTs,
    slotSeconds,
    slots: Math.round((days * 86_400) / slotSeconds),
    ts: (slot) => startTs + slot * slotSeconds,
    month: (slot) => new Date((startTs + slot * slotSeconds + IST_SECONDS) * 1000).getUTCMonth(),
    hour: (slot) => Math.floor(((startTs + slot * slotSeconds + IST_SECONDS) % 86_400) / 3600),
    epochDay: (slot) => Math.floor((startTs + slot * slotSeconds) / 86_400),
    after: (hours) => Math.max(1, Math.round(hours / slotHours)),
    span: (hours) => Math.round(hours / slotHours),
  };
}
