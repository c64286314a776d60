import { getEventListeners } from 'node:events';
import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MAX_VIDEOS_PER_BATCH, TubesumError, createMemoryStore } from '@tubesum/core';
import type { BatchProcessor, ItemEndEvent, ItemRetryEvent } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { setup, urlsOf, videoIds } from './helpers.js';

const open: BatchProcessor[] = [];
function track<T extends { processor: BatchProcessor }>(value: T): T {
  open.push(value.processor);
  return value;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((processor) => processor.close()));
});

describe('BatchProcessor: submit, events and results', () => {
  it('returns the job at once with rejected and duplicate inputs, then summarizes every video', async () => {
    const { processor, summarizer, events } = track(setup({ summarizer: new FakeSummarizer({ latencyMs: 5 }) }));
    const ids = videoIds(5);
    const job = await processor.submit({
      userId: 'alice',
      name: 'Talks',
      urls: [...urlsOf(ids), `https://youtu.be/${ids[0]}`, 'https://example.com/nope'],
    });
    expect(job.status).toBe('running');
    expect(job.total).toBe(5);
    expect(job.name).toBe('Talks');
    expect(job.duplicates).toEqual([{ input: `https://youtu.be/${ids[0]}`, videoId: ids[0] }]);
    expect(job.rejected).toHaveLength(1);
    expect(job.rejected[0]?.input).toBe('https://example.com/nope');

    const ended = await processor.waitFor(job.id, job);
    expect(ended.status).toBe('done');
    expect(ended.counts).toEqual({ pending: 0, running: 0, done: 5, failed: 0, cancelled: 0 });
    expect(ended.progress.percent).toBe(100);
    expect(ended.progress.ended).toBe(5);
    // The deprecated name still carries the same number.
    expect(ended.progress.finished).toBe(ended.progress.ended);
    expect([...summarizer.calls].sort()).toEqual(ids);

    const names = events.map((entry) => entry.name);
    expect(names[0]).toBe('batchStart');
    expect(names.at(-1)).toBe('batchEnd');
    expect(names.filter((name) => name === 'itemEnd')).toHaveLength(5);
    const progress = events.filter((entry) => entry.name === 'batchProgress').map((entry) => entry.event.progress.ended);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const lastEnd = events.filter((entry) => entry.name === 'itemEnd').at(-1)?.event as ItemEndEvent;
    expect(lastEnd.progress.etaMs).toBe(0);
  });

  it('records the items with their status, title and summary', async () => {
    const { processor } = track(setup());
    const job = await processor.submit({ userId: 'alice', urls: urlsOf(videoIds(3)) });
    await processor.waitFor(job.id, job);
    const items = await processor.items(job.id, { userId: 'alice' });
    expect(items.map((item) => [item.index, item.status])).toEqual([
      [0, 'done'],
      [1, 'done'],
      [2, 'done'],
    ]);
    expect(items[0]?.title).toBe(`Video ${videoIds(1)[0]}`);
    expect(items[0]?.summaryKey).toMatch(/^summary:v1:/);
  });

  it('throws INVALID_URL with the reasons when no input is a video', async () => {
    const { processor } = track(setup());
    const error = await processor.submit({ userId: 'alice', urls: 'https://vimeo.com/123 hello' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TubesumError);
    expect((error as TubesumError).code).toBe(ErrorCode.INVALID_URL);
    expect((error as TubesumError).details.rejected).toHaveLength(2);
    const empty = await processor.submit({ userId: 'alice', urls: '' }).catch((caught: unknown) => caught);
    expect((empty as TubesumError).message).toBe('No YouTube URL was given.');
  });

  it('refuses a batch larger than MAX_VIDEOS_PER_BATCH and says how to proceed', async () => {
    const { processor } = track(setup());
    const error = await processor.submit({ userId: 'a', urls: videoIds(MAX_VIDEOS_PER_BATCH + 1) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringMatching(/at most 50,000 videos; this one has 50,001\. Split/) });
    expect(await processor.list({ userId: 'a' })).toEqual([]);
  });

  it('validates its options and names the field, the expectation and the value', () => {
    const transcripts = new FakeTranscriptSource();
    const summarizer = new FakeSummarizer();
    expect(() => setup({ transcripts, summarizer, concurrency: { transcripts: 0 } })).toThrow(
      /Expected `concurrency\.transcripts` to be a positive integer, got `0`/,
    );
    expect(() => setup({ transcripts, summarizer, retry: { attempts: 99 } })).toThrow(/`retry\.attempts`/);
    // @ts-expect-error a summarizer is required
    expect(() => setup({ transcripts, summarizer: { model: 'x' } })).toThrow(/`summarizer`.*`summarize\(\)`/);
  });

  it('validates submit() input', async () => {
    const { processor } = track(setup());
    await expect(processor.submit({ userId: '', urls: 'x' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringMatching(/`userId`/) });
    await expect(processor.submit({ userId: 'a', urls: urlsOf(videoIds(1)), options: { length: 'huge' as 'short' } })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringMatching(/`options\.length`.*`"huge"`/),
    });
    await expect(processor.submit({ userId: 'a', urls: 42 as unknown as string })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('hands the job options to the summarizer and the transcript languages to the source', async () => {
    const transcripts = new FakeTranscriptSource();
    const { processor, summarizer } = track(setup({ transcripts }));
    const job = await processor.submit({
      userId: 'a',
      urls: urlsOf(videoIds(1)),
      options: { length: 'short', language: 'de', instructions: 'Focus on numbers.', transcriptLanguages: ['fr', 'en'] },
    });
    await processor.waitFor(job.id, job);
    expect(summarizer.callOptions[0]).toMatchObject({ length: 'short', language: 'de', instructions: 'Focus on numbers.' });
    expect(summarizer.callOptions[0]?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('BatchProcessor: users', () => {
  it('never shows, cancels or exports another user’s job', async () => {
    const { processor } = track(setup());
    const job = await processor.submit({ userId: 'alice', urls: urlsOf(videoIds(2)) });
    for (const call of [
      () => processor.get(job.id, { userId: 'mallory' }),
      () => processor.cancel(job.id, { userId: 'mallory' }),
      () => processor.export(job.id, { userId: 'mallory' }),
      () => processor.items(job.id, { userId: 'mallory' }),
      () => processor.get('no-such-job', { userId: 'alice' }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    }
    await processor.waitFor(job.id, job);
    await expect(processor.get(job.id, { userId: 'mallory' })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await processor.list({ userId: 'mallory' })).toEqual([]);
    const second = await processor.submit({ userId: 'alice', urls: urlsOf(videoIds(1, 'w')) });
    expect((await processor.list({ userId: 'alice' })).map((each) => each.id)).toEqual([second.id, job.id]);
  });
});

describe('BatchProcessor: concurrency and fairness', () => {
  it('keeps transcripts and summaries within their own limits, shared by all jobs', async () => {
    const transcripts = new FakeTranscriptSource({ latencyMs: 3 });
    const summarizer = new FakeSummarizer({ latencyMs: 8 });
    const { processor } = track(setup({ transcripts, summarizer, concurrency: { transcripts: 2, summaries: 3 } }));
    const jobs = await Promise.all([
      processor.submit({ userId: 'a', urls: urlsOf(videoIds(20, 'a')) }),
      processor.submit({ userId: 'b', urls: urlsOf(videoIds(20, 'b')) }),
    ]);
    await Promise.all(jobs.map((job) => processor.waitFor(job.id, job)));
    expect(transcripts.maxInFlight).toBe(2);
    expect(summarizer.maxInFlight).toBe(3);
    expect(summarizer.calls).toHaveLength(40);
  });

  it('does not let a large batch hold back a small one submitted after it', async () => {
    const summarizer = new FakeSummarizer({ latencyMs: 5 });
    const { processor, events } = track(setup({ summarizer, concurrency: { transcripts: 2, summaries: 2 } }));
    const big = await processor.submit({ userId: 'big', urls: urlsOf(videoIds(200, 'b')) });
    const small = await processor.submit({ userId: 'small', urls: urlsOf(videoIds(3, 's')) });
    await processor.waitFor(small.id, small);
    const bigDone = events.filter((entry) => entry.name === 'itemEnd' && entry.event.jobId === big.id).length;
    // Round-robin: the 3 small items ran interleaved with the big job's, not after its 200.
    expect(bigDone).toBeLessThan(30);
    await processor.cancel(big.id, { userId: 'big' });
  });
});

describe('BatchProcessor: retries and failures', () => {
  it('retries retryable failures and reports each retry', async () => {
    const transcripts = new FakeTranscriptSource({ failures: { v0000000000: [ErrorCode.TOO_MANY_REQUESTS, ErrorCode.TOO_MANY_REQUESTS, null] } });
    const { processor, events } = track(setup({ transcripts }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(2)) });
    const ended = await processor.waitFor(job.id, job);
    expect(ended.counts.done).toBe(2);
    const retries = events.filter((entry) => entry.name === 'itemRetry').map((entry) => entry.event as ItemRetryEvent);
    expect(retries.map((retry) => [retry.attempt, retry.error.code, retry.stage])).toEqual([
      [1, 'TOO_MANY_REQUESTS', 'transcript'],
      [2, 'TOO_MANY_REQUESTS', 'transcript'],
    ]);
    const items = await processor.items(job.id, { userId: 'a' });
    expect(items[0]?.attempts).toBe(4); // 3 transcript attempts + 1 summary
    expect(items[0]?.stageAttempts).toEqual({ transcript: 3, summary: 1 });
    // batch.json says the same per stage (format 2).
    const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: 'a' }));
    const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as { items: { attempts: unknown }[] };
    expect(manifest.items[0]?.attempts).toEqual({ transcript: 3, summary: 1, total: 4 });
  });

  it('does not retry what cannot succeed, and a failed video never stops the batch', async () => {
    const summarizer = new FakeSummarizer({ failures: { v0000000001: ErrorCode.CONTEXT_TOO_LONG } });
    const { processor, events } = track(setup({ summarizer }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(3)) });
    const ended = await processor.waitFor(job.id, job);
    expect(ended.counts).toMatchObject({ done: 2, failed: 1 });
    expect(summarizer.calls.filter((id) => id === 'v0000000001')).toHaveLength(1);
    expect(events.some((entry) => entry.name === 'itemRetry')).toBe(false);
    const failed = (await processor.items(job.id, { userId: 'a' }))[1];
    expect(failed?.error).toMatchObject({ code: 'CONTEXT_TOO_LONG', retryable: false, videoId: 'v0000000001' });
  });

  it('gives up after the configured attempts with every attempt’s error', async () => {
    const summarizer = new FakeSummarizer({ failures: { v0000000000: ErrorCode.OVERLOADED } });
    const { processor } = track(setup({ summarizer }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(1)) });
    await processor.waitFor(job.id, job);
    const [item] = await processor.items(job.id, { userId: 'a' });
    expect(summarizer.calls).toHaveLength(3);
    expect(item?.error?.code).toBe('OVERLOADED');
    expect(item?.error?.message).toMatch(/gave up after 3 attempts/);
    expect(item?.error?.details?.attempts).toHaveLength(3);
  });

  it('waits at least what retry-after asks for', async () => {
    const limited = new TubesumError(ErrorCode.RATE_LIMITED, 'Slow down', { retryAfterMs: 150 });
    const summarizer = new FakeSummarizer({ failures: { v0000000000: [limited, null] } });
    const { processor, events } = track(setup({ summarizer, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5000 } }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(1)) });
    const started = performance.now();
    await processor.waitFor(job.id, job);
    const retry = events.find((entry) => entry.name === 'itemRetry')?.event as ItemRetryEvent;
    expect(retry.delayMs).toBeGreaterThanOrEqual(150);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('times out an attempt that takes too long', async () => {
    const transcripts = new FakeTranscriptSource({ latencyMs: (id) => (id === 'v0000000000' ? 10_000 : 0) });
    const { processor } = track(setup({ transcripts, itemTimeoutMs: 30, retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 2 } }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(2)) });
    const ended = await processor.waitFor(job.id, job);
    expect(ended.counts).toMatchObject({ done: 1, failed: 1 });
    const [item] = await processor.items(job.id, { userId: 'a' });
    expect(item?.error?.code).toBe('TIMEOUT');
    expect(transcripts.signals.filter((signal) => signal.aborted).length).toBeGreaterThanOrEqual(2);
  });
});

describe('BatchProcessor: cancellation', () => {
  it('stops work in flight, keeps what is done, and can still export', async () => {
    const summarizer = new FakeSummarizer({ latencyMs: (id) => (id < 'v0000000002' ? 1 : 60_000) });
    const { processor } = track(setup({ summarizer, concurrency: { transcripts: 2, summaries: 2 } }));
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(10)) });
    await new Promise<void>((resolve) => {
      processor.on('itemEnd', (event) => {
        if (event.progress.counts.done === 2) resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const cancelled = await processor.cancel(job.id, { userId: 'a' });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.counts).toEqual({ pending: 0, running: 0, done: 2, failed: 0, cancelled: 8 });
    // The summaries in flight saw their signal abort.
    expect(summarizer.inFlight).toBe(0);
    const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: 'a' }));
    const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as { items: Array<{ status: string }> };
    expect(manifest.items.map((item) => item.status).filter((status) => status === 'cancelled')).toHaveLength(8);
    expect(Object.keys(zip.files).filter((name) => name.startsWith('summaries/') && name.endsWith('.md'))).toHaveLength(2);
  });

  it('cancels through the caller’s AbortSignal and leaves no listener behind', async () => {
    const summarizer = new FakeSummarizer({ latencyMs: 60_000 });
    const { processor } = track(setup({ summarizer }));
    const controller = new AbortController();
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(4)), signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const ended = await processor.waitFor(job.id, job);
    expect(ended.status).toBe('cancelled');
    expect(ended.counts.cancelled).toBe(4);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses a submit whose signal is already aborted with CANCELLED, storing nothing', async () => {
    const { processor } = track(setup());
    const controller = new AbortController();
    controller.abort();
    await expect(processor.submit({ userId: 'a', urls: urlsOf(videoIds(2)), signal: controller.signal })).rejects.toMatchObject({
      code: ErrorCode.CANCELLED,
    });
    expect(await processor.list({ userId: 'a' })).toEqual([]);
  });

  it('leaves no abort listener on the caller’s signal after a normal end', async () => {
    const { processor } = track(setup());
    const controller = new AbortController();
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(30)), signal: controller.signal });
    await processor.waitFor(job.id, job);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('BatchProcessor: caching and resuming', () => {
  it('makes no second transcript or summarizer call for the same videos', async () => {
    const { processor, transcripts, summarizer } = track(setup());
    const urls = urlsOf(videoIds(6));
    await processor.waitFor((await processor.submit({ userId: 'a', urls })).id, { userId: 'a' });
    expect(summarizer.calls).toHaveLength(6);
    const again = await processor.waitFor((await processor.submit({ userId: 'b', urls })).id, { userId: 'b' });
    expect(again.counts.done).toBe(6);
    expect(summarizer.calls).toHaveLength(6);
    expect(transcripts.calls).toHaveLength(6);
    // Anything that changes the summary changes the key.
    await processor.waitFor((await processor.submit({ userId: 'b', urls, options: { length: 'detailed' } })).id, { userId: 'b' });
    expect(summarizer.calls).toHaveLength(12);
    expect(transcripts.calls).toHaveLength(6);
  });

  it('closing keeps the job resumable; another processor on the same store finishes it', async () => {
    const store = createMemoryStore();
    const first = setup({ store, summarizer: new FakeSummarizer({ latencyMs: (id) => (id < 'v0000000003' ? 1 : 60_000) }) });
    const job = await first.processor.submit({ userId: 'a', urls: urlsOf(videoIds(8)) });
    await new Promise<void>((resolve) => {
      first.processor.on('itemEnd', (event) => event.progress.counts.done === 3 && resolve());
    });
    const waiting = first.processor.waitFor(job.id, job);
    await first.processor.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.CANCELLED, message: expect.stringMatching(/resume/) });
    const stored = await store.getJobState(job.id);
    expect(stored?.status).toBe('running');

    const second = track(setup({ store }));
    const resumed = await second.processor.resume();
    expect(resumed.map((each) => each.id)).toEqual([job.id]);
    const ended = await second.processor.waitFor(job.id, job);
    expect(ended.status).toBe('done');
    expect(ended.counts.done).toBe(8);
    // The three finished before closing were not redone.
    expect(second.summarizer.calls.sort()).toEqual(videoIds(8).slice(3));
  });
});

