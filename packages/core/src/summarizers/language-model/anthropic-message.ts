import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { Completion } from './language-model-summary.js';
import type { ProviderFailure } from './provider-error.js';

/** The parts of a Messages API answer we read; anything else is a malformed answer, worth another attempt. */
export const messageSchema = z
  .object({
    content: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
    usage: z
      .object({
        input_tokens: z.number(),
        output_tokens: z.number(),
        cache_read_input_tokens: z.number().nullish(),
        cache_creation_input_tokens: z.number().nullish(),
      })
      .loose(),
    stop_reason: z.string().nullish(),
  })
  .loose();

/**
 * What the SDK threw, as a {@link ProviderFailure}. Besides its own error classes, reading the body
 * can fail raw: undici's `TypeError: terminated` when the connection drops mid-body, a `SyntaxError`
 * when a 200 carries cut JSON. Both are transient, not a verdict on the request.
 */
export function describeAnthropicError(error: unknown): ProviderFailure {
  if (error instanceof APIUserAbortError) return { kind: 'abort', message: error.message, cause: error };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', message: error.message, cause: error };
  if (error instanceof APIConnectionError) return { kind: 'connection', message: error.message, cause: error };
  if (error instanceof APIError && typeof error.status === 'number') {
    return {
      kind: 'http',
      status: error.status,
      headers: error.headers,
      message: error.apiMessage ?? error.message,
      code: error.errorCode ?? error.type ?? undefined,
      cause: error,
    };
  }
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'abort', message: error.message, cause: error };
  if (error instanceof SyntaxError) return { kind: 'malformed', message: `the answer is not valid JSON (${error.message})`, cause: error };
  if (isConnectionFailure(error)) {
    const cause = error.cause instanceof Error ? error.cause : error;
    return { kind: 'connection', message: `the connection broke off (${cause.message})`, cause: error };
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error), cause: error };
}

/** undici's failures while reading a body: `terminated`, or any error caused by a socket error code. */
function isConnectionFailure(error: unknown): error is Error {
  if (!(error instanceof TypeError)) return false;
  if (error.message === 'terminated' || error.message === 'fetch failed') return true;
  const cause: unknown = error.cause;
  return cause instanceof Error && typeof (cause as { code?: unknown }).code === 'string';
}

/** A Messages API answer (from `messages.create` or a batch result) as a {@link Completion}; undefined when it is malformed. */
export function completionOf(message: unknown, batch: boolean): Completion | undefined {
  const answer = messageSchema.safeParse(message);
  if (!answer.success) return undefined;
  const { content, usage, stop_reason: stopReason } = answer.data;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    text: content.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : [])).join(''),
    // Anthropic's input_tokens counts only the tokens after the last cache mark: the prompt is all three.
    inputTokens: usage.input_tokens + cacheRead + cacheWrite,
    outputTokens: usage.output_tokens,
    ...(cacheRead > 0 ? { cacheReadInputTokens: cacheRead } : {}),
    ...(cacheWrite > 0 ? { cacheCreationInputTokens: cacheWrite } : {}),
    ...(batch ? { batch: true } : {}),
    truncated: stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded',
  };
}

/** HTTP status of each error type Anthropic reports, for errored batch results that carry a type but no status. */
const STATUS_OF_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An `errored` batch result (`{ type: 'error', error: { type, message } }`) as a {@link ProviderFailure}. */
export function batchErrorFailure(error: { type?: string | undefined; message?: string | undefined }): ProviderFailure {
  const type = error.type ?? 'api_error';
  return { kind: 'http', status: STATUS_OF_ERROR_TYPE[type] ?? 500, message: error.message ?? type, code: type, cause: error };
}
