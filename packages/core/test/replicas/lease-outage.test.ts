// An owner that cannot renew its lease (store outage) stops before the lease can expire, so the
// replica that adopts the job is the only one working on it.
import { afterAll, describe, expect, it } from 'vitest';
import { BatchProcessor, openStore } from '@tubesum/core';
import type { Summarizer } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { Relay, skipUnlessReachable } from '../storage/services.js';

const skip = await skipUnlessReachable('Redis', 'redis://127.0.0.1:6379');

/** A FakeSummarizer that also records when each call started, and for which video. */
function timedSummarizer(latencyMs: number) {
  const inner = new FakeSummarizer({ latencyMs });
  const starts: number[] = [];
  const started: { at: number; videoId: string }[] = [];
  const summarizer: Summarizer = {
    model: inner.model,
    promptVersion: inner.promptVersion,
    summarize(transcript, options) {
      starts.push(Date.now());
      started.push({ at: Date.now(), videoId: transcript.videoId });
      return inner.summarize(transcript, options);
    },
  };
  return { summarizer, starts, started, inner };
}

describe.skipIf(skip)('a store outage during the owner’s heartbeat', () => {
  const relay = new Relay(6379);
  afterAll(() => relay.cut());

  it('the owner stops before its lease expires; the adopting replica alone finishes the job', async () => {
    await relay.start();
    const namespace = `lease${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    const ownerStore = await openStore(`redis://127.0.0.1:${relay.port}`, { namespace });
    const adopterStore = await openStore('redis://127.0.0.1:6379', { namespace });
    const leaseMs = 1500;
    const owner = timedSummarizer(100);
    const adopter = timedSummarizer(100);
    const common = {
      transcripts: new FakeTranscriptSource({ latencyMs: 2 }),
      leaseMs,
      pollIntervalMs: 100,
      stateWriteIntervalMs: 50,
      concurrency: { summaries: 4 },
    };
    const a = new BatchProcessor({ ...common, store: ownerStore, summarizer: owner.summarizer, retry: { attempts: 2, minDelayMs: 50, maxDelayMs: 100 } });
    const b = new BatchProcessor({ ...common, store: adopterStore, summarizer: adopter.summarizer, adoptOrphans: true });
    let adoptedAt = 0;
    b.on('batchStart', ({ resumed }) => {
      if (resumed) adoptedAt = Date.now();
    });
    try {
      const urls = Array.from({ length: 40 }, (_, index) => `https://youtu.be/o${String(index).padStart(10, '0')}`);
      const job = await a.submit({ userId: 'u', urls });
      // Videos whose end the owner stored (itemEnd comes after the store write) before the cut.
      const storedBeforeCut = new Set<string>();
      let cutAt = Number.POSITIVE_INFINITY;
      a.on('itemEnd', ({ item }) => {
        if (Date.now() < cutAt) storedBeforeCut.add(item.videoId);
      });
      await new Promise<void>((resolve) => a.once('itemEnd', () => resolve()));
      cutAt = Date.now();
      await relay.cut();
      const ended = await b.waitFor(job.id, job);
      expect(ended.status).toBe('done');
      expect(ended.counts.done).toBe(40);
      expect(adoptedAt).toBeGreaterThan(cutAt);
      // The owner started no summary once the lease could have expired, let alone after the adoption.
      expect(owner.starts.filter((at) => at >= cutAt + leaseMs)).toEqual([]);
      expect(owner.starts.filter((at) => at >= adoptedAt)).toEqual([]);
      // Each video paid once, but those the owner summarized and had not stored at the cut (in
      // flight, or their summary on its way to the store: at most 4 calls run at once, more under
      // load while writes queue), or started before it noticed the outage: the adopter pays again.
      const calls = [...owner.inner.calls, ...adopter.inner.calls];
      expect(new Set(calls).size).toBe(40);
      const unstoredAtCut = owner.started.filter(({ at, videoId }) => at < cutAt && !storedBeforeCut.has(videoId)).length;
      const startedDuringOutage = owner.starts.filter((at) => at >= cutAt).length;
      expect(calls.length - 40).toBeLessThanOrEqual(unstoredAtCut + startedDuringOutage);
    } finally {
      await relay.start();
      await Promise.all([a.close(), b.close()]);
      await Promise.all([ownerStore.close?.(), adopterStore.close?.()]);
    }
  }, 60_000);
});
