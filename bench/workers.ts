// Distributed workers (@tubesum/bullmq): scaling with worker processes, the queue's overhead per video,
// a cluster-wide cancel, and a small batch beside a big one. Needs Redis at 127.0.0.1:6379; every
// key it writes is under a prefix of its own, deleted at the end. `tsx bench/workers.ts` runs it alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchProcessor, createMemoryStore, openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { createQueueExecutor } from '@tubesum/bullmq';
import { startProcess } from '../packages/core/test/replicas/replicas.js';
import type { Replica } from '../packages/core/test/replicas/replicas.js';
import { readCallLog } from '@tubesum/test-support';
import { videoUrls } from '../packages/bullmq/test/support/worker-fixtures.js';
import { deleteKeys } from '../packages/bullmq/test/support/keys.js';
import type { WorkerCommand } from '../packages/bullmq/test/support/worker-process.js';
import { round } from './types.js';
import type { BenchResult } from './types.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const script = fileURLToPath(new URL('../packages/bullmq/test/support/worker-process.ts', import.meta.url));
const run = `tsbq-bench-${process.pid}-${Date.now().toString(36)}`;
let sets = 0;
/** The limits: transcripts 20 ms, 2 at once per worker; summaries 200 ms, 4 at once per worker, 16 in the cluster. */
const LIMITS = { transcriptMs: 20, summaryMs: 200, transcripts: 2, summaries: 4 };
const GLOBAL_SUMMARIES = 16;

interface Cluster {
  names: { prefix: string; namespace: string };
  workers: Replica[];
  store: BatchStore;
  processor: BatchProcessor;
  close: () => Promise<void>;
}

/** `count` worker processes and a submitter, on prefixes of their own. */
async function cluster(count: number, command: Partial<WorkerCommand> = {}): Promise<Cluster> {
  sets += 1;
  const names = { prefix: `${run}-${sets}`, namespace: `${run}-store-${sets}` };
  const workers = Array.from({ length: count }, () => startProcess(script, { redis: REDIS_URL, store: REDIS_URL, ...names, ...LIMITS, ...command }));
  await Promise.all(workers.map((worker) => worker.next((line) => line.type === 'ready', 120_000)));
  const store = await openStore(REDIS_URL, { namespace: names.namespace });
  const executor = createQueueExecutor({
    connection: REDIS_URL,
    prefix: names.prefix,
    summaries: { globalConcurrency: GLOBAL_SUMMARIES },
    pollIntervalMs: 500,
  });
  await executor.ready();
  const processor = new BatchProcessor({ store, executor, pollIntervalMs: 100 });
  const close = async () => {
    await processor.close();
    await executor.close();
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await store.close?.();
  };
  return { names, workers, store, processor, close };
}

/** Milliseconds to run `urls` as one batch to its end. */
async function timeBatch(processor: BatchProcessor, urls: string[]): Promise<number> {
  const started = performance.now();
  const job = await processor.submit({ userId: 'bench', urls });
  const done = await processor.waitFor(job.id, { userId: 'bench' });
  if (done.counts.done !== urls.length) throw new Error(`only ${done.counts.done} of ${urls.length} videos done`);
  return performance.now() - started;
}

async function scaling(log: (line: string) => void): Promise<BenchResult[]> {
  const videos = 400;
  const throughput = new Map<number, number>();
  for (const count of [1, 2, 4]) {
    log(`workers: ${videos} videos on ${count} worker process(es)…`);
    const set = await cluster(count);
    try {
      const ms = await timeBatch(set.processor, videoUrls(videos, `w${count}`));
      throughput.set(count, videos / (ms / 1000));
    } finally {
      await set.close();
    }
  }
  log('workers: the same 400 videos in process…');
  const store = createMemoryStore();
  const local = new BatchProcessor({
    store,
    transcripts: new FakeTranscriptSource({ latencyMs: LIMITS.transcriptMs }),
    summarizer: new FakeSummarizer({ latencyMs: LIMITS.summaryMs }),
    concurrency: { transcripts: LIMITS.transcripts, summaries: LIMITS.summaries },
  });
  const localMs = await timeBatch(local, videoUrls(videos, 'wl'));
  await local.close();
  const one = throughput.get(1) ?? Number.NaN;
  const four = throughput.get(4) ?? Number.NaN;
  const perVideo = 1000 / one - localMs / videos;
  const shown = [...throughput].map(([count, value]) => `${count}: ${value.toFixed(1)}/s`).join(', ');
  return [
    {
      name: 'workers-scaling',
      value: round(four),
      unit: 'videos/s',
      baseline: round(one),
      ratio: round(four / one),
      target: '>= 3.4',
      note: `${videos} videos, transcripts ${LIMITS.transcriptMs} ms (${LIMITS.transcripts}/worker), summaries ${LIMITS.summaryMs} ms (${LIMITS.summaries}/worker, ${GLOBAL_SUMMARIES} in the cluster); throughput ${shown}`,
    },
    {
      name: 'bullmq-overhead-ms-per-video',
      value: round(perVideo, 2),
      unit: 'ms',
      baseline: round(localMs / videos, 2),
      ratio: round(perVideo, 2),
      target: '<= 5',
      note: `one worker process vs the in-process pipeline at the same limits: ${round(1000 / one, 2)} vs ${round(localMs / videos, 2)} ms per video`,
    },
  ];
}

