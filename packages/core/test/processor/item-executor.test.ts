import { BatchProcessor, ErrorCode, TubesumError, createMemoryStore } from '@tubesum/core';
import type { BatchStore, ItemExecutor, ItemHooks, ItemResult, ItemTask } from '@tubesum/core';
import { describe, expect, it } from 'vitest';
import { urlsOf, videoIds } from './helpers.js';

const key = (task: ItemTask) => `${task.item.index}${task.job.id}`;

/** An executor that runs nothing itself: each item waits until the test settles it. */
class ManualExecutor implements ItemExecutor {
  capacity: number | undefined = 3;
  capacityPerBatch: number | undefined;
  readonly running = new Map<string, { task: ItemTask; hooks: ItemHooks; resolve: (result: ItemResult) => void; reject: (error: unknown) => void }>();
  maxRunning = 0;
  readonly stops: { jobId: string; reason: string; cancelStored: boolean }[] = [];
  readonly #store: BatchStore;

  constructor(store: BatchStore) {
    this.#store = store;
  }

  run(task: ItemTask, signal: AbortSignal, hooks: ItemHooks): Promise<ItemResult> {
    return new Promise((resolve, reject) => {
      this.running.set(key(task), { task, hooks, resolve, reject });
      this.maxRunning = Math.max(this.maxRunning, this.running.size);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }).finally(() => this.running.delete(key(task))) as Promise<ItemResult>;
  }

  async stopJob(jobId: string, reason: 'cancel' | 'pause' | 'close' | 'lost'): Promise<void> {
    this.stops.push({ jobId, reason, cancelStored: await this.#store.isCancelRequested(jobId) });
  }

  /** The running item of that index (of any batch: the tests that use it run one). */
  at(index: number) {
    return [...this.running.values()].find((entry) => entry.task.item.index === index);
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
    const first = executor.at(0)!;
    expect(first.task).toEqual({
      job: expect.objectContaining({ id: job.id, userId: 'u', options: {} }),
      item: { jobId: job.id, index: 0, videoId: videoIds(1)[0], url: expect.any(String) },
    });
    first.hooks.progress({ type: 'attempt', stage: 'transcript' });
    first.hooks.progress({ type: 'stage', stage: 'transcript' });
    first.hooks.progress({ type: 'retry', stage: 'transcript', attempt: 1, error: new TubesumError(ErrorCode.TIMEOUT, 'slow').toJSON(), delayMs: 5 });
    first.hooks.progress({ type: 'attempt', stage: 'transcript' });
    first.hooks.progress({ type: 'transcript', transcriptKey: 'transcript:v1:x', title: 'First' });
    first.hooks.progress({ type: 'attempt', stage: 'summary' });
    first.hooks.progress({ type: 'stage', stage: 'summary' });
    first.resolve({ summaryKey: 'summary:v1:x', cached: false });
    await executor.until(() => executor.running.size === 3 && !(executor.at(0) !== undefined));
    for (const index of [1, 2, 3, 4]) {
      await executor.until(() => executor.at(index) !== undefined);
      executor.at(index)!.resolve({ summaryKey: `summary:v1:${index}`, cached: true });
    }
    const done = await processor.waitFor(job.id, { userId: 'u' });
    expect(done.counts.done).toBe(5);
    expect(executor.maxRunning).toBe(3);
    expect(events.slice(0, 4)).toEqual(['0 stage transcript', '0 retry transcript 1', '0 stage summary', '0 end done false First 3']);
    const [item] = await processor.items(job.id, { userId: 'u' });
    expect(item).toMatchObject({
      status: 'done',
      title: 'First',
      transcriptKey: 'transcript:v1:x',
      summaryKey: 'summary:v1:x',
      attempts: 3,
      stageAttempts: { transcript: 2, summary: 1 },
    });
    await processor.close();
  });

  it('a cancel stores the request before stopJob, and the failures of the executor end items as in-process', async () => {
    const store = createMemoryStore();
    const executor = new ManualExecutor(store);
    const processor = new BatchProcessor({ store, executor });
    const controller = new AbortController();
    const job = await processor.submit({ userId: 'u', urls: urlsOf(videoIds(5)), signal: controller.signal });
    await executor.until(() => executor.running.size === 3);
    executor.at(0)!.reject(new TubesumError(ErrorCode.VIDEO_UNAVAILABLE, 'gone'));
    await executor.until(() => executor.at(3) !== undefined);
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
    executor.at(1)!.hooks.pause(dead);
    const paused = await processor.waitFor(job.id, { userId: 'u' });
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason?.code).toBe(ErrorCode.AUTHENTICATION_FAILED);
    expect(executor.stops).toEqual([{ jobId: job.id, reason: 'pause', cancelStored: false }]);
    await processor.close();
  });

  it('with capacityPerBatch, each batch admits its own items at once, whatever the others hold', async () => {
    const store = createMemoryStore();
    const executor = new ManualExecutor(store);
    executor.capacity = undefined;
    executor.capacityPerBatch = 2;
    const processor = new BatchProcessor({ store, executor });
    const big = await processor.submit({ userId: 'u', urls: urlsOf(videoIds(10)) });
    await executor.until(() => executor.running.size === 2);
    const small = await processor.submit({ userId: 'u', urls: urlsOf(videoIds(2, 's')) });
    await executor.until(() => executor.running.size === 4);
    expect([...executor.running.values()].filter((entry) => entry.task.job.id === small.id)).toHaveLength(2);
    expect([...executor.running.values()].filter((entry) => entry.task.job.id === big.id)).toHaveLength(2);
    await processor.cancel(big.id, { userId: 'u' });
    await processor.cancel(small.id, { userId: 'u' });
    await processor.close();
  });
});
