// The batch processor with AnthropicSummarizer in batch mode: transcripts collected into Message
// Batches, results streamed into the store and the events item by item, cost on the job.
import JSZip from 'jszip';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicSummarizer, ErrorCode, createMemoryStore, describeProviderBatchWait, formatUsd } from '@tubesum/core';
import type { BatchStore, ExportManifest, ProviderBatchWait, SummaryRecord } from '@tubesum/core';
import { videoOfRequest } from '../../../test-support/src/fake-llm-server.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../../test-support/src/fake-anthropic-server.js';
import { setup, urlsOf, videoIds } from './helpers.js';

let server: FakeAnthropicServer;
beforeAll(async () => {
  server = await startFakeAnthropicServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

function batchSetup(store: BatchStore = createMemoryStore()) {
  const summarizer = new AnthropicSummarizer({
    apiKey: 'sk-ant-test',
    baseURL: server.url,
    batch: { store, windowMs: 40, pollIntervalMs: 5, maxPollIntervalMs: 20 },
  });
  return setup({ store, summarizer, concurrency: { transcripts: 4 } });
}

describe('BatchProcessor with a batching summarizer', () => {
  it('collects the transcripts into one Message Batch, streams its results into the store and the events, and totals the cost', async () => {
    const { processor, events, store } = batchSetup();
    const ids = videoIds(8);
    const job = await processor.submit({ userId: 'u', urls: urlsOf(ids) });
    const ended = await processor.waitFor(job.id, { userId: 'u' });

    expect(ended.status).toBe('done');
    expect(ended.counts.done).toBe(8);
    expect(server.requests).toHaveLength(0);
    // 8 summaries at once (not the request mode's 4): one batch, or two if the window closed early.
    expect(server.batches.batches.length).toBeLessThanOrEqual(2);
    expect(server.batches.requestCount()).toBe(8);

    const waits = events
      .filter((entry) => entry.name === 'batchProgress')
      .flatMap((entry) => ('progress' in entry.event ? entry.event.progress.current : []))
      .flatMap((current) => (current.waiting ? [current.waiting] : []));
    const submitted = waits.find((wait) => wait.phase === 'submitted');
    expect(submitted).toMatchObject({ provider: 'Anthropic', batchId: server.batches.batches[0]!.id });
    expect(describeProviderBatchWait(submitted!, Date.parse(submitted!.submittedAt!) + 12 * 60_000)).toBe(
      "waiting for Anthropic's batch (submitted 12 min ago, usually under 1 h)",
    );

    const items = await processor.items(job.id, { userId: 'u' });
    let total = 0;
    for (const item of items) {
      const record = await store.getCached<SummaryRecord>(item.summaryKey!);
      expect(record!.summary.batchApi).toBe(true);
      expect(item.costUsd).toBe(record!.summary.costUsd);
      total += record!.summary.costUsd!;
    }
    expect(ended.costUsd).toBeCloseTo(total, 12);
    const stored = await store.getJobState(job.id);
    expect(stored!.costUsd).toBeCloseTo(total, 12);

    // The cost in plain sight: the ZIP's index.md and batch.json.
    const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: 'u' }));
    const index = await zip.file('index.md')!.async('string');
    expect(index).toContain(`- **Cost:** ${formatUsd(total)} for the summaries`);
    expect(index).toContain(formatUsd(items[0]!.costUsd!));
    const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as ExportManifest;
    expect(manifest.job.costUsd).toBeCloseTo(total, 12);
    expect(manifest.items[0]!.summary).toMatchObject({ batchApi: true, costUsd: items[0]!.costUsd });
    await processor.close();
  });

  it('retries a transient errored result in a later batch, fails a permanent one with its code, and an expired one after one resubmission', async () => {
    const { processor } = batchSetup();
    const ids = videoIds(4, 'e');
    const [transient, permanent, expired, fine] = ids as [string, string, string, string];
    let transientLeft = 1;
    server.batches.setOutcome((request) => {
      const video = videoOfRequest(request.prompt);
      if (video === transient && transientLeft > 0) {
        transientLeft -= 1;
        return 'errored-transient';
      }
      if (video === permanent) return 'errored-permanent';
      if (video === expired) return 'expired';
      return 'succeeded';
    });
    const job = await processor.submit({ userId: 'u', urls: urlsOf(ids) });
    const ended = await processor.waitFor(job.id, { userId: 'u' });
    const byVideo = new Map((await processor.items(job.id, { userId: 'u' })).map((item) => [item.videoId, item]));
    expect(byVideo.get(fine)!.status).toBe('done');
    expect(byVideo.get(transient)!.status).toBe('done');
    expect(byVideo.get(transient)!.stageAttempts!.summary).toBe(2);
    expect(byVideo.get(permanent)).toMatchObject({ status: 'failed', error: { code: ErrorCode.PROVIDER_ERROR, retryable: false } });
    expect(byVideo.get(expired)).toMatchObject({ status: 'failed', error: { code: ErrorCode.BATCH_EXPIRED } });
    expect(ended.counts).toMatchObject({ done: 2, failed: 2 });
    // The expired one was sent twice, the transient one twice, the others once.
    expect(server.batches.requestCount()).toBe(6);
    await processor.close();
  });

  it('cancel cancels the provider batch, ends the items cancelled, and still stores the results that succeeded', async () => {
    const { processor, store } = batchSetup();
    server.batches.hold();
    const ids = videoIds(3, 'c');
    const kept = ids[0]!;
    server.batches.setOutcome((request, { canceled }) => (canceled && videoOfRequest(request.prompt) !== kept ? 'canceled' : 'succeeded'));
    const waits: ProviderBatchWait[] = [];
    processor.on('batchProgress', ({ progress }) => waits.push(...progress.current.flatMap((current) => (current.waiting ? [current.waiting] : []))));
    const job = await processor.submit({ userId: 'u', urls: urlsOf(ids) });
    await server.batches.waitForBatches(1);
    await until(() => waits.some((wait) => wait.phase === 'submitted'));
    await processor.cancel(job.id, { userId: 'u' });
    const ended = await processor.waitFor(job.id, { userId: 'u' });
    expect(ended.status).toBe('cancelled');
    expect(ended.counts).toMatchObject({ cancelled: 3 });
    const batchId = server.batches.batches[0]!.id;
    await until(() => server.batches.calls.includes(`POST /v1/messages/batches/${batchId}/cancel`));
    await until(() => server.batches.resultLinesSent() === 3);

    // Run the same videos again: the one that succeeded before the cancel is not paid again.
    server.batches.release();
    const again = await processor.submit({ userId: 'u', urls: urlsOf(ids) });
    const done = await processor.waitFor(again.id, { userId: 'u' });
    expect(done.counts.done).toBe(3);
    expect(server.batches.requestCount()).toBe(3 + 2);
    void store;
    await processor.close();
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries += 1) {
    if (tries > 1000) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
