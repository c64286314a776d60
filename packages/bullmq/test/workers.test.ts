import { BatchProcessor, openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { afterEach, describe, expect, it } from 'vitest';
import { skipUnlessReachable } from '../../core/test/storage/services.js';
import { createQueueExecutor } from '../src/index.js';
import type { QueueExecutor } from '../src/index.js';
import { REDIS_URL, isolatedRedis, readCallLog, startWorkers, videoUrls } from './support/cluster.js';

const skip = await skipUnlessReachable('Redis', REDIS_URL);
const redis = isolatedRedis('workers');

describe.skipIf(skip)('a batch on worker processes', () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function submitter(names: { prefix: string; namespace: string }, options: { globalConcurrency?: number } = {}) {
    const store: BatchStore = await openStore(REDIS_URL, { namespace: names.namespace });
    const executor: QueueExecutor = createQueueExecutor({
      connection: REDIS_URL,
      prefix: names.prefix,
      pollIntervalMs: 200,
      ...(options.globalConcurrency === undefined ? {} : { summaries: { globalConcurrency: options.globalConcurrency } }),
    });
    const processor = new BatchProcessor({ store, executor, stateWriteIntervalMs: 50 });
    cleanup.push(async () => {
      await processor.close();
      await executor.close();
      await store.close?.();
    });
    await executor.ready();
    return { store, executor, processor };
  }

  it('runs a 200-video batch across 3 workers, each video once, with the events of the local mode', async () => {
    const names = redis.fresh();
    const callLog = `${redis.callLog}.200`;
    const workers = await startWorkers(3, { redis: REDIS_URL, store: REDIS_URL, ...names, transcriptMs: 5, summaryMs: 20, transcripts: 2, summaries: 4, callLog });
    const { processor } = await submitter(names, { globalConcurrency: 8 });
    const events: string[] = [];
    for (const name of ['itemStart', 'itemStage', 'itemEnd'] as const) {
      processor.on(name, (event) => events.push(`${event.item.index} ${name}${'stage' in event ? ` ${event.stage}` : ''}`));
    }
    const job = await processor.submit({ userId: 'u', urls: videoUrls(200) });
    const done = await processor.waitFor(job.id, { userId: 'u' });
    expect(done.status).toBe('done');
    expect(done.counts.done).toBe(200);
    const starts = readCallLog(callLog).filter((line) => line.what === 'start');
    expect(starts).toHaveLength(200);
    expect(new Set(starts.map((line) => line.videoId)).size).toBe(200);
    // Every worker took a share.
    expect(new Set(starts.map((line) => line.pid)).size).toBe(3);
    // Per item, the sequence of the in-process pipeline: start, transcript stage, summary stage, end.
    for (let index = 0; index < 200; index += 1) {
      expect(events.filter((line) => line.startsWith(`${index} `))).toEqual([`${index} itemStart`, `${index} itemStage transcript`, `${index} itemStage summary`, `${index} itemEnd`]);
    }
    const items = await processor.items(job.id, { userId: 'u' });
    expect(items.every((item) => item.status === 'done' && item.attempts === 2 && item.summaryKey !== undefined)).toBe(true);
    const zip = await processor.export(job.id, { userId: 'u' });
    expect(zip.byteLength).toBeGreaterThan(1000);
    // A second batch of the same videos comes from the cache: no summarizer call.
    const again = await processor.submit({ userId: 'u', urls: videoUrls(20) });
    expect((await processor.waitFor(again.id, { userId: 'u' })).counts.done).toBe(20);
    expect(readCallLog(callLog).filter((line) => line.what === 'start')).toHaveLength(200);
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
  }, 120_000);
});
