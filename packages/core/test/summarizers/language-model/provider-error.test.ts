// The error mapping as a table, in the style of anthropic-sdk-typescript's error tests: status x body
// x provider -> code, retryable, retryAfterMs. Each row goes through the real summarizer, with an
// injected fetch answering the provider's own error body, so body parsing is pinned down as well.
import { describe, expect, it } from 'vitest';
import { AnthropicSummarizer, ErrorCode, OpenAICompatibleSummarizer, TubesumError } from '@tubesum/core';
import type { Summarizer, Transcript } from '@tubesum/core';
import { providerError, type ProviderFailure } from '../../../src/summarizers/language-model/provider-error.js';
import { failure } from '../../support/failure.js';

interface Row {
  name: string;
  status: number;
  /** Anthropic's `error.type`, OpenAI's `error.code`. */
  type?: string;
  message: string;
  headers?: Record<string, string>;
  code: ErrorCode;
  retryable: boolean;
  retryAfterMs?: number;
}

const TABLE: Row[] = [
  { name: 'bad request', status: 400, type: 'invalid_request_error', message: 'max_tokens: must be at least 1', code: 'PROVIDER_ERROR', retryable: false },
  {
    name: 'prompt too long',
    status: 400,
    type: 'invalid_request_error',
    message: 'prompt is too long: 250001 tokens > 200000 maximum',
    code: 'CONTEXT_TOO_LONG',
    retryable: false,
  },
  { name: 'vLLM context', status: 400, message: "This model's maximum context length is 8192 tokens.", code: 'CONTEXT_TOO_LONG', retryable: false },
  { name: 'context code', status: 400, type: 'context_length_exceeded', message: 'Too long.', code: 'CONTEXT_TOO_LONG', retryable: false },
  {
    name: 'credit balance',
    status: 400,
    type: 'invalid_request_error',
    message: 'Your credit balance is too low to access the API.',
    code: 'SPEND_LIMIT_REACHED',
    retryable: false,
  },
  { name: 'bad key', status: 401, type: 'authentication_error', message: 'invalid x-api-key', code: 'AUTHENTICATION_FAILED', retryable: false },
  { name: '401 naming billing', status: 401, type: 'authentication_error', message: 'billing key revoked', code: 'AUTHENTICATION_FAILED', retryable: false },
  { name: 'payment required', status: 402, message: 'Payment required.', code: 'PROVIDER_ERROR', retryable: false },
  { name: 'payment: quota', status: 402, type: 'insufficient_quota', message: 'Add credits.', code: 'SPEND_LIMIT_REACHED', retryable: false },
  { name: 'no permission', status: 403, type: 'permission_error', message: 'not allowed', code: 'AUTHENTICATION_FAILED', retryable: false },
  {
    name: 'usage limits',
    status: 403,
    type: 'permission_error',
    message: 'You have reached your specified API usage limits.',
    code: 'SPEND_LIMIT_REACHED',
    retryable: false,
  },
  { name: 'unknown model', status: 404, type: 'not_found_error', message: 'model: claude-nope', code: 'PROVIDER_ERROR', retryable: false },
  { name: 'request timeout', status: 408, message: 'Request timeout.', code: 'TIMEOUT', retryable: true },
  { name: 'conflict', status: 409, message: 'Conflict.', code: 'PROVIDER_ERROR', retryable: true },
  { name: 'too large', status: 413, type: 'request_too_large', message: 'Request exceeds the maximum size.', code: 'CONTEXT_TOO_LONG', retryable: false },
  { name: 'teapot', status: 418, message: 'I am a teapot.', code: 'PROVIDER_ERROR', retryable: false },
  { name: 'unprocessable', status: 422, message: 'Unprocessable.', code: 'PROVIDER_ERROR', retryable: false },
  { name: 'unprocessable context', status: 422, message: 'input length and `max_tokens` exceed context limit', code: 'CONTEXT_TOO_LONG', retryable: false },
  {
    name: 'rate limit',
    status: 429,
    type: 'rate_limit_error',
    message: 'Slow down.',
    headers: { 'retry-after': '7' },
    code: 'RATE_LIMITED',
    retryable: true,
    retryAfterMs: 7000,
  },
  {
    name: 'rate limit in ms',
    status: 429,
    message: 'Slow down.',
    headers: { 'retry-after-ms': '1500', 'retry-after': '9' },
    code: 'RATE_LIMITED',
    retryable: true,
    retryAfterMs: 1500,
  },
  { name: 'rate limit, no header', status: 429, message: 'Slow down.', code: 'RATE_LIMITED', retryable: true },
  {
    name: 'exceeded quota',
    status: 429,
    type: 'insufficient_quota',
    message: 'You exceeded your current quota.',
    headers: { 'retry-after': '7' },
    code: 'SPEND_LIMIT_REACHED',
    retryable: false,
  },
  { name: 'client closed', status: 499, message: 'Closed.', code: 'PROVIDER_ERROR', retryable: false },
  { name: '500 naming the context', status: 500, message: 'maximum context computation failed', code: 'PROVIDER_ERROR', retryable: true },
  { name: 'server error', status: 500, type: 'api_error', message: 'Internal error.', code: 'PROVIDER_ERROR', retryable: true },
  { name: '500 overloaded type', status: 500, type: 'overloaded_error', message: 'Busy.', code: 'OVERLOADED', retryable: true },
  { name: 'bad gateway', status: 502, message: 'Bad gateway.', code: 'PROVIDER_ERROR', retryable: true },
  { name: 'unavailable', status: 503, message: 'Unavailable.', headers: { 'retry-after': '3' }, code: 'OVERLOADED', retryable: true, retryAfterMs: 3000 },
  { name: 'gateway timeout', status: 504, message: 'Gateway timeout.', code: 'TIMEOUT', retryable: true },
  {
    name: 'overloaded',
    status: 529,
    type: 'overloaded_error',
    message: 'Overloaded.',
    headers: { 'retry-after': '2' },
    code: 'OVERLOADED',
    retryable: true,
    retryAfterMs: 2000,
  },
];

