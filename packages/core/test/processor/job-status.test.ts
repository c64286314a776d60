import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchProcessor, ENDED_JOB_STATUSES, ErrorCode, createExportZip, createMemoryStore, isJobEnded } from '@tubesum/core';
import type { BatchEndEvent, BatchStore, ExportManifest, ItemRecord, JobRecord, JobSnapshot, JobState } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { setup, urlsOf, videoIds } from './helpers.js';

const open: BatchProcessor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((processor) => processor.close()));
});

/** The ZIP's `batch.json` job and `index.md` of a job, through the processor's export. */
async function exported(processor: BatchProcessor, job: { id: string; userId: string }): Promise<{ manifest: ExportManifest; index: string }> {
  const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: job.userId }));
  const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as ExportManifest;
  return { manifest, index: await zip.file('index.md')!.async('string') };
}

/** Runs a batch of `count` videos to its end and gathers what every reader sees of its status. */
async function runToEnd(options: { count: number; summarizer?: FakeSummarizer }) {
  const { processor, store, events } = setup(options.summarizer ? { summarizer: options.summarizer } : {});
  open.push(processor);
  const job = await processor.submit({ userId: 'alice', urls: urlsOf(videoIds(options.count)) });
  const waited = await processor.waitFor(job.id, job);
  const end = events.find((entry) => entry.name === 'batchEnd')?.event as BatchEndEvent;
  const got = await processor.get(job.id, job);
  const stored = await store.getJobState(job.id);
  const { manifest, index } = await exported(processor, job);
  return { waited, end, got, stored, manifest, index };
}

describe("a job's status says how it ended", () => {
  it('is `failed` when one video failed, everywhere the status is read', async () => {
    const summarizer = new FakeSummarizer({ failures: { v0000000001: ErrorCode.CONTEXT_TOO_LONG } });
    const { waited, end, got, stored, manifest, index } = await runToEnd({ count: 3, summarizer });
    expect(waited).toMatchObject({ status: 'failed', counts: { done: 2, failed: 1 } });
    expect(end.status).toBe('failed');
    expect(end.job.status).toBe('failed');
    expect(got.status).toBe('failed');
    expect(stored?.status).toBe('failed');
    expect(manifest.job.status).toBe('failed');
    expect(manifest.job.counts).toMatchObject({ done: 2, failed: 1 });
    expect(index).toContain(`\` (failed)`);
    expect(index).toContain('**Videos:** 3 — 2 done, 1 failed');
    expect(isJobEnded(waited.status)).toBe(true);
  });

  it('is `done` when every video succeeded', async () => {
    const { waited, end, got, stored, manifest, index } = await runToEnd({ count: 2 });
    expect(waited).toMatchObject({ status: 'done', counts: { done: 2, failed: 0 } });
    expect([end.status, got.status, stored?.status, manifest.job.status]).toEqual(['done', 'done', 'done', 'done']);
    expect(index).toContain(`\` (done)`);
  });

  it('is `cancelled` when the batch was cancelled, even with a failed video', async () => {
    const summarizer = new FakeSummarizer({
      failures: { v0000000000: ErrorCode.CONTEXT_TOO_LONG },
      latencyMs: (id) => (id === 'v0000000000' ? 0 : 60_000),
    });
    const { processor, store, events } = setup({ summarizer });
    open.push(processor);
    const job = await processor.submit({ userId: 'alice', urls: urlsOf(videoIds(3)) });
    await new Promise<void>((resolve) => {
      processor.on('itemEnd', (event) => {
        if (event.status === 'failed') resolve();
      });
    });
    const cancelled = await processor.cancel(job.id, job);
    expect(cancelled).toMatchObject({ status: 'cancelled', counts: { failed: 1, cancelled: 2 } });
    expect((events.find((entry) => entry.name === 'batchEnd')?.event as BatchEndEvent).status).toBe('cancelled');
    expect((await processor.waitFor(job.id, job)).status).toBe('cancelled');
    expect((await store.getJobState(job.id))?.status).toBe('cancelled');
    expect((await exported(processor, job)).manifest.job.status).toBe('cancelled');
  });

  it('counts `failed` among the ended statuses', () => {
    expect([...ENDED_JOB_STATUSES].sort()).toEqual(['cancelled', 'done', 'failed']);
    expect(isJobEnded('failed')).toBe(true);
    expect(isJobEnded('paused')).toBe(false);
    expect(isJobEnded('running')).toBe(false);
  });
});

