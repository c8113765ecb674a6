/**
 * The eth_getLogs block range, adapted to what the node will answer: it grows while responses
 * stay small and shrinks when the node refuses (too many results, response too large). A
 * refused size becomes a ceiling, probed again only after a run of successes, so a provider's
 * limit costs one refusal rather than one every other request.
 */
export interface AdaptiveRangeOptions {
  initial: number;
  min: number;
  max: number;
  /** Grow when a response held fewer logs than this. */
  targetLogs: number;
  /** Successes below the ceiling before growing past it again (default 50). */
  probeAfter?: number;
}

export interface AdaptiveRange {
  readonly size: number;
  succeeded(blocks: number, logs: number): void;
  /**
   * A request of `refused` blocks was refused: the next one asks for at most half of it (or the
   * provider's suggestion). Returns false when the range cannot shrink any more.
   */
  shrink(refused: number, suggested?: number): boolean;
}

export function createAdaptiveRange(options: AdaptiveRangeOptions): AdaptiveRange {
  const probeAfter = options.probeAfter ?? 50;
  let size = clamp(options.initial, options.min, options.max);
  let ceiling = options.max;
  let successes = 0;
  return {
    get size() {
      return size;
    },
    succeeded(blocks, logs) {
      successes++;
      if (ceiling < options.max && successes >= probeAfter) ceiling = options.max;
      // Only adapt on a full range: a short tail range says nothing about density.
      if (blocks < size) return;
      if (logs < options.targetLogs / 2) size = clamp(size * 2, options.min, ceiling);
      else if (logs > options.targetLogs * 2) size = clamp(Math.floor(size / 2), options.min, ceiling);
    },
    shrink(refused, suggested) {
      if (refused <= options.min) return false;
      ceiling = Math.max(options.min, refused - 1);
      successes = 0;
      const next = suggested !== undefined && suggested < refused ? suggested : Math.floor(refused / 2);
      size = clamp(next, options.min, ceiling);
      return true;
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.floor(value)));
}
