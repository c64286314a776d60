// Batch mode of AnthropicSummarizer through the real SDK against the fake Message Batches API.
import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicSummarizer, DEFAULT_PRICES, ErrorCode, createMemoryStore, isTubesumError } from '@tubesum/core';
import type { BatchStore, ProviderBatchStore, ProviderBatchWait, TubesumError } from '@tubesum/core';
import { startFakeAnthropicServer, type FakeAnthropicServer, type FakeBatchRequest } from '../../../../test-support/src/fake-anthropic-server.js';
import { generateTranscript } from '../generate-transcript.js';

const API_KEY = 'sk-ant-test-0123456789';
let server: FakeAnthropicServer;
let store: ProviderBatchStore;

beforeAll(async () => {
  server = await startFakeAnthropicServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

const batchSummarizer = (options: Partial<NonNullable<ConstructorParameters<typeof AnthropicSummarizer>[0]>['batch']> = {}) => {
  store = options.store ?? createMemoryStore();
  return new AnthropicSummarizer({
    apiKey: API_KEY,
    baseURL: server.url,
    batch: { store, windowMs: 20, pollIntervalMs: 5, maxPollIntervalMs: 20, ...options },
  });
};

/** A ten-minute transcript whose prompt names it: `<transcript title="NAME">`. */
const talk = (name: string, seed: number) => ({ ...generateTranscript({ durationMs: 600_000, seed, videoId: `${name}0000000`.slice(0, 11) }), title: name });
const titleOf = (request: FakeBatchRequest) => /<transcript title="([^"]+)"/.exec(request.prompt.user)?.[1] ?? '';

async function failure(promise: Promise<unknown>): Promise<TubesumError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isTubesumError(error)) throw new Error(`expected a TubesumError, got ${String(error)}`);
  return error;
}

