import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BatchProcessor, createSqliteStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import type { ReplicaScenario } from './replica-scenario.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';
import { readCallLog } from '@tubesum/test-support';

const script = fileURLToPath(new URL('./replica-scenario.ts', import.meta.url));

function spawnReplica(scenario: ReplicaScenario) {
  return spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(scenario)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** 3 processes resume the same interrupted 200-video job at once: summarizer calls per video left. */
async function resumeCalls(directory: string): Promise<BenchResult> {
  const path = join(directory, 'resume.sqlite');
  const callLog = join(directory, 'calls.log');
  const store = createSqliteStore({ path });
  // The interrupted job: stored, then its processor closed before any video ran.
  const first = new BatchProcessor({ store, transcripts: new FakeTranscriptSource({ latencyMs: 60_000 }), summarizer: new FakeSummarizer() });
  const urls = Array.from({ length: 200 }, (_, index) => `https://youtu.be/q${String(index).padStart(10, '0')}`);
  await first.submit({ userId: 'bench', urls });
  await first.close();
  await store.close?.();
  const replicas = [0, 1, 2].map(() => spawnReplica({ mode: 'resume', path, callLog }));
  await Promise.all(replicas.map((child) => new Promise((resolve) => child.on('exit', resolve))));
  const calls = readCallLog(callLog).length;
  return {
    name: 'replicas-resume-calls',
    value: calls,
    unit: 'calls',
    baseline: 200,
    ratio: round(calls / 200),
    target: '<= 1.02',
    note: '3 processes call resume() at the same moment on one SQLite file holding an interrupted 200-video job; baseline: the 200 videos left',
  };
}

/** From cancel() in this process to the last in-flight request aborted in the owner process, 20 trials. */
async function crossProcessCancel(directory: string): Promise<BenchResult[]> {
  const path = join(directory, 'cancel.sqlite');
  const trials = 20;
  const owner = spawnReplica({ mode: 'cancel-trials', path, trials });
  const store = createSqliteStore({ path });
  const processor = new BatchProcessor({ store, transcripts: new FakeTranscriptSource(), summarizer: new FakeSummarizer() });
  const latencies: number[] = [];
  const cancelledAt = new Map<number, number>();
  for await (const text of createInterface({ input: owner.stdout })) {
    const line = JSON.parse(text) as { type: string; jobId?: string; trial: number; lastAbortAt?: number; aborted?: number };
    if (line.type === 'ready') {
      cancelledAt.set(line.trial, Date.now());
      await processor.cancel(line.jobId as string, { userId: 'bench' });
    } else if (line.type === 'trial') {
      if ((line.aborted ?? 0) < 4) throw new Error(`trial ${line.trial}: only ${line.aborted} requests were in flight`);
      latencies.push((line.lastAbortAt as number) - (cancelledAt.get(line.trial) as number));
    }
  }
  await processor.close();
  await store.close?.();
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  const max = latencies.at(-1) ?? Number.NaN;
  const note = `${latencies.length} trials with 4 summaries in flight each, pollIntervalMs 500 (default); median ${median} ms, max ${max} ms`;
  return [
    { name: 'cross-process-cancel-ms', value: max, unit: 'ms', baseline: 2000, ratio: round(max / 2000), target: 'value <= 2000', pass: max <= 2000, note },
    { name: 'cross-process-cancel-ms-median', value: median, unit: 'ms', baseline: 2000, ratio: round(median / 2000), target: 'report', note },
  ];
}

export async function runReplicaBenchmarks(log: (line: string) => void): Promise<BenchResult[]> {
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-bench-replicas-'));
  try {
    log('replicas: 3 processes resume one interrupted 200-video job…');
    const results = [await resumeCalls(directory)];
    log('replicas: 20 cancels from another process…');
    results.push(...(await crossProcessCancel(directory)));
    return results;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// Kept for `tsx bench/replicas.ts` on its own.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await runReplicaBenchmarks((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
