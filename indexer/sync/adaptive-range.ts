/**
 * The eth_getLogs block range, adapted to what the node will answer: it grows while responses
 * stay small and shrinks when the node refuses (too many results, response too large).
 */
export interface AdaptiveRangeOptions {
  initial: number;
  min: number;
  max: number;
  /** Grow when a response held fewer logs than this. */
  targetLogs: number;
}

export interface AdaptiveRange {
  readonly size: number;
  succeeded(blocks: number, logs: number): void;
  /** Returns false when the range cannot shrink any more. */
  shrink(suggested?: number): boolean;
}

export function createAdaptiveRange(options: AdaptiveRangeOptions): AdaptiveRange {
  let size = clamp(options.initial, options.min, options.max);
  return {
    get size() {
      return size;
    },
    succeeded(blocks, logs) {
      // Only grow when the full range was used: a short tail range says nothing about density.
      if (blocks < size) return;
      if (logs < options.targetLogs / 2) size = clamp(size * 2, options.min, options.max);
      else if (logs > options.targetLogs * 2) size = clamp(Math.floor(size / 2), options.min, options.max);
    },
    shrink(suggested) {
      if (size <= options.min) return false;
      const next = suggested !== undefined && suggested < size ? suggested : Math.floor(size / 2);
      size = clamp(next, options.min, options.max);
      return true;
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.floor(value)));
}
