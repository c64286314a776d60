import { describe, expect, it } from 'vitest';
import { BatchProcessor, createMemoryStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

describe('an owner that lost its lease with no other replica around', () => {
  it('stops, then claims the job back once the lease lapsed and finishes it; waitFor resolves', async () => {
    const store = createMemoryStore();
    const renew = store.renewJob.bind(store);
    let refusals = 1;
    // As if a long stall (GC pause, overloaded machine) had let the lease lapse once.
    store.renewJob = async (jobId, owner, leaseMs) => (refusals-- > 0 ? false : renew(jobId, owner, leaseMs));
    const summarizer = new FakeSummarizer({ latencyMs: 30 });
    const processor = new BatchProcessor({
      store,
      transcripts: new FakeTranscriptSource(),
      summarizer,
      leaseMs: 300,
      pollIntervalMs: 20,
      concurrency: { summaries: 2 },
    });
    const starts: boolean[] = [];
    processor.on('batchStart', ({ resumed }) => starts.push(resumed));
    try {
      const urls = Array.from({ length: 20 }, (_, index) => `https://youtu.be/l${String(index).padStart(10, '0')}`);
      const job = await processor.submit({ userId: 'u', urls });
      const ended = await processor.waitFor(job.id, job);
      expect(ended.status).toBe('done');
      expect(ended.counts.done).toBe(20);
      // The scripted lapse, then the claim back; a loaded machine can stall past a lease again
      // (CI saw [false, true, true]): every later start is a resume, never a second first run.
      expect(starts[0]).toBe(false);
      expect(starts.length).toBeGreaterThanOrEqual(2);
      expect(starts.slice(1).every((resumed) => resumed)).toBe(true);
      expect(new Set(summarizer.calls).size).toBe(20);
    } finally {
      await processor.close();
    }
  });
});
