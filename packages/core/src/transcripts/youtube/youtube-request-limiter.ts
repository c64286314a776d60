import { z } from 'zod';
import { validateOptions } from '../../internal/validate-options.js';
import { positiveInteger, wholeMilliseconds } from '../../internal/option-schemas.js';

/** Options of {@link YouTubeRequestLimiter}. */
export interface YouTubeRequestLimiterOptions {
  /**
   * At most this many YouTube requests in flight at once.
   * @default 2
   */
  concurrency?: number | undefined;
  /**
   * Minimum time between the starts of two requests, in milliseconds.
   * @default 1000
   */
  minIntervalMs?: number | undefined;
  /**
   * A random extra delay between 0 and this many milliseconds added to each gap,
   * so requests do not arrive on a machine-like beat.
   * @default 1000
   */
  jitterMs?: number | undefined;
  /**
   * After this many blocked answers in a row (`REQUEST_BLOCKED`, `TOO_MANY_REQUESTS`),
   * every request waits for a pause.
   * @default 2
   */
  blockedThreshold?: number | undefined;
  /**
   * Length of the first pause after repeated blocks, in milliseconds; it doubles with
   * each further block until a request succeeds.
   * @default 60000
   */
  blockedPauseMs?: number | undefined;
  /**
   * The longest pause after repeated blocks, in milliseconds.
   * @default 900000 (15 minutes)
   */
  maxBlockedPauseMs?: number | undefined;
}

const optionsSchema = z
  .object({
    concurrency: positiveInteger.default(2),
    minIntervalMs: wholeMilliseconds().default(1000),
    jitterMs: wholeMilliseconds().default(1000),
    blockedThreshold: positiveInteger.default(2),
    blockedPauseMs: wholeMilliseconds().default(60_000),
    maxBlockedPauseMs: wholeMilliseconds().default(900_000),
  })
  .strict();

const runSchema = z.object({
  task: z.custom<() => unknown>((value) => typeof value === 'function', { error: 'a function that starts a request' }),
  signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
});

interface Waiter {
  start: () => void;
}

/**
 * Paces requests to YouTube so a large batch does not get the user's IP blocked: at most
 * `concurrency` requests at once, a minimum gap with jitter between request starts, and a
 * growing pause after repeated blocks. One limiter is shared by every
 * {@link YouTubeTranscriptSource} of a process unless a source is given its own.
 *
 * @example
 * const limiter = new YouTubeRequestLimiter({ concurrency: 1, minIntervalMs: 2000 });
 * const transcripts = new YouTubeTranscriptSource({ limiter });
 */
export class YouTubeRequestLimiter {
  readonly #options: z.output<typeof optionsSchema>;
  readonly #queue: Waiter[] = [];
  #active = 0;
  #nextStartAt = 0;
  #pausedUntil = 0;
  #blocksInARow = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: YouTubeRequestLimiterOptions = {}) {
    this.#options = validateOptions(optionsSchema, options, 'YouTubeRequestLimiter options');
  }

  /** Requests in flight now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Milliseconds left of the pause after repeated blocks (0 when not paused). */
  get pauseRemainingMs(): number {
    return Math.max(0, this.#pausedUntil - now());
  }

  /**
   * Runs `task` when pace and concurrency allow. `task` must start its request
   * synchronously: the gap is measured from the moment it is called.
   * Rejects with `signal.reason` if the signal aborts while the task still waits.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    validateOptions(runSchema, { task, signal }, 'YouTubeRequestLimiter.run()');
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason);
        this.#pump();
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#active += 1;
          let running: Promise<T>;
          try {
            // A task that returns a plain value must not leave the slot taken forever.
            running = Promise.resolve(task());
          } catch (error) {
            running = Promise.reject(error);
          }
          const { minIntervalMs, jitterMs } = this.#options;
          this.#nextStartAt = now() + minIntervalMs + Math.random() * jitterMs;
          running.then(resolve, reject).finally(() => {
            this.#active -= 1;
            this.#pump();
          });
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Tells the limiter YouTube refused a request as blocked or rate limited. */
  reportBlocked(): void {
    this.#blocksInARow += 1;
    const { blockedThreshold, blockedPauseMs, maxBlockedPauseMs } = this.#options;
    if (this.#blocksInARow < blockedThreshold) return;
    const pause = Math.min(maxBlockedPauseMs, blockedPauseMs * 2 ** (this.#blocksInARow - blockedThreshold));
    this.#pausedUntil = Math.max(this.#pausedUntil, now() + pause);
  }

  /** Tells the limiter a fetch went through, which ends a run of blocks. */
  reportSuccess(): void {
    this.#blocksInARow = 0;
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#active < this.#options.concurrency && this.#queue.length > 0) {
      const wait = Math.max(this.#nextStartAt, this.#pausedUntil) - now();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, Math.ceil(wait));
        return;
      }
      (this.#queue.shift() as Waiter).start();
    }
  }
}

function now(): number {
  return performance.now();
}

let shared: YouTubeRequestLimiter | undefined;

/** The limiter every {@link YouTubeTranscriptSource} without its own uses, created on first use. */
export function sharedYouTubeRequestLimiter(): YouTubeRequestLimiter {
  shared ??= new YouTubeRequestLimiter();
  return shared;
}
