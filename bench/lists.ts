import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ListExpandResult } from './list-expand-scenario.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';

const script = fileURLToPath(new URL('./list-expand-scenario.ts', import.meta.url));
const recordings = fileURLToPath(new URL('../../shared/fixtures/youtube-lists/huge/', import.meta.url));

function run(mode: 'time' | 'memory'): ListExpandResult {
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, mode], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ListExpandResult;
}

/** `playlist-expand-1000`: a recorded playlist of 1,000 videos replayed without limiter pauses. */
export function runListBenchmarks(log: (line: string) => void): BenchResult[] {
  if (!existsSync(recordings)) {
    log(`lists: skipped, the recorded playlist answers are absent (${recordings})`);
    return [];
  }
  log('lists: expanding a 1,000-video playlist (replayed, no pauses)…');
  const timed = run('time');
  log('lists: the same, measuring the live heap at every page…');
  const memory = run('memory');
  const perPageMs = timed.wallMs / timed.pages;
  // From the fifth page request on: pages 2-4 are the three distinct recorded pages, whose first
  // reading warms youtubei.js's parser; later pages repeat them with new ids. The slope of the
  // live heap over those requests is what the expansion keeps per page: holding past pages would
  // make it at least one raw page (and several times that in parsed form).
  const steady = memory.heapGrowthMb.slice(3);
  const slope = leastSquaresSlope(steady);
  const maxGrowth = Math.max(0, ...steady.map((mb) => mb - (steady[0] ?? 0)));
  return [
    {
      name: 'playlist-expand-1000',
      value: round(perPageMs, 1),
      unit: 'ms/page',
      baseline: round(timed.parseMs, 1),
      ratio: round(perPageMs / timed.parseMs),
      target: 'report',
      note:
        `${timed.videos} videos in ${timed.pages} pages, ${round(timed.wallMs / 1000, 2)} s in all; ` +
        `baseline: a bare JSON.parse of one page (${round(timed.pageMb, 2)} MB); ` +
        `first use (import youtubei.js, session, one page): ${round(timed.firstUseMs / 1000, 2)} s`,
    },
    {
      name: 'playlist-expand-1000-peak-rss',
      value: round(timed.maxRssMb, 1),
      unit: 'MB',
      baseline: round(timed.pageMb * timed.pages, 1),
      ratio: round(timed.maxRssMb / (timed.pageMb * timed.pages)),
      target: 'report',
      note: 'peak RSS of the process (youtubei.js loaded, the replayed pages prepared in memory); baseline: the raw text of all pages',
    },
    {
      name: 'playlist-expand-1000-heap-per-page',
      value: round(slope, 3),
      unit: 'MB/page',
      baseline: round(memory.pageMb, 2),
      ratio: round(slope / memory.pageMb),
      target: '<= 1',
      note:
        `growth of the live heap (after GC) per page, from the 5th page request to the last (${steady.length} requests; ` +
        `largest growth ${round(maxGrowth, 2)} MB): what the expansion keeps of past pages; baseline: one raw page`,
    },
  ];
}

/** The slope of `values` against their index (least squares). */
function leastSquaresSlope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of values.entries()) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return numerator / denominator;
}
