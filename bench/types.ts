/** One row of bench-results.json. */
export interface BenchResult {
  /** Stable name of the measurement, e.g. `throughput-vs-ideal`. */
  name: string;
  /** What was measured. */
  value: number;
  unit: string;
  /** The reference measured in the same run (same unit as `value`). */
  baseline: number;
  /** value / baseline, or the ratio the name describes. */
  ratio: number;
  /** The target for `ratio` (or `value`), e.g. `<= 1.10`; `report` when there is none. */
  target: string;
  /** Whether the target is met; absent for `report`. */
  pass?: boolean;
  /** A line of context for a reader. */
  note?: string;
}

/** Checks `actual` against a target such as `<= 1.10` or `>= 5`. */
export function meets(actual: number, target: string): boolean | undefined {
  const match = /^(<=|>=|<|>|==)\s*([\d.]+)/.exec(target);
  if (!match) return undefined;
  const limit = Number(match[2]);
  switch (match[1]) {
    case '<=':
      return actual <= limit;
    case '>=':
      return actual >= limit;
    case '<':
      return actual < limit;
    case '>':
      return actual > limit;
    default:
      return actual === limit;
  }
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
