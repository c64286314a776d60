import { ErrorCode, TubesumError, cancelledError } from '../../errors.js';
import { retryAfterMsFrom } from '../../internal/retry-after.js';

/** A provider failure, described the same way whichever SDK raised it. */
export interface ProviderFailure {
  /**
   * `http`: an error status; `connection`: refused, reset before or during the body; `malformed`:
   * an answer that is not the JSON promised (cut short, wrong shape); `other`: anything unforeseen.
   */
  kind: 'http' | 'abort' | 'timeout' | 'connection' | 'malformed' | 'other';
  status?: number | undefined;
  headers?: Headers | undefined;
  /** The provider's own message (from the error body when there is one). */
  message: string;
  /** A machine-readable code or type from the body (`insufficient_quota`, `overloaded_error`). */
  code?: string | undefined;
  cause: unknown;
}

/** Who is being called, for messages that tell the user what to fix. */
export interface ProviderContext {
  /** `Anthropic`, `OpenAI-compatible server at http://localhost:11434/v1`. */
  provider: string;
  model: string;
  /** Where the key came from: `ANTHROPIC_API_KEY`, `the apiKey option`, or undefined for no key. */
  keySource?: string | undefined;
  signal?: AbortSignal | undefined;
  videoId?: string | undefined;
}

const SPEND_LIMIT = /spend(?:ing)? limit|credit balance|billing|insufficient[_ ]quota|exceeded your current quota|usage limits?/i;
const CONTEXT_TOO_LONG =
  /prompt is too long|context[_ ]length|context window|maximum context|too many tokens|exceeds? (?:the )?(?:model'?s? )?context|input length and `?max_tokens`? exceed|request_too_large/i;

/** Maps a provider failure to the one {@link TubesumError} the processor understands. */
export function providerError(failure: ProviderFailure, context: ProviderContext): TubesumError {
  const base = { videoId: context.videoId, cause: failure.cause };
  const said = failure.message ? `: ${failure.message}` : '';
  if (failure.kind === 'abort' || context.signal?.aborted) return cancelledError(context.signal, context.videoId);
  if (failure.kind === 'timeout') {
    return new TubesumError(ErrorCode.TIMEOUT, `${context.provider} did not answer in time${said}.`, base);
  }
  if (failure.kind === 'connection') {
    return new TubesumError(ErrorCode.NETWORK_ERROR, `Could not reach ${context.provider}${said}.`, base);
  }
  if (failure.kind === 'malformed') {
    // A cut or garbled answer says nothing about the request: the next attempt usually succeeds.
    return new TubesumError(ErrorCode.PROVIDER_ERROR, `${context.provider} sent an unreadable answer${said}.`, {
      ...base,
      retryable: true,
      details: { reason: 'malformed-answer' },
    });
  }
  if (failure.kind === 'other' || failure.status === undefined) {
    return new TubesumError(ErrorCode.PROVIDER_ERROR, `${context.provider} failed${said}.`, { ...base, retryable: false });
  }

  const status = failure.status;
  const text = `${failure.code ?? ''} ${failure.message}`;
  const details = { status, ...(failure.code ? { providerCode: failure.code } : {}) };
  if ((status === 429 || status === 400 || status === 402 || status === 403) && SPEND_LIMIT.test(text)) {
    return new TubesumError(
      ErrorCode.SPEND_LIMIT_REACHED,
      `${context.provider} refused the request because the account's spend limit or credit is exhausted (${status})${said}.`,
      { ...base, details },
    );
  }
  if (status === 401 || status === 403) {
    const key = context.keySource ? `${context.keySource} was rejected` : 'The request was rejected for lack of a valid API key';
    const what = status === 403 ? ` (403: the key lacks permission for model ${context.model})` : ' (401)';
    return new TubesumError(ErrorCode.AUTHENTICATION_FAILED, `${key} by ${context.provider}${what}${said}.`, {
      ...base,
      retryable: false,
      details,
    });
  }
  if (status === 429) {
    const retryAfterMs = retryAfterMsFrom(failure.headers);
    return new TubesumError(ErrorCode.RATE_LIMITED, `${context.provider} is rate limiting us (429)${said}.`, {
      ...base,
      retryAfterMs,
      details,
    });
  }
  if (status === 529 || status === 503 || failure.code === 'overloaded_error') {
    return new TubesumError(ErrorCode.OVERLOADED, `${context.provider} is overloaded (${status})${said}.`, {
      ...base,
      retryAfterMs: retryAfterMsFrom(failure.headers),
      details,
    });
  }
  if (status === 413 || ((status === 400 || status === 422) && CONTEXT_TOO_LONG.test(text))) {
    return new TubesumError(ErrorCode.CONTEXT_TOO_LONG, `The prompt does not fit the context of ${context.model} (${status})${said}.`, {
      ...base,
      retryable: false,
      details,
    });
  }
  if (status === 408 || status === 504) {
    return new TubesumError(ErrorCode.TIMEOUT, `${context.provider} timed out (${status})${said}.`, { ...base, details });
  }
  if (status === 404) {
    return new TubesumError(ErrorCode.PROVIDER_ERROR, `${context.provider} does not know model ${context.model} or the endpoint (404)${said}.`, {
      ...base,
      retryable: false,
      details,
    });
  }
  return new TubesumError(ErrorCode.PROVIDER_ERROR, `${context.provider} answered ${status}${said}.`, {
    ...base,
    // Server errors and conflicts are usually transient; other client errors are not.
    retryable: status >= 500 || status === 409,
    details,
  });
}
