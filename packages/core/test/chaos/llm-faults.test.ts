// Chaos at the LLM wire, through the whole processor: 30% transient faults of every kind on the
// fake Anthropic and OpenAI-compatible servers, and a dead key. Seeded: `chaos seed=<n>` replays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicSummarizer, BatchProcessor, ErrorCode, OpenAICompatibleSummarizer, createMemoryStore } from '@tubesum/core';
import type { BatchStore, ItemEndEvent, ItemRetryEvent, Summarizer } from '@tubesum/core';
import { FakeTranscriptSource } from '@tubesum/core/testing';
import { faultPlan } from '../support/chaos.js';
import { deadKey, defaultAnswer, LLM_FAULT_KINDS, startFakeAnthropicServer, startFakeOpenAIServer, videoOfRequest, withFaults } from '@tubesum/test-support';
import type { FakeLlmServer } from '@tubesum/test-support';

const TIMEOUT_MS = 2000;
const SLOW_BODY_MS = 4000;

const providers = [
  {
    name: 'Anthropic',
    start: startFakeAnthropicServer,
    create: (url: string, apiKey = 'sk-ant-test'): Summarizer => new AnthropicSummarizer({ apiKey, baseURL: url, timeoutMs: TIMEOUT_MS }),
  },
  {
    name: 'OpenAI-compatible',
    start: startFakeOpenAIServer,
    create: (url: string, apiKey = 'sk-test'): Summarizer =>
      new OpenAICompatibleSummarizer({ baseURL: `${url}/v1`, model: 'llama3.1:8b', contextTokens: 32_768, timeoutMs: TIMEOUT_MS, apiKey }),
  },
];

const urls = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `https://youtu.be/${prefix}${String(index).padStart(10 - prefix.length + 1, '0')}`);

for (const provider of providers) {
  describe(`chaos: ${provider.name} with 30% transient faults`, () => {
    let server: FakeLlmServer;
    beforeAll(async () => {
      server = await provider.start();
    });
    afterAll(() => server.close());

    it('100 of 100 videos done, attempts bounded, each itemEnd exactly once, retry-after honoured', async () => {
      // At most 3 faults in a row for any one video: its 4 attempts always reach a good answer.
      const plan = faultPlan({ rate: 0.3, kinds: LLM_FAULT_KINDS, maxConsecutive: 3 });
      server.reset();
      server.setDefault(withFaults(plan, { slowBodyMs: SLOW_BODY_MS, label: videoOfRequest }));
      const store: BatchStore = createMemoryStore();
      const processor = new BatchProcessor({
        store,
        transcripts: new FakeTranscriptSource({ latencyMs: 1, segments: 30 }),
        summarizer: provider.create(server.url),
        concurrency: { transcripts: 8, summaries: 8 },
        retry: { attempts: 4, minDelayMs: 10, maxDelayMs: 2000 },
      });
      const ends = new Map<number, number>();
      const retries: ItemRetryEvent[] = [];
      processor.on('itemEnd', (event: ItemEndEvent) => ends.set(event.item.index, (ends.get(event.item.index) ?? 0) + 1));
      processor.on('itemRetry', (event) => retries.push(event));
      try {
        const job = await processor.submit({ userId: 'chaos', urls: urls(100, 't') });
        const ended = await processor.waitFor(job.id, job);
        expect(ended.counts, `seed ${plan.seed}`).toMatchObject({ done: 100, failed: 0 });
        expect([...ends.values()].every((count) => count === 1) && ends.size === 100).toBe(true);
        const faults = plan.draws.filter((draw) => draw.kind !== undefined).length;
        expect(faults).toBeGreaterThan(0);
        // Every request is a video's first attempt or a retry of a fault: nothing more.
        expect(server.requests.length).toBe(100 + faults);
        expect(server.requests.length).toBeLessThanOrEqual(100 * 4);
        const rateLimited = retries.filter((retry) => retry.error.code === ErrorCode.RATE_LIMITED);
        for (const retry of rateLimited) expect(retry.delayMs).toBeGreaterThanOrEqual(1000);
        if (plan.counts()['429'] > 0) expect(rateLimited.length).toBeGreaterThan(0);
      } finally {
        await processor.close();
      }
    }, 120_000);

    it('a dead key pauses the batch after at most concurrency.summaries calls; resume() with a good key finishes it', async () => {
      server.reset();
      server.setDefault(deadKey);
      const store = createMemoryStore();
      const common = { store, transcripts: new FakeTranscriptSource({ latencyMs: 1, segments: 30 }), concurrency: { transcripts: 8, summaries: 4 } };
      const dead = new BatchProcessor({ ...common, summarizer: provider.create(server.url, 'revoked-key') });
      const job = await dead.submit({ userId: 'chaos', urls: urls(40, 'k') });
      const paused = await dead.waitFor(job.id, job);
      await dead.close();
      expect(paused.status).toBe('paused');
      expect(paused.pauseReason?.code).toBe('AUTHENTICATION_FAILED');
      expect(server.requests.length).toBeLessThanOrEqual(4);
      server.setDefault(defaultAnswer);
      const good = new BatchProcessor({ ...common, summarizer: provider.create(server.url, 'good-key') });
      try {
        await good.resume();
        const ended = await good.waitFor(job.id, job);
        expect(ended.counts).toMatchObject({ done: 40, failed: 0 });
      } finally {
        await good.close();
      }
    }, 60_000);
  });
}