describe('AnthropicSummarizer in batch mode', () => {
  it('sends requests as one Message Batch with valid unique custom ids, matches results that come out of order, and bills half', async () => {
    const summarizer = batchSummarizer();
    expect(summarizer.batching).toEqual({ maxWaiting: 10_000, timeoutMs: 180_000_000 });
    const talks = ['alpha', 'bravo', 'charlie', 'delta'].map((name, index) => talk(name, index + 1));
    const waits: ProviderBatchWait[] = [];
    const summaries = await Promise.all(talks.map((transcript) => summarizer.summarize(transcript, { onProviderBatch: (wait) => waits.push(wait) })));

    expect(server.requests).toHaveLength(0);
    expect(server.batches.batches).toHaveLength(1);
    const [batch] = server.batches.batches;
    const ids = batch!.requests.map((request) => request.customId);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // The fake streamed them in another order than they were sent.
    expect(server.batches.calls).toContain(`GET /v1/messages/batches/${batch!.id}/results`);

    const price = DEFAULT_PRICES['claude-haiku-4-5']!;
    for (const [index, summary] of summaries.entries()) {
      const request = batch!.requests.find((candidate) => titleOf(candidate) === talks[index]!.title)!;
      expect(summary.usage.inputTokens).toBe(request.prompt.inputTokens);
      expect(summary.batchApi).toBe(true);
      expect(summary.costUsd).toBeCloseTo(
        (0.5 * (summary.usage.inputTokens * price.inputPerMillion + summary.usage.outputTokens * price.outputPerMillion)) / 1e6,
        12,
      );
    }
    // Each summary got its own result, not another's: the prompts differ in length.
    expect(new Set(summaries.map((summary) => summary.usage.inputTokens)).size).toBe(4);
    expect(waits.some((wait) => wait.phase === 'collecting')).toBe(true);
    expect(waits.find((wait) => wait.phase === 'submitted')).toMatchObject({ provider: 'Anthropic', batchId: batch!.id, typicalMs: 3_600_000 });
  });

  it('sends a request asked for twice (two jobs, the same video) once, before and after its batch was sent', async () => {
    const summarizer = batchSummarizer();
    server.batches.hold();
    const first = [summarizer.summarize(talk('twice', 1)), summarizer.summarize(talk('twice', 1))];
    await server.batches.waitForBatches(1);
    const late = summarizer.summarize(talk('twice', 1));
    server.batches.release();
    const summaries = await Promise.all([...first, late]);
    expect(new Set(summaries.map((summary) => summary.tldr)).size).toBe(1);
    expect(server.batches.requestCount()).toBe(1);
  });

  it("leaves no abort listener on the caller's signals, answered or aborted", async () => {
    const summarizer = batchSummarizer();
    const controller = new AbortController();
    await summarizer.summarize(talk('listeners', 1), { signal: controller.signal, cancelSignal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    server.batches.hold();
    const aborted = new AbortController();
    const pending = summarizer.summarize(talk('listeners-aborted', 2), { signal: aborted.signal });
    await server.batches.waitForBatches(2);
    aborted.abort();
    expect(await failure(pending)).toMatchObject({ code: ErrorCode.CANCELLED });
    expect(getEventListeners(aborted.signal, 'abort')).toHaveLength(0);
  });

  it('splits batches by count', async () => {
    const summarizer = batchSummarizer({ maxRequests: 2 });
    await Promise.all(['a1', 'a2', 'a3'].map((name, index) => summarizer.summarize(talk(name, index + 1))));
    expect(server.batches.batches.map((batch) => batch.requests.length).sort()).toEqual([1, 2]);
  });

  it('maps errored results: a transient one is sent again in a later batch, a permanent one fails for good', async () => {
    const summarizer = batchSummarizer();
    let transientOnce = true;
    server.batches.setOutcome((request) => {
      if (titleOf(request) === 'permanent') return 'errored-permanent';
      if (titleOf(request) === 'transient' && transientOnce) {
        transientOnce = false;
        return 'errored-transient';
      }
      return 'succeeded';
    });
    const [transient, permanent, fine] = await Promise.allSettled([
      summarizer.summarize(talk('transient', 1)),
      summarizer.summarize(talk('permanent', 2)),
      summarizer.summarize(talk('fine', 3)),
    ]);
    expect(fine.status).toBe('fulfilled');
    const transientError = await failure(transient.status === 'rejected' ? Promise.reject(transient.reason as Error) : Promise.resolve());
    expect(transientError).toMatchObject({ code: ErrorCode.OVERLOADED, retryable: true });
    const permanentError = await failure(permanent.status === 'rejected' ? Promise.reject(permanent.reason as Error) : Promise.resolve());
    expect(permanentError).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: false });

    // What the processor's retry does: call again. The transient one goes into a new batch; the others are answered from the store.
    const again = await summarizer.summarize(talk('transient', 1));
    expect(again.batchApi).toBe(true);
    expect(server.batches.batches).toHaveLength(2);
    expect(server.batches.batches[1]!.requests.map(titleOf)).toEqual(['transient']);
    expect(await failure(summarizer.summarize(talk('permanent', 2)))).toMatchObject({ code: ErrorCode.PROVIDER_ERROR });
    await summarizer.summarize(talk('fine', 3));
    expect(server.batches.batches).toHaveLength(2);
  });

  it('sends an expired request once more, then fails it with BATCH_EXPIRED', async () => {
    const summarizer = batchSummarizer();
    let expiries = 0;
    server.batches.setOutcome((request) => {
      if (titleOf(request) === 'once') {
        expiries += 1;
        return expiries === 1 ? 'expired' : 'succeeded';
      }
      return titleOf(request) === 'always' ? 'expired' : 'succeeded';
    });
    const once = await summarizer.summarize(talk('once', 1));
    expect(once.tldr).not.toBe('');
    expect(server.batches.batches).toHaveLength(2);
    const error = await failure(summarizer.summarize(talk('always', 2)));
    expect(error).toMatchObject({ code: ErrorCode.BATCH_EXPIRED, retryable: false });
    expect(server.batches.batches).toHaveLength(4);
  });

  it('cancel cancels the provider batch and still stores the results that succeeded', async () => {
    const summarizer = batchSummarizer();
    server.batches.hold();
    server.batches.setOutcome((request, { canceled }) => (canceled && titleOf(request) !== 'kept' ? 'canceled' : 'succeeded'));
    const controller = new AbortController();
    const pending = ['kept', 'dropped'].map((name, index) =>
      summarizer.summarize(talk(name, index + 1), { signal: controller.signal, cancelSignal: controller.signal }),
    );
    await server.batches.waitForBatches(1);
    controller.abort();
    for (const promise of pending) expect(await failure(promise)).toMatchObject({ code: ErrorCode.CANCELLED });
    const batch = server.batches.batches[0]!;
    await until(() => server.batches.calls.includes(`POST /v1/messages/batches/${batch.id}/cancel`));
    await until(() => server.batches.resultLinesSent() === 2);

    // The succeeded one is stored: summarizing it again pays nothing more.
    server.batches.release();
    const kept = await summarizer.summarize(talk('kept', 1));
    expect(kept.batchApi).toBe(true);
    expect(server.batches.batches).toHaveLength(1);
    // The canceled one goes into a new batch.
    await summarizer.summarize(talk('dropped', 2));
    expect(server.batches.batches).toHaveLength(2);
  });

  it('a pause leaves the batch running; another summarizer on the same store waits on the same batch', async () => {
    const first = batchSummarizer();
    server.batches.hold();
    const controller = new AbortController();
    const paused = first.summarize(talk('paused', 1), { signal: controller.signal });
    await server.batches.waitForBatches(1);
    controller.abort();
    expect(await failure(paused)).toMatchObject({ code: ErrorCode.CANCELLED });
    expect(server.batches.calls.some((call) => call.endsWith('/cancel'))).toBe(false);

    const second = batchSummarizer({ store });
    server.batches.release();
    const summary = await second.summarize(talk('paused', 1));
    expect(summary.batchApi).toBe(true);
    expect(server.batches.batches).toHaveLength(1);
    expect(server.batches.requestCount()).toBe(1);
  });

  it('summarizes a long transcript in parts and combines them, each round a batch', async () => {
    const summarizer = new AnthropicSummarizer({
      apiKey: API_KEY,
      baseURL: server.url,
      maxContextTokens: 6000,
      batch: { store: createMemoryStore(), windowMs: 5, pollIntervalMs: 5, maxPollIntervalMs: 20 },
    });
    const summary = await summarizer.summarize(generateTranscript({ durationMs: 3_600_000, seed: 4 }));
    expect(summary.chapters!.length).toBeGreaterThan(1);
    expect(server.batches.batches.length).toBeGreaterThanOrEqual(2);
    const combine = server.batches.batches.at(-1)!;
    expect(combine.requests).toHaveLength(1);
    expect(summary.usage.inputTokens).toBe(
      server.batches.batches.flatMap((batch) => batch.requests).reduce((sum, request) => sum + request.prompt.inputTokens, 0),
    );
  });

  it('rejects a store without getCached/setCached, naming it', () => {
    expect(() => new AnthropicSummarizer({ apiKey: API_KEY, batch: { store: {} as BatchStore } })).toThrow(/getCached and setCached/);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries += 1) {
    if (tries > 500) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
