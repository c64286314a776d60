import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAICompatibleSummarizer, PROMPT_VERSION } from '@tubesum/core';
import type { OpenAICompatibleSummarizerOptions } from '@tubesum/core';
import { transcriptLines } from '../../../src/summarizers/language-model/chunk-transcript.js';
import { startFakeOpenAIServer, type FakeLlmServer } from '@tubesum/test-support';
import { generateTranscript } from '../generate-transcript.js';
import { failure } from '../../support/failure.js';

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

const summarizer = (options: Partial<OpenAICompatibleSummarizerOptions> = {}) =>
  new OpenAICompatibleSummarizer({ baseURL: `${server.url}/v1`, model: 'llama3.1:8b', contextTokens: 32_768, ...options });

const tenMinutes = generateTranscript({ durationMs: 600_000, seed: 5 });

describe('OpenAICompatibleSummarizer', () => {
  it('summarizes in one chat completion, with no Authorization header when there is no key', async () => {
    const summary = await summarizer().summarize(tenMinutes);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers['authorization']).toBeUndefined();
    expect(request!.body).toMatchObject({ model: 'llama3.1:8b', stream: false, max_tokens: 2048 });
    expect(request!.system).toMatch(/untrusted data/);
    expect(request!.user).toContain('<transcript');
    const lineStarts = new Set(transcriptLines(tenMinutes.segments).map((line) => line.startMs));
    for (const point of summary.keyPoints) expect(lineStarts.has(point.startMs)).toBe(true);
    expect(summary).toMatchObject({ model: 'llama3.1:8b', language: 'en' });
    expect(summary.usage.inputTokens).toBe(request!.inputTokens);
    expect(summary.costUsd).toBeUndefined();
    expect(summarizer().promptVersion).toBe(PROMPT_VERSION);
  });

  it('sends the key as a bearer token and prices the call when told the price', async () => {
    const summary = await summarizer({
      apiKey: 'sk-or-secret',
      model: 'gpt-4o-mini',
      prices: { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
      jsonMode: true,
    }).summarize(tenMinutes);
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer sk-or-secret');
    expect(server.requests[0]!.body['response_format']).toEqual({ type: 'json_object' });
    expect(summary.costUsd).toBeCloseTo((summary.usage.inputTokens * 0.15 + summary.usage.outputTokens * 0.6) / 1e6, 12);
  });

  it('splits a transcript to fit a small stated context (Ollama would cut it silently)', async () => {
    const summary = await summarizer({ contextTokens: 4096 }).summarize(generateTranscript({ durationMs: 1_800_000 }));
    const parts = server.requests.filter((request) => request.system.includes('one part of a YouTube video'));
    expect(parts.length).toBeGreaterThan(2);
    for (const request of server.requests) expect(request.inputTokens + 1024).toBeLessThanOrEqual(4096);
    expect(summary.chapters).toHaveLength(parts.length);
  });

  it('maps 429 to RATE_LIMITED with retry-after, one HTTP attempt', async () => {
    server.script({ status: 429, message: 'Rate limit reached for requests', headers: { 'retry-after': '3' } });
    expect(await failure(summarizer().summarize(tenMinutes))).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3000, retryable: true });
    expect(server.requests).toHaveLength(1);
  });

  it('maps 503 to OVERLOADED and 401 to AUTHENTICATION_FAILED without printing the key', async () => {
    server.script({ status: 503, message: 'server busy' }, { status: 401, message: 'Incorrect API key provided' });
    expect(await failure(summarizer().summarize(tenMinutes))).toMatchObject({ code: 'OVERLOADED', retryable: true });
    const auth = await failure(summarizer({ apiKey: 'sk-secret-123' }).summarize(tenMinutes));
    expect(auth).toMatchObject({ code: 'AUTHENTICATION_FAILED', retryable: false });
    expect(auth.message).toContain('`apiKey` was rejected');
    expect(auth.message).not.toContain('sk-secret-123');
    expect(server.requests).toHaveLength(2);
  });

  it('maps an exhausted quota to SPEND_LIMIT_REACHED', async () => {
    server.script({ status: 429, message: 'You exceeded your current quota, please check your plan and billing details.', code: 'insufficient_quota' });
    expect(await failure(summarizer().summarize(tenMinutes))).toMatchObject({ code: 'SPEND_LIMIT_REACHED', retryable: false });
  });

  it('re-runs in chunks after a vLLM-style context error', async () => {
    server.script({
      status: 400,
      body: {
        object: 'error',
        message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
        type: 'BadRequestError',
        code: 400,
      },
    });
    const summary = await summarizer().summarize(tenMinutes);
    expect(server.requests).toHaveLength(4);
    expect(summary.chapters).toHaveLength(2);
  });

  it('reports a short prompt refused by a server with a smaller real context as CONTEXT_TOO_LONG', async () => {
    const short = generateTranscript({ durationMs: 30_000, seed: 3 });
    const said = "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens.";
    server.script({ status: 400, body: { object: 'error', message: said, type: 'BadRequestError', code: 400 } });
    const error = await failure(summarizer().summarize(short));
    expect(error).toMatchObject({ code: 'CONTEXT_TOO_LONG', retryable: false });
    expect(error.message).toContain(said);
    expect(server.requests).toHaveLength(1);
  });

  it('aborts the request in flight; the server sees the connection close', async () => {
    server.script({ hang: true });
    const controller = new AbortController();
    const pending = failure(summarizer().summarize(tenMinutes, { signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    expect((await pending).code).toBe('CANCELLED');
    await server.waitForClosed(1);
  });

  it('maps a malformed answer to a retryable PROVIDER_ERROR and a dead server to NETWORK_ERROR', async () => {
    server.script({ text: 'I think the video is about databases.' });
    expect(await failure(summarizer().summarize(tenMinutes))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    const refused = await failure(new OpenAICompatibleSummarizer({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', contextTokens: 8192 }).summarize(tenMinutes));
    expect(refused).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    server.script({ hang: true });
    expect(await failure(summarizer({ timeoutMs: 200 }).summarize(tenMinutes))).toMatchObject({ code: 'TIMEOUT' });
  });

  it('requires the stated context size', () => {
    expect(() => new OpenAICompatibleSummarizer({ baseURL: 'http://localhost:11434/v1', model: 'm' } as never)).toThrow(/contextTokens/);
  });
});