/** A job that ended with one failed video, stored the way tubesum wrote it before `failed` existed. */
async function storeLegacyJob(store: BatchStore, state: Partial<JobState> = {}): Promise<JobRecord> {
  const job: JobRecord = {
    version: 1,
    id: `legacy-${Math.random().toString(36).slice(2)}`,
    userId: 'alice',
    createdAt: '2026-01-31T14:05:00.000Z',
    options: { length: 'standard' },
    total: 2,
    rejected: [],
    duplicates: [],
  };
  const items: ItemRecord[] = videoIds(2).map((videoId, index) => ({
    jobId: job.id,
    index,
    videoId,
    url: `https://www.youtube.com/watch?v=${videoId}`,
    input: videoId,
    status: index === 0 ? 'done' : 'failed',
    attempts: 1,
    ...(index === 0 ? {} : { error: { code: ErrorCode.VIDEO_UNAVAILABLE, message: 'Private video', retryable: false } }),
  }));
  const legacy: JobState = {
    status: 'done',
    counts: { pending: 0, running: 0, done: 1, failed: 1, cancelled: 0 },
    startedAt: '2026-01-31T14:05:01.000Z',
    ...(state.status === 'running' ? {} : { endedAt: '2026-01-31T14:09:30.000Z' }),
    ...state,
  };
  await store.createJob(job, legacy, items);
  return job;
}

describe('a job stored by an earlier version as `done` with a failed video', () => {
  function processorOn(store: BatchStore): BatchProcessor {
    const processor = new BatchProcessor({
      store,
      transcripts: new FakeTranscriptSource(),
      summarizer: new FakeSummarizer(),
      pollIntervalMs: 20,
      stateWriteIntervalMs: 10,
    });
    open.push(processor);
    return processor;
  }

  it('reads as `failed` through get(), list(), waitFor(), cancel() and the export', async () => {
    const store = createMemoryStore();
    const job = await storeLegacyJob(store);
    const processor = processorOn(store);
    expect((await processor.get(job.id, job)).status).toBe('failed');
    expect((await processor.list(job)).map((each) => [each.id, each.status])).toEqual([[job.id, 'failed']]);
    expect((await processor.waitFor(job.id, job)).status).toBe('failed');
    // Ended: cancel() changes nothing and says so.
    expect((await processor.cancel(job.id, job)).status).toBe('failed');
    const { manifest, index } = await exported(processor, job);
    expect(manifest.job.status).toBe('failed');
    expect(index).toContain(`\` (failed)`);
    // The store is read in today's words, not rewritten.
    expect((await store.getJobState(job.id))?.status).toBe('done');
  });

  it('a `done` with no failure stays `done`', async () => {
    const store = createMemoryStore();
    const job = await storeLegacyJob(store, { counts: { pending: 0, running: 0, done: 2, failed: 0, cancelled: 0 } });
    expect((await processorOn(store).get(job.id, job)).status).toBe('done');
  });

  it('ends as `failed` for a process following it, when an earlier version ends it `done`', async () => {
    const store = createMemoryStore();
    const job = await storeLegacyJob(store, { status: 'running', counts: { pending: 1, running: 0, done: 1, failed: 0, cancelled: 0 } });
    // Another (older) process owns it: this one follows it rather than adopting it.
    await store.claimJob(job.id, 'older-replica', 60_000);
    const processor = processorOn(store);
    const ends: BatchEndEvent[] = [];
    processor.on('batchEnd', (event) => ends.push(event));
    const stop = await processor.follow(job.id, job);
    const waited = processor.waitFor(job.id, job);
    await store.saveJobState(job.id, { status: 'done', counts: { pending: 0, running: 0, done: 1, failed: 1, cancelled: 0 } });
    expect((await waited).status).toBe('failed');
    expect(ends.map((event) => [event.status, event.job.status])).toEqual([['failed', 'failed']]);
    stop();
  });

  it('is exported as `failed` by createExportZip from an older snapshot', async () => {
    const store = createMemoryStore();
    const record = await storeLegacyJob(store);
    const counts = { pending: 0, running: 0, done: 1, failed: 1, cancelled: 0 };
    const snapshot: JobSnapshot = {
      ...record,
      status: 'done',
      counts,
      progress: { total: 2, counts, ended: 2, finished: 2, percent: 100, elapsedMs: 0, etaMs: 0, current: [] },
    };
    const items = await store.getItems(record.id);
    const zip = await JSZip.loadAsync(
      await createExportZip(
        snapshot,
        items.map((item) => ({ item })),
      ),
    );
    const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as ExportManifest;
    expect(manifest.job.status).toBe('failed');
  });
});
