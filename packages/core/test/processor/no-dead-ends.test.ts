import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError, createMemoryStore } from '@tubesum/core';
import type { BatchPauseEvent, BatchProcessor, BatchStore, ItemEndEvent } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { storeWith } from '../support/store-with.js';
import { setup, urlsOf, videoIds } from './helpers.js';

const open: BatchProcessor[] = [];
function track<T extends { processor: BatchProcessor }>(value: T): T {
  open.push(value.processor);
  return value;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((processor) => processor.close()));
});

const fast = { attempts: 3, minDelayMs: 1, maxDelayMs: 5 };

/** A store whose calls fail while `failing(method, args)` says so. */
function flakyStore(failing: (method: string, args: unknown[]) => boolean): BatchStore {
  const inner = createMemoryStore();
  const methods = ['getCached', 'setCached', 'saveItem', 'saveJobState', 'getItems'] as const;
  return storeWith(
    inner,
    Object.fromEntries(
      methods.map((method) => [
        method,
        (...args: unknown[]) =>
          failing(method, args)
            ? Promise.reject(new Error(`connection lost during ${method}`))
            : (inner[method] as (...args: unknown[]) => Promise<unknown>).apply(inner, args),
      ]),
    ),
  );
}

describe('a dead API key pauses the batch instead of failing every video', () => {
  for (const code of [ErrorCode.AUTHENTICATION_FAILED, ErrorCode.SPEND_LIMIT_REACHED]) {
    it(`${code}: pauses after at most concurrency.summaries calls, then resume() with a good key finishes`, async () => {
      const store = createMemoryStore();
      const ids = videoIds(40);
      const dead = new FakeSummarizer({ latencyMs: 5, failures: Object.fromEntries(ids.map((id) => [id, code])) });
      const { processor, events } = track(setup({ store, summarizer: dead, concurrency: { transcripts: 4, summaries: 3 }, retry: fast }));
      const job = await processor.submit({ userId: 'a', urls: urlsOf(ids) });
      const paused = await processor.waitFor(job.id, job);
      expect(paused.status).toBe('paused');
      expect(paused.pauseReason?.code).toBe(code);
      expect(dead.calls.length).toBeLessThanOrEqual(3);
      const pause = events.find((entry) => entry.name === 'batchPause')?.event as BatchPauseEvent;
      expect(pause.reason.code).toBe(code);
      expect(events.filter((entry) => entry.name === 'itemEnd')).toHaveLength(0);
      // Nothing failed for good: every video is pending again, in memory and in the store.
      expect(paused.counts).toMatchObject({ failed: 0, done: 0, pending: 40, running: 0 });
      expect((await store.getJobState(job.id))?.status).toBe('paused');
      expect(await store.listUnfinishedJobIds()).toContain(job.id);
      expect((await store.getItems(job.id)).every((item) => item.status === 'pending')).toBe(true);

      const good = new FakeSummarizer();
      const again = track(setup({ store, summarizer: good }));
      const [resumed] = await again.processor.resume();
      expect(resumed?.id).toBe(job.id);
      const ended = await again.processor.waitFor(job.id, job);
      expect(ended.status).toBe('done');
      expect(ended.counts.done).toBe(40);
      expect(good.calls).toHaveLength(40);
    });
  }

  it('an unknown model (404) pauses too', async () => {
    const summarizer = {
      model: 'claude-nope',
      promptVersion: '1',
      calls: 0,
      async summarize(): Promise<never> {
        this.calls += 1;
        throw new TubesumError(ErrorCode.PROVIDER_ERROR, 'Anthropic does not know model claude-nope (404).', { retryable: false, details: { status: 404 } });
      },
    };
    const { processor } = track(setup({ summarizer: summarizer as never, concurrency: { summaries: 2 }, retry: fast }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(10)) });
    const paused = await processor.waitFor(job.id, job);
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason).toMatchObject({ code: 'PROVIDER_ERROR', details: { status: 404 } });
    expect(summarizer.calls).toBeLessThanOrEqual(2);
  });

  it('a YouTube block that outlasts every retry pauses; a video that is simply unavailable still fails alone', async () => {
    const transcripts = new FakeTranscriptSource({
      failures: { v0000000000: ErrorCode.VIDEO_UNAVAILABLE, v0000000003: ErrorCode.REQUEST_BLOCKED },
      latencyMs: (id) => (id === 'v0000000003' ? 20 : 1),
    });
    const { processor } = track(setup({ transcripts, concurrency: { transcripts: 1, summaries: 1 }, retry: fast }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(6)) });
    const paused = await processor.waitFor(job.id, job);
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason?.code).toBe('REQUEST_BLOCKED');
    expect(transcripts.calls.filter((id) => id === 'v0000000003')).toHaveLength(3);
    const items = await processor.items(job.id, { userId: 'a' });
    expect(items[0]?.status).toBe('failed');
    expect(items[3]?.status).toBe('pending');
  });

  it('an unreachable service (DNS) pauses at once, without retrying each video', async () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND www.youtube.com'), { code: 'ENOTFOUND' });
    const unreachable = new TubesumError(ErrorCode.NETWORK_ERROR, 'Could not reach YouTube: fetch failed', {
      cause: new TypeError('fetch failed', { cause: dns }),
    });
    const transcripts = new FakeTranscriptSource({ failures: Object.fromEntries(videoIds(30).map((id) => [id, unreachable])) });
    const { processor } = track(setup({ transcripts, concurrency: { transcripts: 2 }, retry: fast }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(30)) });
    const paused = await processor.waitFor(job.id, job);
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason?.message).toMatch(/cannot be reached from this machine/);
    expect(transcripts.calls.length).toBeLessThanOrEqual(2);
  });
});

