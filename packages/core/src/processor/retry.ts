import pRetry from 'p-retry';
import { ErrorCode, TubesumError } from '../errors.js';
import { sleep } from '../internal/abort.js';

/** How the processor retries a failed step. */
export interface RetryOptions {
  /**
   * Attempts per step (transcript, summary), the first one included.
   * @default 4
   */
  attempts?: number;
  /**
   * Backoff before the second attempt; doubles each attempt, with full jitter.
   * @default 1000
   */
  minDelayMs?: number;
  /**
   * Longest wait between attempts, also the cap on a provider's `retry-after`.
   * @default 60000
   */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 4, minDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * The one place that decides whether a failure is worth another attempt:
 * only {@link TubesumError}s marked retryable (rate limits, overload, blocks, timeouts,
 * network and storage failures). Everything else, including cancellation, fails at once.
 */
export function shouldRetry(error: unknown): boolean {
  return error instanceof TubesumError && error.retryable && error.code !== ErrorCode.CANCELLED;
}

/**
 * Wait before attempt `failedAttempt + 1`: exponential backoff with full jitter, but never
 * less than what the other side asked for in `retry-after`, and never more than `maxDelayMs`.
 */
export function retryDelay(failedAttempt: number, error: unknown, options: Required<RetryOptions>, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** (failedAttempt - 1));
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const asked = error instanceof TubesumError ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(options.maxDelayMs, Math.max(backoff, asked));
}

/** Turns anything thrown by a source, summarizer or store into a {@link TubesumError}. */
export function toTubesumError(error: unknown, videoId?: string): TubesumError {
  if (error instanceof TubesumError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TubesumError(ErrorCode.PROVIDER_ERROR, `Unexpected failure: ${message}`, { videoId, cause: error, retryable: false });
}

export interface RetryAttempt {
  /** The attempt that failed, from 1. */
  attempt: number;
  error: TubesumError;
  delayMs: number;
}

/**
 * Runs `task` until it succeeds, fails with an error {@link shouldRetry} refuses, runs out of
 * attempts, or `signal` aborts. When it gives up, the error thrown is the last one, carrying every
 * attempt's error in `details.attempts`.
 */
export async function runWithRetries<T>(
  task: (attempt: number) => Promise<T>,
  options: Required<RetryOptions> & {
    signal: AbortSignal;
    videoId?: string;
    onRetry?: (attempt: RetryAttempt) => void;
    /** A failure that must not be tried again although {@link shouldRetry} would (it stops the whole batch). */
    shouldStop?: (error: TubesumError) => boolean;
  },
): Promise<T> {
  const failures: TubesumError[] = [];
  const worthRetrying = (error: TubesumError) => shouldRetry(error) && options.shouldStop?.(error) !== true;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await task(attempt);
        } catch (error) {
          throw toTubesumError(error, options.videoId);
        }
      },
      {
        retries: options.attempts - 1,
        // p-retry counts attempts and stops on the signal; the delay is ours, so that it honours retry-after.
        minTimeout: 0,
        maxTimeout: 0,
        signal: options.signal,
        shouldRetry: ({ error }) => worthRetrying(toTubesumError(error, options.videoId)),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const failure = toTubesumError(error, options.videoId);
          failures.push(failure);
          if (retriesLeft <= 0 || !worthRetrying(failure) || options.signal.aborted) return;
          const delayMs = retryDelay(attemptNumber, failure, options);
          options.onRetry?.({ attempt: attemptNumber, error: failure, delayMs });
          await sleep(delayMs, options.signal);
        },
      },
    );
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    const last = toTubesumError(error, options.videoId);
    if (failures.length <= 1) return Promise.reject(last);
    throw new TubesumError(last.code, `${last.message} (gave up after ${failures.length} attempts)`, {
      videoId: last.videoId ?? options.videoId,
      retryable: last.retryable,
      retryAfterMs: last.retryAfterMs,
      cause: last,
      details: { ...last.details, attempts: failures.map((failure) => failure.toJSON()) },
    });
  }
}
