import { BatchProcessor, ErrorCode, TubesumError, createMemoryStore } from '@tubesum/core';
import type { BatchStore, ItemExecutor, ItemHooks, ItemResult, ItemTask } from '@tubesum/core';
import { describe, expect, it } from 'vitest';
import { urlsOf, videoIds } from './helpers.js';

/** An executor that runs nothing itself: each item waits until the test settles it. */
class ManualExecutor implements ItemExecutor {
  readonly capacity = 3;
  readonly running = new Map<number, { task: ItemTask; hooks: ItemHooks; resolve: (result: ItemResult) => void; reject: (error: unknown) => void }>();
  maxRunning = 0;
  readonly stops: { jobId: string; reason: string; cancelStored: boolean }[] = [];
  readonly #store: BatchStore;

  constructor(store: BatchStore) {
    this.#store = store;
  }

  run(task: ItemTask, signal: AbortSignal, hooks: ItemHooks): Promise<ItemResult> {
    return new Promise((resolve, reject) => {
      this.running.set(task.item.index, { task, hooks, resolve, reject });
      this.maxRunning = Math.max(this.maxRunning, this.running.size);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }).finally(() => this.running.delete(task.item.index)) as Promise<ItemResult>;
  }

  async stopJob(jobId: string, reason: 'cancel' | 'pause' | 'close' | 'lost'): Promise<void> {
    this.stops.push({ jobId, reason, cancelStored: await this.#store.isCancelRequested(jobId) });
  }

  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('the executor option', () => {
  it('runs items through the executor: its progress becomes the events and the item records, its limit the admission', async () => {
    const store = createMemoryStore();
    const executor = new ManualExecutor(store);
    const processor = new BatchProcessor({ store, executor });
    const events: string[] = [];
    processor.on('itemStage', ({ item, stage }) => events.push(`${item.index} stage ${stage}`));
    processor.on('itemRetry', ({ item, stage, attempt }) => events.push(`${item.index} retry ${stage} ${attempt}`));
    processor.on('itemEnd', ({ item, status, cached }) => events.push(`${item.index} end ${status} ${String(cached)} ${item.title ?? ''} ${item.attempts}`));
    const job = await processor.submit({ userId: 'u', urls: urlsOf(videoIds(5)) });
    await executor.until(() => executor.running.size === 3);
    const first = executor.running.get(0)!;
    expect(first.task).toEqual({ job: expect.objectContaining({ id: job.id, userId: 'u', options: {} }), item: { jobId: job.id, index: 0, videoId: videoIds(1)[0], url: expect.any(String) } });
    first.hooks.progress({ type: 'attempt', stage: 'transcript' });
    first.hooks.progress({ type: 'stage', stage: 'transcript' });
    first.hooks.progress({ type: 'retry', stage: 'transcript', attempt: 1, error: new TubesumError(ErrorCode.TIMEOUT, 'slow').toJSON(), delayMs: 5 });
    first.hooks.progress({ type: 'attempt', stage: 'transcript' });
    first.hooks.progress({ type: 'transcript', transcriptKey: 'transcript:v1:x', title: 'First' });
    first.hooks.progress({ type: 'attempt', stage: 'summary' });
    first.hooks.progress({ type: 'stage', stage: 'summary' });
    first.resolve({ summaryKey: 'summary:v1:x', cached: false });
    await executor.until(() => executor.running.size === 3 && !executor.running.has(0));
    for (const index of [1, 2, 3, 4]) {
      await executor.until(() => executor.running.has(index));
      executor.running.get(index)!.resolve({ summaryKey: `summary:v1:${index}`, cached: true });
    }
    const done = await processor.waitFor(job.id, { userId: 'u' });
    expect(done.counts.done).toBe(5);
    expect(executor.maxRunning).toBe(3);
    expect(events.slice(0, 4)).toEqual(['0 stage transcript', '0 retry transcript 1', '0 stage summary', '0 end done false First 3']);
    const [item] = await processor.items(job.id, { userId: 'u' });
    expect(item).toMatchObject({ status: 'done', title: 'First', transcriptKey: 'transcript:v1:x', summaryKey: 'summary:v1:x', attempts: 3, stageAttempts: { transcript: 2, summary: 1 } });
    await processor.close();
  });

  it('a cancel stores the request before stopJob, and the failures of the executor end items as in-process', async () => {
    const store = createMemoryStore();
    const executor = new ManualExecutor(store);
    const processor = new BatchProcessor({ store, executor });
    const controller = new AbortController();
    const job = await processor.submit({ userId: 'u', urls: urlsOf(videoIds(5)), signal: controller.signal });
    await executor.until(() => executor.running.size === 3);
    executor.running.get(0)!.reject(new TubesumError(ErrorCode.VIDEO_UNAVAILABLE, 'gone'));
    await executor.until(() => executor.running.has(3));
    // A cancel through submit's signal: not stored by cancel(), so the run stores it for the workers.
    controller.abort();
    const ended = await processor.waitFor(job.id, { userId: 'u' });
    expect(ended.status).toBe('cancelled');
    expect(ended.counts).toMatchObject({ failed: 1, cancelled: 4 });
    expect(executor.stops).toEqual([{ jobId: job.id, reason: 'cancel', cancelStored: true }]);
    await processor.close();
  });

  it('a pause reported by the executor pauses the batch, and stopJob hears of it', async () => {
    const store = createMemoryStore();
    const executor = new ManualExecutor(store);
    const processor = new BatchProcessor({ store, executor });
    const job = await processor.submit({ userId: 'u', urls: urlsOf(videoIds(4)) });
    await executor.until(() => executor.running.size === 3);
    const dead = new TubesumError(ErrorCode.AUTHENTICATION_FAILED, 'bad key');
    executor.running.get(1)!.hooks.pause(dead);
    const paused = await processor.waitFor(job.id, { userId: 'u' });
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason?.code).toBe(ErrorCode.AUTHENTICATION_FAILED);
    expect(executor.stops).toEqual([{ jobId: job.id, reason: 'pause', cancelStored: false }]);
    await processor.close();
  });
});