describe('BatchProcessor: resume only some jobs', () => {
  it('resumes just the jobs named in jobIds', async () => {
    const store = createMemoryStore();
    const first = setup({ store, summarizer: new FakeSummarizer({ latencyMs: 60_000 }) });
    const a = await first.processor.submit({ userId: 'a', urls: urlsOf(videoIds(2, 'a')) });
    const b = await first.processor.submit({ userId: 'b', urls: urlsOf(videoIds(2, 'b')) });
    await first.processor.close();

    const second = track(setup({ store }));
    const resumed = await second.processor.resume({ jobIds: [b.id] });
    expect(resumed.map((each) => each.id)).toEqual([b.id]);
    expect((await second.processor.waitFor(b.id, b)).status).toBe('done');
    expect((await store.getJobState(a.id))?.status).toBe('running');
    await expect(second.processor.resume({ jobIds: 'x' as unknown as string[] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('BatchProcessor: closing the store', () => {
  it('closes a store passed in only when closeStore is set', async () => {
    let closed = 0;
    const store = createMemoryStore();
    store.close = async () => void (closed += 1);
    await setup({ store }).processor.close();
    expect(closed).toBe(0);
    await setup({ store, closeStore: true }).processor.close();
    expect(closed).toBe(1);
  });
});

describe('BatchProcessor: a store that fails at the end', () => {
  it('never announces an end it could not store: the job pauses, the store says running, resume() ends it', async () => {
    const store = createMemoryStore();
    const save = store.saveJobState.bind(store);
    let failing = false;
    store.saveJobState = async (jobId, state) => {
      if (failing && state.status !== 'running') throw new Error('disk full');
      return save(jobId, state);
    };
    const { processor, events } = track(setup({ store, retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 2 } }));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      failing = true;
      const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(2)) });
      const stopped = await processor.waitFor(job.id, job);
      expect(stopped.status).toBe('paused');
      expect(stopped.pauseReason?.code).toBe('STORAGE_ERROR');
      expect(events.filter((entry) => entry.name === 'batchEnd')).toHaveLength(0);
      expect(events.filter((entry) => entry.name === 'batchPause')).toHaveLength(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((message) => message.includes('could not be stored'))).toBe(true);
      // The store still says running, so a later resume() ends the job there.
      expect((await store.getJobState(job.id))?.status).toBe('running');
      failing = false;
      const again = track(setup({ store }));
      await again.processor.resume();
      expect((await again.processor.waitFor(job.id, job)).status).toBe('done');
      expect((await store.getJobState(job.id))?.status).toBe('done');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
