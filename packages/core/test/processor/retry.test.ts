import { describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError } from '../../src/errors.js';
import { retryDelay, runWithRetries, shouldRetry } from '../../src/processor/retry.js';

const options = { attempts: 4, minDelayMs: 100, maxDelayMs: 1000 };

describe('shouldRetry', () => {
  it('retries only retryable tubesum errors, never cancellation', () => {
    expect(shouldRetry(new TubesumError(ErrorCode.RATE_LIMITED, 'x'))).toBe(true);
    expect(shouldRetry(new TubesumError(ErrorCode.REQUEST_BLOCKED, 'x'))).toBe(true);
    expect(shouldRetry(new TubesumError(ErrorCode.SPEND_LIMIT_REACHED, 'x'))).toBe(false);
    expect(shouldRetry(new TubesumError(ErrorCode.VIDEO_UNAVAILABLE, 'x'))).toBe(false);
    expect(shouldRetry(new TubesumError(ErrorCode.CANCELLED, 'x', { retryable: true }))).toBe(false);
    expect(shouldRetry(new Error('plain'))).toBe(false);
  });
});

describe('retryDelay', () => {
  it('backs off exponentially with jitter, within bounds', () => {
    const error = new TubesumError(ErrorCode.OVERLOADED, 'x');
    expect(retryDelay(1, error, options, () => 0)).toBe(50);
    expect(retryDelay(1, error, options, () => 1)).toBe(100);
    expect(retryDelay(3, error, options, () => 1)).toBe(400);
    expect(retryDelay(10, error, options, () => 1)).toBe(1000);
  });

  it('waits at least retry-after, capped by maxDelayMs', () => {
    expect(retryDelay(1, new TubesumError(ErrorCode.RATE_LIMITED, 'x', { retryAfterMs: 700 }), options, () => 0)).toBe(700);
    expect(retryDelay(1, new TubesumError(ErrorCode.RATE_LIMITED, 'x', { retryAfterMs: 90_000 }), options, () => 0)).toBe(1000);
  });
});

describe('runWithRetries', () => {
  it('stops at once on a non-retryable error and turns unknown errors into PROVIDER_ERROR', async () => {
    let calls = 0;
    const error = await runWithRetries(
      async () => {
        calls += 1;
        throw new TypeError('not a function');
      },
      { ...options, minDelayMs: 1, signal: new AbortController().signal },
    ).catch((caught: unknown) => caught);
    expect(calls).toBe(1);
    expect(error).toMatchObject({ code: ErrorCode.PROVIDER_ERROR, retryable: false });
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new TubesumError(ErrorCode.CANCELLED, 'stop');
    const running = runWithRetries(
      async () => {
        throw new TubesumError(ErrorCode.OVERLOADED, 'busy', { retryAfterMs: 60_000 });
      },
      { attempts: 3, minDelayMs: 1, maxDelayMs: 60_000, signal: controller.signal, onRetry: () => controller.abort(reason) },
    );
    await expect(running).rejects.toBe(reason);
  });
});