/** A fetch that answers every request with one error, as the provider's server would write it. */
function answering(row: Row, body: unknown): typeof globalThis.fetch {
  return async () => new Response(JSON.stringify(body), { status: row.status, headers: { 'content-type': 'application/json', ...row.headers } });
}

const providers: { name: string; defaultType: string; create(row: Row): Summarizer }[] = [
  {
    name: 'Anthropic',
    defaultType: 'api_error',
    create: (row) =>
      new AnthropicSummarizer({
        apiKey: 'sk-ant-test',
        model: 'claude-haiku-4-5',
        fetch: answering(row, { type: 'error', error: { type: row.type ?? 'api_error', message: row.message } }),
      }),
  },
  {
    name: 'OpenAI-compatible',
    // With no `code`, the body's `type` is what the server says.
    defaultType: 'invalid_request_error',
    create: (row) =>
      new OpenAICompatibleSummarizer({
        baseURL: 'http://127.0.0.1:9/v1',
        model: 'llama3.1:8b',
        contextTokens: 32_768,
        apiKey: 'sk-test',
        fetch: answering(row, { error: { message: row.message, type: 'invalid_request_error', code: row.type ?? null } }),
      }),
  },
];

const transcript: Transcript = {
  videoId: 'dQw4w9WgXcQ',
  language: 'en',
  isAutoGenerated: false,
  segments: [{ startMs: 0, durationMs: 4000, text: 'A short talk about caches.' }],
};

const summaryFailure = (summarizer: Summarizer): Promise<TubesumError> => failure(summarizer.summarize(transcript));

describe.each(providers)('$name errors', ({ create, defaultType }) => {
  it.each(TABLE)('$status $name -> $code', async (row) => {
    const error = await summaryFailure(create(row));
    expect({ code: error.code, retryable: error.retryable, retryAfterMs: error.retryAfterMs }).toEqual({
      code: row.code,
      retryable: row.retryable,
      retryAfterMs: row.retryAfterMs,
    });
    expect(error.videoId).toBe(transcript.videoId);
    expect(error.message).toContain(row.message);
    expect(error.details).toEqual({ status: row.status, providerCode: row.type ?? defaultType });
  });
});

