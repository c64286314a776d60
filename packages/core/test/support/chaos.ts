// The seeded fault plan every chaos test draws from: which request gets which fault is decided by a
// seed, printed once per test process, so a failing run is replayed with `CHAOS_SEED=<n>`.
import { chaosSeed as seedFor, seededRandom } from './seeded-random.js';

let processSeed: number | undefined;

/**
 * The seed of this test process's fault plans: `CHAOS_SEED` when set, else a random one, read and
 * printed (`chaos seed=<n>`) once by the one seed helper of seeded-random.ts.
 */
export function chaosSeed(): number {
  processSeed ??= seedFor('fault plans');
  return processSeed;
}

/** One draw of a plan: the request it was for (from 0), and the fault injected, if any. */
export interface FaultDraw<K extends string> {
  index: number;
  kind: K | undefined;
  /** Whatever the caller named the request with (a video id, a path). */
  label?: string | undefined;
}

export interface FaultPlanOptions<K extends string> {
  /** @default chaosSeed() */
  seed?: number | undefined;
  /** Share of requests that get a fault, each drawn independently. */
  rate: number;
  /** The faults to choose from, uniformly. */
  kinds: readonly K[];
  /**
   * Most faults in a row for one label (a video, when requests are labelled by it; all requests
   * share one streak otherwise) before a request is let through, so that a bounded number of
   * attempts always succeeds (transient faults end). `Infinity` for none.
   * @default Infinity
   */
  maxConsecutive?: number | undefined;
}

export interface FaultPlan<K extends string> {
  readonly seed: number;
  readonly rate: number;
  /** Decides the fate of the next request: a fault kind, or undefined to answer normally. */
  next(label?: string): K | undefined;
  /** Every draw so far, in request order. */
  readonly draws: readonly FaultDraw<K>[];
  /** Requests seen (the number of draws). */
  readonly requests: number;
  /** How many requests got each fault, and `none` those answered normally. */
  counts(): Record<K | 'none', number>;
}

/** A seeded, reproducible plan of faults: `faultPlan({ rate: 0.3, kinds: LLM_FAULT_KINDS })`. */
export function faultPlan<K extends string>(options: FaultPlanOptions<K>): FaultPlan<K> {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`Expected rate in [0, 1], got ${options.rate}`);
  if (options.kinds.length === 0) throw new RangeError('Expected at least one fault kind');
  const seed = options.seed ?? chaosSeed();
  const random = seededRandom(seed);
  const maxConsecutive = options.maxConsecutive ?? Number.POSITIVE_INFINITY;
  const draws: FaultDraw<K>[] = [];
  const streaks = new Map<string, number>();
  return {
    seed,
    rate: options.rate,
    draws,
    get requests() {
      return draws.length;
    },
    next(label) {
      // Always two numbers per draw, so the sequence of decisions does not shift with the outcomes.
      const hit = random() < options.rate;
      const pick = options.kinds[Math.floor(random() * options.kinds.length)]!;
      const streak = streaks.get(label ?? '') ?? 0;
      const kind = hit && streak < maxConsecutive ? pick : undefined;
      streaks.set(label ?? '', kind === undefined ? 0 : streak + 1);
      draws.push({ index: draws.length, kind, ...(label === undefined ? {} : { label }) });
      return kind;
    },
    counts() {
      const counts = { none: 0 } as Record<K | 'none', number>;
      for (const kind of options.kinds) counts[kind] = 0;
      for (const draw of draws) counts[draw.kind ?? 'none'] += 1;
      return counts;
    },
  };
}
