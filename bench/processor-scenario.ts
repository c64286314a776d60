// One benchmark scenario in a fresh process, so that its peak memory is its own.
// Usage: tsx bench/processor-scenario.ts '<json Scenario>'  -> prints one JSON line of results.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchProcessor, createMemoryStore, createSqliteStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

export interface Scenario {
  /** `processor`: a batch through BatchProcessor; `floor`: the same fakes in two bare pools (the ideal pipeline). */
  mode: 'processor' | 'floor';
  items: number;
  transcriptMs: number;
  transcriptConcurrency: number;
  summaryMs: number;
  summaryConcurrency: number;
  store: 'sqlite' | 'memory';
  /** BatchProcessor `leaseMs` and `pollIntervalMs` (default: the processor's defaults). */
  leaseMs?: number;
  pollIntervalMs?: number;
}

export interface ScenarioResult {
  wallMs: number;
  /** Peak resident memory of the process, in MB. */
  maxRssMb: number;
  summarizerCalls: number;
}

const scenario = JSON.parse(process.argv[2] ?? '{}') as Scenario;
const ids = Array.from({ length: scenario.items }, (_, index) => `b${String(index).padStart(10, '0')}`);
const transcripts = new FakeTranscriptSource({ latencyMs: scenario.transcriptMs, segments: 4 });
const summarizer = new FakeSummarizer({ latencyMs: scenario.summaryMs });

/** The ideal pipeline: a transcript pool feeding a summary pool, no storage, no bookkeeping. */
async function floor(): Promise<void> {
  const pool = (limit: number) => {
    let active = 0;
    const waiting: Array<() => void> = [];
    return async <T>(task: () => Promise<T>): Promise<T> => {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        return await task();
      } finally {
        active -= 1;
        waiting.shift()?.();
      }
    };
  };
  const transcriptPool = pool(scenario.transcriptConcurrency);
  const summaryPool = pool(scenario.summaryConcurrency);
  await Promise.all(
    ids.map(async (id) => {
      const transcript = await transcriptPool(() => transcripts.fetchTranscript(id));
      await summaryPool(() => summarizer.summarize(transcript));
    }),
  );
}

const directory = mkdtempSync(join(tmpdir(), 'tubesum-bench-'));
const store = scenario.store === 'sqlite' ? createSqliteStore({ path: join(directory, 'store.sqlite') }) : createMemoryStore();
const processor = new BatchProcessor({
  transcripts,
  summarizer,
  store,
  concurrency: { transcripts: scenario.transcriptConcurrency, summaries: scenario.summaryConcurrency },
  ...(scenario.leaseMs === undefined ? {} : { leaseMs: scenario.leaseMs }),
  ...(scenario.pollIntervalMs === undefined ? {} : { pollIntervalMs: scenario.pollIntervalMs }),
});

const result: ScenarioResult = { wallMs: 0, maxRssMb: 0, summarizerCalls: 0 };
try {
  const started = performance.now();
  if (scenario.mode === 'floor') {
    await floor();
  } else {
    const job = await processor.submit({ userId: 'bench', urls: ids.map((id) => `https://youtu.be/${id}`) });
    const ended = await processor.waitFor(job.id, job);
    if (ended.counts.done !== scenario.items) throw new Error(`only ${ended.counts.done} of ${scenario.items} done`);
  }
  result.wallMs = performance.now() - started;
  result.summarizerCalls = summarizer.calls.length;
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
} finally {
  await processor.close();
  await store.close?.();
  rmSync(directory, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
