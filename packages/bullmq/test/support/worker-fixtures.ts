// What the worker processes and the tests that compare with them share, and video URLs; no test
// runner here, so that the benchmarks (bench/workers.ts) use them too. The summarizer call log is
// @tubesum/test-support's (`logCall`, `readCallLog`).

/** The retry policy of the worker processes; a local run to compare with uses the same. */
export const WORKER_RETRY = { attempts: 2, minDelayMs: 10, maxDelayMs: 50 };

/** `count` distinct 11-character video URLs. */
export function videoUrls(count: number, tag = 'v'): string[] {
  return Array.from({ length: count }, (_, index) => `https://youtu.be/${tag}${String(index).padStart(11 - tag.length, '0')}`);
}
