import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, TubesumError } from '../../src/errors.js';
import { DEFAULT_RETRY, retryDelay, runWithRetries, shouldRetry, toTubesumError, type RetryAttempt } from '../../src/processor/retry.js';
import { failure } from '../support/failure.js';

const options = { attempts: 4, minDelayMs: 100, maxDelayMs: 1000 };
const never = () => new AbortController().signal;

describe('DEFAULT_RETRY', () => {
  it('is four attempts, from 1 s, never more than a minute apart', () => {
    expect(DEFAULT_RETRY).toEqual({ attempts: 4, minDelayMs: 1000, maxDelayMs: 60_000 });
  });

  it('waits 0.5-1 s, 1-2 s, 2-4 s before the second, third and fourth attempts', () => {
    const error = new TubesumError(ErrorCode.OVERLOADED, 'busy');
    expect([1, 2, 3].map((attempt) => retryDelay(attempt, error, DEFAULT_RETRY, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((attempt) => retryDelay(attempt, error, DEFAULT_RETRY, () => 0.999_999))).toEqual([1000, 2000, 4000]);
  });

  it('honours a retry-after up to a minute', () => {
    const asked = (ms: number) => new TubesumError(ErrorCode.RATE_LIMITED, 'slow down', { retryAfterMs: ms });
    expect(retryDelay(1, asked(30_000), DEFAULT_RETRY, () => 0)).toBe(30_000);
    expect(retryDelay(1, asked(600_000), DEFAULT_RETRY, () => 0)).toBe(60_000);
  });
});

describe('shouldRetry', () => {
  // Every code, with the retryability it has by default: the processor's whole retry decision.
  it.each<[ErrorCode, boolean]>([
    [ErrorCode.INVALID_URL, false],
    [ErrorCode.INVALID_OPTIONS, false],
    [ErrorCode.VIDEO_UNAVAILABLE, false],
    [ErrorCode.VIDEO_UNPLAYABLE, false],
    [ErrorCode.AGE_RESTRICTED, false],
    [ErrorCode.TRANSCRIPTS_DISABLED, false],
    [ErrorCode.NO_TRANSCRIPT_IN_LANGUAGE, false],
    [ErrorCode.REQUEST_BLOCKED, true],
    [ErrorCode.TOO_MANY_REQUESTS, true],
    [ErrorCode.PO_TOKEN_REQUIRED, false],
    [ErrorCode.EMPTY_TRANSCRIPT, false],
    [ErrorCode.RATE_LIMITED, true],
    [ErrorCode.OVERLOADED, true],
    [ErrorCode.AUTHENTICATION_FAILED, false],
    [ErrorCode.CONTEXT_TOO_LONG, false],
    [ErrorCode.SPEND_LIMIT_REACHED, false],
    [ErrorCode.PROVIDER_ERROR, false],
    [ErrorCode.TIMEOUT, true],
    [ErrorCode.CANCELLED, false],
    [ErrorCode.STORAGE_ERROR, true],
    [ErrorCode.NOT_FOUND, false],
    [ErrorCode.NETWORK_ERROR, true],
    [ErrorCode.UNEXPECTED_RESPONSE, false],
  ])('%s by default: %s', (code, expected) => {
    expect(shouldRetry(new TubesumError(code, 'x'))).toBe(expected);
  });

  it('follows an explicit retryable flag, except for cancellation', () => {
    expect(shouldRetry(new TubesumError(ErrorCode.PROVIDER_ERROR, 'x', { retryable: true }))).toBe(true);
    expect(shouldRetry(new TubesumError(ErrorCode.NETWORK_ERROR, 'x', { retryable: false }))).toBe(false);
    expect(shouldRetry(new TubesumError(ErrorCode.CANCELLED, 'x', { retryable: true }))).toBe(false);
  });

  it('never retries what is not a TubesumError', () => {
    expect(shouldRetry(new Error('plain'))).toBe(false);
    expect(shouldRetry({ code: ErrorCode.RATE_LIMITED, retryable: true })).toBe(false);
    expect(shouldRetry(undefined)).toBe(false);
  });
});

describe('retryDelay', () => {
  const error = new TubesumError(ErrorCode.OVERLOADED, 'x');

  it('backs off exponentially with full jitter in the upper half, within bounds', () => {
    expect(retryDelay(1, error, options, () => 0)).toBe(50);
    expect(retryDelay(1, error, options, () => 0.5)).toBe(75);
    expect(retryDelay(1, error, options, () => 1)).toBe(100);
    expect(retryDelay(2, error, options, () => 0)).toBe(100);
    expect(retryDelay(3, error, options, () => 1)).toBe(400);
    expect(retryDelay(10, error, options, () => 1)).toBe(1000);
    expect(retryDelay(10, error, options, () => 0)).toBe(500);
  });

  it('draws from Math.random by default, within the same bounds', () => {
    for (let index = 0; index < 20; index += 1) {
      const delay = retryDelay(3, error, options);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it('waits at least retry-after, capped by maxDelayMs', () => {
    expect(retryDelay(1, new TubesumError(ErrorCode.RATE_LIMITED, 'x', { retryAfterMs: 700 }), options, () => 0)).toBe(700);
    expect(retryDelay(3, new TubesumError(ErrorCode.RATE_LIMITED, 'x', { retryAfterMs: 10 }), options, () => 0)).toBe(200);
    expect(retryDelay(1, new TubesumError(ErrorCode.RATE_LIMITED, 'x', { retryAfterMs: 90_000 }), options, () => 0)).toBe(1000);
  });

  it('reads retry-after only from a TubesumError', () => {
    const lookAlike = Object.assign(new Error('x'), { retryAfterMs: 900 });
    expect(retryDelay(1, lookAlike, options, () => 0)).toBe(50);
  });
});

describe('toTubesumError', () => {
  it('keeps a TubesumError as it is', () => {
    const error = new TubesumError(ErrorCode.TIMEOUT, 'slow');
    expect(toTubesumError(error, 'dQw4w9WgXcQ')).toBe(error);
  });

  it('turns anything else into a PROVIDER_ERROR that is not retried', () => {
    const cause = new TypeError('not a function');
    const wrapped = toTubesumError(cause, 'dQw4w9WgXcQ');
    expect(wrapped).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: false, videoId: 'dQw4w9WgXcQ', message: 'Unexpected failure: not a function' });
    expect(wrapped.cause).toBe(cause);
    expect(toTubesumError('a string').message).toBe('Unexpected failure: a string');
  });
});

describe('runWithRetries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the first success, telling the task its attempt number', async () => {
    const seen: number[] = [];
    const retries: RetryAttempt[] = [];
    const result = await runWithRetries(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new TubesumError(ErrorCode.OVERLOADED, `busy ${attempt}`, { retryAfterMs: 5 });
        return 'done';
      },
      { ...options, minDelayMs: 1, maxDelayMs: 10, signal: never(), onRetry: (retry) => retries.push(retry) },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(retries.map((retry) => [retry.attempt, retry.error.message, retry.delayMs])).toEqual([
      [1, 'busy 1', 5],
      [2, 'busy 2', 5],
    ]);
  });

  it('stops at once on a non-retryable error and turns unknown errors into PROVIDER_ERROR', async () => {
    let calls = 0;
    const retries: RetryAttempt[] = [];
    const error = await failure(
      runWithRetries(
        async () => {
          calls += 1;
          throw new TypeError('not a function');
        },
        { ...options, minDelayMs: 1, signal: never(), videoId: 'dQw4w9WgXcQ', onRetry: (retry) => retries.push(retry) },
      ),
    );
    expect(calls).toBe(1);
    expect(retries).toEqual([]);
    expect(error).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: false, videoId: 'dQw4w9WgXcQ', message: 'Unexpected failure: not a function' });
    expect(error.details).toEqual({});
  });

  it('gives up after the last attempt with one error carrying every attempt', async () => {
    let calls = 0;
    const retries: RetryAttempt[] = [];
    const error = await failure(
      runWithRetries(
        async () => {
          calls += 1;
          throw new TubesumError(ErrorCode.RATE_LIMITED, `limited ${calls}`, { retryAfterMs: 2, details: { status: 429 } });
        },
        { attempts: 3, minDelayMs: 1, maxDelayMs: 10, signal: never(), videoId: 'dQw4w9WgXcQ', onRetry: (retry) => retries.push(retry) },
      ),
    );
    expect(calls).toBe(3);
    // Two retries announced; the last failed attempt announces nothing.
    expect(retries.map((retry) => retry.attempt)).toEqual([1, 2]);
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      retryable: true,
      retryAfterMs: 2,
      videoId: 'dQw4w9WgXcQ',
      message: 'limited 3 (gave up after 3 attempts)',
    });
    expect(error.cause).toMatchObject({ message: 'limited 3' });
    expect(error.details['status']).toBe(429);
    expect((error.details['attempts'] as { message: string }[]).map((attempt) => attempt.message)).toEqual(['limited 1', 'limited 2', 'limited 3']);
  });

  it('stops retrying when a later attempt fails for good', async () => {
    let calls = 0;
    const error = await failure(
      runWithRetries(
        async () => {
          calls += 1;
          if (calls === 1) throw new TubesumError(ErrorCode.NETWORK_ERROR, 'reset');
          throw new TubesumError(ErrorCode.AUTHENTICATION_FAILED, 'bad key');
        },
        { ...options, minDelayMs: 1, signal: never() },
      ),
    );
    expect(calls).toBe(2);
    expect(error).toMatchObject({ code: ErrorCode.AUTHENTICATION_FAILED, retryable: false, message: 'bad key (gave up after 2 attempts)' });
    expect((error.details['attempts'] as { code: string }[]).map((attempt) => attempt.code)).toEqual(['NETWORK_ERROR', 'AUTHENTICATION_FAILED']);
  });

  it('does not wait after the last failed attempt', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let settled = false;
    const retries: RetryAttempt[] = [];
    const running = failure(
      runWithRetries(
        async () => {
          calls += 1;
          throw new TubesumError(ErrorCode.OVERLOADED, 'busy', { retryAfterMs: 1000 });
        },
        { attempts: 2, minDelayMs: 1000, maxDelayMs: 60_000, signal: never(), onRetry: (retry) => retries.push(retry) },
      ),
    ).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(1);
    // The one wait, before the second attempt; once that attempt fails the error is out at once.
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(settled).toBe(true);
    expect(retries).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect((await running).code).toBe(ErrorCode.OVERLOADED);
  });

  it("stops waiting when the signal aborts, with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new TubesumError(ErrorCode.CANCELLED, 'stop');
    let calls = 0;
    const running = runWithRetries(
      async () => {
        calls += 1;
        throw new TubesumError(ErrorCode.OVERLOADED, 'busy', { retryAfterMs: 60_000 });
      },
      { attempts: 3, minDelayMs: 1, maxDelayMs: 60_000, signal: controller.signal, onRetry: () => controller.abort(reason) },
    );
    await expect(running).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  it('announces no retry once the signal has aborted during an attempt', async () => {
    const controller = new AbortController();
    const reason = new TubesumError(ErrorCode.CANCELLED, 'stop');
    const retries: RetryAttempt[] = [];
    const running = runWithRetries(
      async () => {
        controller.abort(reason);
        throw new TubesumError(ErrorCode.NETWORK_ERROR, 'reset');
      },
      { ...options, signal: controller.signal, onRetry: (retry) => retries.push(retry) },
    );
    await expect(running).rejects.toBe(reason);
    expect(retries).toEqual([]);
  });
});
