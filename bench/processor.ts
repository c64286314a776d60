import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Scenario, ScenarioResult } from './processor-scenario.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';

const script = fileURLToPath(new URL('./processor-scenario.ts', import.meta.url));

function run(scenario: Scenario): ScenarioResult {
  const output = execFileSync(process.execPath, ['--import', 'tsx', script, JSON.stringify(scenario)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ScenarioResult;
}

export function runProcessorBenchmarks(log: (line: string) => void): BenchResult[] {
  const results: BenchResult[] = [];

  // 200 videos: transcripts 20 ms (2 at once), summaries 200 ms (8 at once).
  const throughput = { items: 200, transcriptMs: 20, transcriptConcurrency: 2, summaryMs: 200, summaryConcurrency: 8, store: 'sqlite' } as const;
  log('throughput: the ideal pipeline (bare fakes, no processor)…');
  const ideal = run({ ...throughput, mode: 'floor' });
  log('throughput: BatchProcessor on SQLite…');
  const actual = run({ ...throughput, mode: 'processor' });
  log('throughput: the original one-video-at-a-time design (20 videos, scaled to 200)…');
  const sequential = run({ ...throughput, items: 20, transcriptConcurrency: 1, summaryConcurrency: 1, mode: 'processor' });
  const sequentialMs = (sequential.wallMs * throughput.items) / 20;
  results.push({
    name: 'throughput-vs-ideal',
    value: round(actual.wallMs / 1000),
    unit: 's',
    baseline: round(ideal.wallMs / 1000),
    ratio: round(actual.wallMs / ideal.wallMs),
    target: '<= 1.10',
    note: `theoretical ideal 5.02 s (20 ms + 200 x 200 ms / 8); wall / theoretical = ${round(actual.wallMs / 5020)}`,
  });
  results.push({
    name: 'throughput-speedup-vs-sequential',
    value: round(actual.wallMs / 1000),
    unit: 's',
    baseline: round(sequentialMs / 1000),
    ratio: round(sequentialMs / actual.wallMs),
    target: 'report',
    note: 'baseline: one video at a time (transcript then summary), measured on 20 videos and scaled to 200; ratio = speed-up',
  });

  // 10,000 videos on SQLite on disk: transcripts 2 ms (4 at once), summaries 2 ms (16 at once).
  const scale = { transcriptMs: 2, transcriptConcurrency: 4, summaryMs: 2, summaryConcurrency: 16, store: 'sqlite' } as const;
  log('scale: the ideal pipeline for 10,000 (bare fakes)…');
  const scaleIdeal = run({ ...scale, items: 10_000, mode: 'floor' });
  log('scale: 1,000 videos on SQLite…');
  const small = run({ ...scale, items: 1000, mode: 'processor' });
  log('scale: 10,000 videos on SQLite…');
  const large = run({ ...scale, items: 10_000, mode: 'processor' });
  results.push({
    name: 'scale-10k-sqlite',
    value: round(large.wallMs / 1000),
    unit: 's',
    baseline: round(scaleIdeal.wallMs / 1000),
    ratio: round(large.wallMs / scaleIdeal.wallMs),
    target: '<= 1.5',
    note: `theoretical ideal 5 s (10,000 x 2 ms / 4); wall / theoretical = ${round(large.wallMs / 5000)}`,
  });
  results.push({
    name: 'scale-10k-sqlite-peak-rss',
    value: round(large.maxRssMb, 1),
    unit: 'MB',
    baseline: round(scaleIdeal.maxRssMb, 1),
    ratio: round(large.maxRssMb / scaleIdeal.maxRssMb),
    target: 'value <= 400',
    pass: large.maxRssMb <= 400,
    note: 'baseline: peak RSS of the bare-fakes pipeline for the same 10,000 videos',
  });
  const perItemSmall = small.wallMs / 1000;
  const perItemLarge = large.wallMs / 10_000;
  results.push({
    name: 'scale-10k-sqlite-cost-per-item-growth',
    value: round(perItemLarge, 4),
    unit: 'ms/item',
    baseline: round(perItemSmall, 4),
    ratio: round(perItemLarge / perItemSmall),
    target: '<= 1.3',
    note: 'cost per item at 10,000 / cost per item at 1,000',
  });

  // Ownership: the same 10,000-video run with the default lease (renewed every 10 s, cancel
  // requests looked for every 500 ms) against one whose lease and polling never fire in the run.
  log('ownership: 10,000 videos on SQLite, lease and polling idle, twice; with the defaults once more…');
  const idle = Math.min(...[0, 1].map(() => run({ ...scale, items: 10_000, mode: 'processor', leaseMs: 3_600_000, pollIntervalMs: 3_600_000 }).wallMs));
  const owned = Math.min(large.wallMs, run({ ...scale, items: 10_000, mode: 'processor' }).wallMs);
  results.push({
    name: 'ownership-overhead',
    value: round(owned / 1000),
    unit: 's',
    baseline: round(idle / 1000),
    ratio: round(owned / idle),
    target: '<= 1.05',
    note: 'scale-10k-sqlite with the default lease (30 s, renewed every 10 s) and cancel polling (500 ms) vs the same run with both idle (1 h); best of two runs each. The claim at submit and the release at the end are in both',
  });

  return results;
}
