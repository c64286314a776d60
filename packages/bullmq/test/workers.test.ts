import { BatchProcessor, ErrorCode, createMemoryStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import type { FailureScript } from '@tubesum/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { skipUnlessReachable } from '../../core/test/storage/services.js';
import { REDIS_URL, WORKER_RETRY, isolatedRedis, readCallLog, startSubmitter, startWorkers, videoUrls } from './support/cluster.js';

const skip = await skipUnlessReachable('Redis', REDIS_URL);
const redis = isolatedRedis('workers');

describe.skipIf(skip)('a batch on worker processes', () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function submitter(names: { prefix: string; namespace: string }, options: { globalConcurrency?: number } = {}) {
    const started = await startSubmitter(names, options);
    cleanup.push(started.close);
    return started;
  }

  /** Per item, the names of its events in order (with the stage of itemStage and itemRetry), and how it ended. */
  function recordItems(processor: BatchProcessor): Map<number, string[]> {
    const perItem = new Map<number, string[]>();
    const note = (index: number, line: string) => perItem.set(index, [...(perItem.get(index) ?? []), line]);
    processor.on('itemStart', ({ item }) => note(item.index, 'itemStart'));
    processor.on('itemStage', ({ item, stage }) => note(item.index, `itemStage ${stage}`));
    processor.on('itemRetry', ({ item, stage, attempt, error }) => note(item.index, `itemRetry ${stage} ${attempt} ${error.code}`));
    processor.on('itemEnd', ({ item, status, error }) => note(item.index, `itemEnd ${status}${error ? ` ${error.code}` : ''} attempts=${item.attempts}`));
    return perItem;
  }

  const transcriptFailures: FailureScript = { v0000000003: [ErrorCode.TIMEOUT, null], v0000000005: ErrorCode.VIDEO_UNAVAILABLE };
  const summaryFailures: FailureScript = { v0000000007: [ErrorCode.RATE_LIMITED, null], v0000000009: ErrorCode.CONTEXT_TOO_LONG };

  it('runs a 200-video batch across 3 workers, each video once, with the events of the local mode', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.200`;
    const workers = await startWorkers(3, {
      redis: REDIS_URL,
      store: REDIS_URL,
      ...names,
      transcriptMs: 5,
      // Long enough that no two workers drain the queue before the third fetches (the test asserts
      // every worker took a share): at 20 ms, one loaded worker got none.
      summaryMs: 60,
      transcripts: 2,
      // Fewer slots per worker than half the global limit (3 + 3 < 8): two workers can never hold
      // every global slot, so the third always gets summaries. With 4 each, two workers held all 8
      // and the third got none (CI, Node 20, a loaded machine).
      summaries: 3,
      callLog,
      transcriptFailures,
      summaryFailures,
    });
    const { processor } = await submitter(names, { globalConcurrency: 8 });
    const distributed = recordItems(processor);
    const job = await processor.submit({ userId: 'u', urls: videoUrls(200) });
    const done = await processor.waitFor(job.id, { userId: 'u' });
    // Two videos failed, so the batch ended `failed`, as it does in process.
    expect(done.status).toBe('failed');
    expect(done.counts).toMatchObject({ done: 198, failed: 2 });

    // The same batch in process, with the same fakes and retry policy: the same events per item.
    const local = new BatchProcessor({
      store: createMemoryStore(),
      transcripts: new FakeTranscriptSource({ latencyMs: 5, failures: transcriptFailures }),
      summarizer: new FakeSummarizer({ latencyMs: 20, failures: summaryFailures }),
      retry: WORKER_RETRY,
    });
    const inProcess = recordItems(local);
    const localJob = await local.submit({ userId: 'u', urls: videoUrls(200) });
    expect((await local.waitFor(localJob.id, { userId: 'u' })).status).toBe('failed');
    await local.close();
    expect(distributed.size).toBe(200);
    for (let index = 0; index < 200; index += 1) expect({ index, events: distributed.get(index) }).toEqual({ index, events: inProcess.get(index) });
    expect(distributed.get(3)).toEqual(['itemStart', 'itemStage transcript', 'itemRetry transcript 1 TIMEOUT', 'itemStage summary', 'itemEnd done attempts=3']);

    const starts = readCallLog(callLog).filter((line) => line.what === 'start');
    // Every video's summary once, plus the one retried; every worker took a share.
    expect(starts).toHaveLength(198 + 1 + 1);
    expect(new Set(starts.map((line) => line.pid)).size).toBe(3);
    const items = await processor.items(job.id, { userId: 'u' });
    expect(items.filter((item) => item.status === 'done').every((item) => item.summaryKey !== undefined && item.transcriptKey !== undefined)).toBe(true);
    const zip = await processor.export(job.id, { userId: 'u' });
    expect(zip.byteLength).toBeGreaterThan(1000);
    // A second batch of the same videos comes from the cache: no summarizer call.
    const again = await processor.submit({ userId: 'u', urls: videoUrls(20).filter((_, index) => index !== 5 && index !== 9) });
    expect((await processor.waitFor(again.id, { userId: 'u' })).counts.done).toBe(18);
    expect(readCallLog(callLog).filter((line) => line.what === 'start')).toHaveLength(200);
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
  }, 180_000);

  it('two batches of the same videos at once on 3 workers: each summary is paid once', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.twice`;
    await startWorkers(3, { redis: REDIS_URL, store: REDIS_URL, ...names, transcriptMs: 2, summaryMs: 150, transcripts: 2, summaries: 3, callLog });
    const { processor } = await submitter(names);
    const cached: boolean[] = [];
    processor.on('itemEnd', ({ cached: fromCache }) => cached.push(fromCache === true));
    const [first, second] = await Promise.all([
      processor.submit({ userId: 'u', urls: videoUrls(30, 'd') }),
      processor.submit({ userId: 'u', urls: videoUrls(30, 'd') }),
    ]);
    for (const job of [first, second]) expect((await processor.waitFor(job.id, { userId: 'u' })).counts.done).toBe(30);
    const starts = readCallLog(callLog).filter((line) => line.what === 'start');
    expect(starts).toHaveLength(30);
    expect(new Set(starts.map((line) => line.videoId)).size).toBe(30);
    // Each video's summary was written once and read from the cache once.
    expect(cached.filter(Boolean)).toHaveLength(30);
  }, 120_000);
});