async function fairness(log: (line: string) => void): Promise<BenchResult> {
  log('workers: a 3-video batch alone, then beside a 5,000-video batch (4 workers)…');
  const set = await cluster(4);
  try {
    const alone = await timeBatch(set.processor, videoUrls(3, 'fa'));
    const big = await set.processor.submit({ userId: 'bench', urls: videoUrls(5000, 'fb') });
    let ended = 0;
    set.processor.on('itemEnd', ({ jobId }) => {
      if (jobId === big.id) ended += 1;
    });
    while (ended < 100) await new Promise((resolve) => setTimeout(resolve, 20));
    const beside = await timeBatch(set.processor, videoUrls(3, 'fs'));
    await set.processor.cancel(big.id, { userId: 'bench' });
    return {
      name: 'fairness-small-batch',
      value: round(beside),
      unit: 'ms',
      baseline: round(alone),
      ratio: round(beside / alone),
      target: '<= 2.0',
      note: 'a 3-video batch submitted while a 5,000-video batch runs on 4 workers, vs alone on the same cluster',
    };
  } finally {
    await set.close();
  }
}

async function cancel(log: (line: string) => void, directory: string): Promise<BenchResult[]> {
  log('workers: 20 cancels of a batch running on 3 workers…');
  const callLog = join(directory, 'cancel-calls.log');
  const set = await cluster(3, { summaryMs: 60_000, transcriptMs: 1, callLog });
  const latencies: number[] = [];
  try {
    const pids = set.workers.map((worker) => String(worker.child.pid));
    for (let trial = 0; trial < 20; trial += 1) {
      const job = await set.processor.submit({ userId: 'bench', urls: videoUrls(40, `c${String(trial).padStart(2, '0')}`) });
      const tag = `c${String(trial).padStart(2, '0')}`;
      const mine = () => readCallLog(callLog).filter((line) => line.videoId.startsWith(tag));
      while (!pids.every((pid) => mine().filter((line) => line.pid === pid && line.what === 'start').length >= 2))
        await new Promise((resolve) => setTimeout(resolve, 10));
      const calledAt = Date.now();
      await set.processor.cancel(job.id, { userId: 'bench' });
      let open = 1;
      let lastAbort = 0;
      for (let tries = 0; tries < 500 && open > 0; tries += 1) {
        const lines = mine();
        const started = new Set(lines.filter((line) => line.what === 'start').map((line) => `${line.pid} ${line.videoId}`));
        for (const line of lines) if (line.what !== 'start') started.delete(`${line.pid} ${line.videoId}`);
        open = started.size;
        lastAbort = Math.max(0, ...lines.filter((line) => line.what === 'abort').map((line) => line.at));
        if (open > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (open > 0) throw new Error(`trial ${trial}: ${open} summarizer call(s) still running 5 s after cancel()`);
      latencies.push(lastAbort - calledAt);
    }
  } finally {
    await set.close();
  }
  latencies.sort((a, b) => a - b);
  const max = latencies.at(-1) ?? Number.NaN;
  const median = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  return [
    {
      name: 'cluster-cancel-ms',
      value: max,
      unit: 'ms',
      baseline: 1000,
      ratio: round(max / 1000),
      target: 'value <= 1000',
      pass: max <= 1000,
      note: `from cancel() in the submitter to the last summarizer call aborted on 3 worker processes (>= 2 in flight on each), 20 trials; median ${median} ms`,
    },
  ];
}

/** Whether Redis accepts connections at 127.0.0.1:6379. */
function redisListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function runWorkerBenchmarks(log: (line: string) => void): Promise<BenchResult[]> {
  if (!(await redisListening())) {
    log('workers: SKIPPED, no Redis at 127.0.0.1:6379 (the distributed-worker benchmarks need one).');
    return [];
  }
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-bench-workers-'));
  try {
    const results = await scaling(log);
    results.push(await fairness(log));
    results.push(...(await cancel(log, directory)));
    return results;
  } finally {
    rmSync(directory, { recursive: true, force: true });
    await deleteKeys(REDIS_URL, [run]);
  }
}

// `tsx bench/workers.ts` on its own.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await runWorkerBenchmarks((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  process.exit(0);
}