describe('providerError messages', () => {
  const context = { provider: 'Anthropic', model: 'claude-haiku-4-5', keySource: 'ANTHROPIC_API_KEY', videoId: 'dQw4w9WgXcQ' };
  const http = (status: number, message = 'said so', code?: string): ProviderFailure => ({ kind: 'http', status, message, code, cause: undefined });

  it("says what to fix, in the provider's words", () => {
    expect(providerError(http(401), context).message).toBe('ANTHROPIC_API_KEY was rejected by Anthropic (401): said so.');
    expect(providerError(http(401), { ...context, keySource: undefined }).message).toBe(
      'The request was rejected for lack of a valid API key by Anthropic (401): said so.',
    );
    expect(providerError(http(403), context).message).toBe(
      'ANTHROPIC_API_KEY was rejected by Anthropic (403: the key lacks permission for model claude-haiku-4-5): said so.',
    );
    expect(providerError(http(429), context).message).toBe('Anthropic is rate limiting us (429): said so.');
    expect(providerError(http(429, 'over your spend limit'), context).message).toBe(
      "Anthropic refused the request because the account's spend limit or credit is exhausted (429): over your spend limit.",
    );
    expect(providerError(http(529), context).message).toBe('Anthropic is overloaded (529): said so.');
    expect(providerError(http(413), context).message).toBe('The prompt does not fit the context of claude-haiku-4-5 (413): said so.');
    expect(providerError(http(504), context).message).toBe('Anthropic timed out (504): said so.');
    expect(providerError(http(404), context).message).toBe('Anthropic does not know model claude-haiku-4-5 or the endpoint (404): said so.');
    expect(providerError(http(500, ''), context).message).toBe('Anthropic answered 500.');
  });

  it.each([
    ['spend limit', 'You have hit your spend limit'],
    ['spending limit', 'spending limit reached'],
    ['billing', 'Check your billing details'],
    ['insufficient quota', 'insufficient quota'],
    ['usage limit', 'usage limit reached'],
  ])('reads %s as SPEND_LIMIT_REACHED', (_name, message) => {
    expect(providerError(http(400, message), context).code).toBe(ErrorCode.SPEND_LIMIT_REACHED);
  });

  it.each([
    ['context window', 'exceeds the context window'],
    ['maximum context', 'maximum context is 4096'],
    ['too many tokens', 'too many tokens in the prompt'],
    ['exceeds the model context', "input exceeds the model's context"],
    ['exceed context', 'this would exceed context limits'],
    ['exceeds models context', 'prompt exceeds models context'],
    ['exceeds model context', 'prompt exceeds model context'],
    ['input length and max_tokens exceed', 'input length and max_tokens exceed the limit'],
    ['request_too_large', 'request_too_large'],
  ])('reads %s as CONTEXT_TOO_LONG', (_name, message) => {
    expect(providerError(http(400, message), context)).toMatchObject({ code: ErrorCode.CONTEXT_TOO_LONG, retryable: false });
  });

  it('maps failures without a status by their kind', () => {
    const failureOf = (kind: ProviderFailure['kind'], message = 'why'): ProviderFailure => ({ kind, message, cause: new Error('cause') });
    expect(providerError(failureOf('timeout'), context)).toMatchObject({ code: 'TIMEOUT', retryable: true, message: 'Anthropic did not answer in time: why.' });
    expect(providerError(failureOf('connection'), context)).toMatchObject({
      code: 'NETWORK_ERROR',
      retryable: true,
      message: 'Could not reach Anthropic: why.',
    });
    expect(providerError(failureOf('malformed'), context)).toMatchObject({
      code: 'PROVIDER_ERROR',
      retryable: true,
      message: 'Anthropic sent an unreadable answer: why.',
      details: { reason: 'malformed-answer' },
    });
    expect(providerError(failureOf('other'), context)).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false, message: 'Anthropic failed: why.' });
    expect(providerError(failureOf('other', ''), context).message).toBe('Anthropic failed.');
    const other = failureOf('other');
    expect(providerError(other, context)).toMatchObject({ videoId: 'dQw4w9WgXcQ', cause: other.cause });
    expect(providerError({ kind: 'http', message: 'no status', cause: undefined }, context)).toMatchObject({
      code: 'PROVIDER_ERROR',
      retryable: false,
      message: 'Anthropic failed: no status.',
    });
    const aborted = providerError(failureOf('abort'), context);
    expect(aborted).toMatchObject({ code: 'CANCELLED', retryable: false, videoId: 'dQw4w9WgXcQ' });
    const cause = new Error('cause');
    expect(providerError({ kind: 'http', status: 500, message: 'x', cause }, context).cause).toBe(cause);
  });

  it('reports cancellation whatever failed, once our signal has aborted', () => {
    const controller = new AbortController();
    const reason = new TubesumError(ErrorCode.CANCELLED, 'the batch was cancelled');
    controller.abort(reason);
    expect(providerError(http(500), { ...context, signal: controller.signal })).toBe(reason);
    expect(providerError({ kind: 'connection', message: 'reset', cause: undefined }, { ...context, signal: controller.signal })).toBe(reason);
    expect(providerError(http(500), { ...context, signal: new AbortController().signal }).code).toBe('PROVIDER_ERROR');
  });
});
