// Every transient fault a provider shows at the wire is recovered by the processor's retry, through
// the real summarizers; permanent ones (a dead key, an unknown model) stop at the first attempt.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicSummarizer, ErrorCode, OpenAICompatibleSummarizer } from '@tubesum/core';
import type { Summarizer } from '@tubesum/core';
import { runWithRetries, type RetryAttempt } from '../../../src/processor/retry.js';
import { faultPlan } from '../../support/chaos.js';
import { deadKey, LLM_FAULT_KINDS, startFakeAnthropicServer, startFakeOpenAIServer, unknownModel, withFaults } from '@tubesum/test-support';
import type { FakeLlmServer, LlmFaultKind } from '@tubesum/test-support';
import { generateTranscript } from '../generate-transcript.js';
import { failure } from '../../support/failure.js';

/** The client's timeout (generous: a loaded machine must not turn a normal answer into a fault); a slow body stalls well past it. */
const TIMEOUT_MS = 2000;
const SLOW_BODY_MS = 5000;

/** What each fault must become: a retryable error of this code. */
const EXPECTED: Record<LlmFaultKind, ErrorCode> = {
  '429': ErrorCode.RATE_LIMITED,
  '529': ErrorCode.OVERLOADED,
  '500': ErrorCode.PROVIDER_ERROR,
  'reset-before-body': ErrorCode.NETWORK_ERROR,
  'reset-during-body': ErrorCode.NETWORK_ERROR,
  'truncated-json': ErrorCode.PROVIDER_ERROR,
  'slow-body': ErrorCode.TIMEOUT,
};

const providers = [
  {
    name: 'Anthropic',
    start: startFakeAnthropicServer,
    create: (url: string): Summarizer => new AnthropicSummarizer({ apiKey: 'sk-ant-test', baseURL: url, timeoutMs: TIMEOUT_MS }),
  },
  {
    name: 'OpenAI-compatible',
    start: startFakeOpenAIServer,
    create: (url: string): Summarizer =>
      new OpenAICompatibleSummarizer({ baseURL: `${url}/v1`, model: 'llama3.1:8b', contextTokens: 32_768, timeoutMs: TIMEOUT_MS }),
  },
];

const transcript = (seed: number) => generateTranscript({ durationMs: 300_000, seed, videoId: `vid${String(seed).padStart(8, '0')}` });

/** Summarizes under the processor's retry, recording every retry it announces. */
async function summarizeWithRetries(summarizer: Summarizer, seed: number, attempts: number) {
  const retries: RetryAttempt[] = [];
  const signal = new AbortController().signal;
  const summary = await runWithRetries(() => summarizer.summarize(transcript(seed), { signal }), {
    attempts,
    minDelayMs: 1,
    maxDelayMs: 2000,
    signal,
    onRetry: (retry) => retries.push(retry),
  });
  return { summary, retries };
}

describe.each(providers)('$name summarizer under faults', ({ start, create }) => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await start();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  it.each(LLM_FAULT_KINDS)('recovers from %s on the next attempt', async (kind) => {
    server.script({ fault: kind, delayMs: SLOW_BODY_MS });
    const { summary, retries } = await summarizeWithRetries(create(server.url), 1, 3);
    expect(summary.keyPoints.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toMatchObject({ code: EXPECTED[kind], retryable: true });
    if (kind === '429') {
      expect(retries[0]!.error.retryAfterMs).toBe(1000);
      expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    }
  });

  it('finishes every video under a seeded 30% of faults of every kind, one retry per fault', async () => {
    const plan = faultPlan({ rate: 0.3, kinds: LLM_FAULT_KINDS, maxConsecutive: 3 });
    server.setDefault(withFaults(plan, { slowBodyMs: SLOW_BODY_MS }));
    const summarizer = create(server.url);
    const retries: RetryAttempt[] = [];
    for (let video = 0; video < 12; video += 1) {
      const result = await summarizeWithRetries(summarizer, 100 + video, 4);
      expect(result.summary.tldr.length, `seed ${plan.seed}, video ${video}`).toBeGreaterThan(0);
      expect(result.retries.length).toBeLessThanOrEqual(3);
      retries.push(...result.retries);
    }
    const faults = plan.draws.filter((draw) => draw.kind !== undefined);
    expect(plan.requests).toBe(server.requests.length);
    expect(server.requests.length).toBe(12 + faults.length);
    expect(retries.map((retry) => retry.error.code)).toEqual(faults.map((draw) => EXPECTED[draw.kind!]));
    for (const retry of retries) {
      if (retry.error.code === ErrorCode.RATE_LIMITED) expect(retry.delayMs).toBeGreaterThanOrEqual(1000);
    }
  });

  it('reports cancellation mid-answer as CANCELLED, not as a retryable fault', async () => {
    server.script({ fault: 'slow-body', delayMs: SLOW_BODY_MS });
    const controller = new AbortController();
    const running = failure(create(server.url).summarize(transcript(1), { signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    expect(await running).toMatchObject({ code: ErrorCode.CANCELLED, retryable: false });
  });

  it('stops at the first attempt on a dead key', async () => {
    server.setDefault(deadKey);
    const error = await failure(summarizeWithRetries(create(server.url), 1, 4));
    expect(error).toMatchObject({ code: ErrorCode.AUTHENTICATION_FAILED, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('stops at the first attempt on an unknown model, naming it', async () => {
    server.setDefault(unknownModel);
    const error = await failure(summarizeWithRetries(create(server.url), 1, 4));
    expect(error).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: false, details: { status: 404 } });
    expect(error.message).toMatch(/does not know model/);
    expect(server.requests).toHaveLength(1);
  });
});