describe('storage faults never lose paid work', () => {
  it('retries cache reads and writes through a short outage: every video done, each summary paid once', async () => {
    const outageEnds = Date.now() + 15;
    const store = flakyStore((method) => (method === 'getCached' || method === 'setCached') && Date.now() < outageEnds);
    const summarizer = new FakeSummarizer();
    const { processor } = track(setup({ store, summarizer, retry: { attempts: 8, minDelayMs: 5, maxDelayMs: 20 } }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(8)) });
    const ended = await processor.waitFor(job.id, job);
    expect(ended.counts.done).toBe(8);
    expect(summarizer.calls).toHaveLength(8);
  });

  it('keeps a paid summary it could not store, pauses, and stores it on resume() without paying again', async () => {
    let down = true;
    const store = flakyStore((method, args) => down && method === 'setCached' && String(args[0]).startsWith('summary:'));
    const summarizer = new FakeSummarizer();
    const { processor } = track(setup({ store, summarizer, concurrency: { summaries: 1 }, retry: fast }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(3)) });
    const paused = await processor.waitFor(job.id, job);
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason?.code).toBe('STORAGE_ERROR');
    const paid = [...summarizer.calls];
    expect(paid.length).toBeGreaterThanOrEqual(1);
    down = false;
    await processor.resume({ jobIds: [job.id] });
    const ended = await processor.waitFor(job.id, job);
    expect(ended.status).toBe('done');
    expect(ended.counts.done).toBe(3);
    // Every summary paid before the pause was kept, then stored: none was paid twice.
    expect(new Set(summarizer.calls).size).toBe(summarizer.calls.length);
    expect(summarizer.calls.slice(0, paid.length)).toEqual(paid);
    expect(summarizer.calls).toHaveLength(3);
  });

  it('never announces an item it could not store; the job is never stored as ended while that item is unfinished', async () => {
    let down = true;
    const store = flakyStore((method, args) => down && method === 'saveItem' && (args[0] as { index: number }).index === 1);
    const { processor, events } = track(setup({ store, concurrency: { transcripts: 1, summaries: 1 }, retry: fast }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(3)) });
    const paused = await processor.waitFor(job.id, job);
    expect(paused.status).toBe('paused');
    const announced = events.filter((entry) => entry.name === 'itemEnd').map((entry) => (entry.event as ItemEndEvent).item.index);
    expect(announced).not.toContain(1);
    for (const item of await store.getItems(job.id)) {
      if (announced.includes(item.index)) expect(item.status).toBe('done');
      else expect(item.status).toBe('pending');
    }
    expect((await store.getJobState(job.id))?.status).toBe('paused');
    down = false;
    await processor.resume();
    const ended = await processor.waitFor(job.id, job);
    expect(ended).toMatchObject({ status: 'done', counts: { done: 3 } });
  });
});

describe('the event contract', () => {
  it('itemStart fires exactly once per item, cached or not; stages are itemStage events', async () => {
    const { processor, events } = track(setup());
    const first = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(3)) });
    await processor.waitFor(first.id, first);
    const second = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(4)) });
    await processor.waitFor(second.id, second);
    const starts = (jobId: string) => events.filter((entry) => entry.name === 'itemStart' && entry.event.jobId === jobId);
    const stages = (jobId: string) => events.filter((entry) => entry.name === 'itemStage' && entry.event.jobId === jobId);
    expect(starts(first.id)).toHaveLength(3);
    expect(starts(second.id)).toHaveLength(4);
    expect(stages(first.id)).toHaveLength(6); // transcript + summary for each
    expect(stages(second.id)).toHaveLength(2); // only the new video does real work
  });

  it('a batchProgress follows every itemRetry', async () => {
    const transcripts = new FakeTranscriptSource({ failures: { v0000000000: [ErrorCode.TOO_MANY_REQUESTS, null] } });
    const { processor, events } = track(setup({ transcripts, retry: fast }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(2)) });
    await processor.waitFor(job.id, job);
    const retry = events.findIndex((entry) => entry.name === 'itemRetry');
    expect(retry).toBeGreaterThanOrEqual(0);
    expect(events[retry + 1]?.name).toBe('batchProgress');
  });

  it('waitFor requires the requester and never returns another user’s job', async () => {
    const { processor } = track(setup());
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(1)) });
    await expect(processor.waitFor(job.id, undefined as never)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(processor.waitFor(job.id, { userId: 'b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await processor.waitFor(job.id, { userId: 'a' })).status).toBe('done');
  });
});
