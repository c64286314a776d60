import type { Queue, QueueEvents } from 'bullmq';
import { ErrorCode, TubesumError } from '@tubesum/core';
import { decodeFailure, relayedProgressSchema, stageResultSchema } from './wire.js';
import type { RelayedProgress, RelayedRetry, StageResult } from './wire.js';

/** How a stage's job ended, as its submitter learns it. */
export type StageOutcome =
  { ok: true; result: StageResult } | { ok: false; error: TubesumError; attempts: number; entered: boolean; retries?: RelayedRetry[] | undefined };

interface Waiter {
  videoId: string;
  since: number;
  onProgress: (event: RelayedProgress) => void;
  settle: (outcome: StageOutcome) => void;
  /** Called when the job is not in the queue at all (removed): the submitter adds it again. */
  onMissing: () => void;
}

/**
 * The submitter's view of its jobs on one queue: completions, failures and progress come from
 * BullMQ's QueueEvents, a trimmed Redis stream that a listener may miss (a long disconnect, a busy
 * cluster); so jobs waited on for a while are also looked up in Redis, and whatever comes first wins.
 */
export class StageWaiters {
  readonly #queue: Queue;
  readonly #waiters = new Map<string, Waiter>();
  readonly #timer: NodeJS.Timeout;
  readonly #pollMs: number;
  #polling = false;

  constructor(queue: Queue, events: QueueEvents, pollMs: number) {
    this.#queue = queue;
    this.#pollMs = pollMs;
    events.on('completed', ({ jobId, returnvalue }) => this.#completed(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.#failed(jobId, failedReason));
    events.on('progress', ({ jobId, data }) => {
      const waiter = this.#waiters.get(jobId);
      const parsed = relayedProgressSchema.safeParse(data);
      if (waiter && parsed.success) waiter.onProgress(parsed.data as RelayedProgress);
    });
    this.#timer = setInterval(() => void this.#poll(), pollMs);
    this.#timer.unref();
  }

  /** Waits for job `id` (register before adding it, so that no event is missed). */
  wait(id: string, videoId: string, onProgress: Waiter['onProgress'], onMissing: () => void): { outcome: Promise<StageOutcome>; forget: () => void } {
    let settle!: (outcome: StageOutcome) => void;
    const outcome = new Promise<StageOutcome>((resolve) => (settle = resolve));
    this.#waiters.set(id, { videoId, since: Date.now(), onProgress, settle, onMissing });
    return { outcome, forget: () => this.#waiters.delete(id) };
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #completed(jobId: string, value: unknown): void {
    const waiter = this.#waiters.get(jobId);
    if (!waiter) return;
    const parsed = stageResultSchema.safeParse(typeof value === 'string' ? safeJson(value) : value);
    this.#waiters.delete(jobId);
    if (parsed.success) waiter.settle({ ok: true, result: parsed.data as StageResult });
    else {
      // Completed by something that is not a tubesum worker of this version: say so, do not wait forever.
      const error = new TubesumError(
        ErrorCode.UNEXPECTED_RESPONSE,
        `The job of ${waiter.videoId} was completed without a tubesum result; is a worker of another version on this queue?`,
        {
          videoId: waiter.videoId,
          retryable: false,
        },
      );
      waiter.settle({ ok: false, error, attempts: 0, entered: false });
    }
  }

  #failed(jobId: string, failedReason: string | undefined): void {
    const waiter = this.#waiters.get(jobId);
    if (!waiter) return;
    this.#waiters.delete(jobId);
    waiter.settle({ ok: false, ...decodeFailure(failedReason, waiter.videoId) });
  }

  /** Looks up in Redis the jobs waited on for more than a poll interval, oldest first, a few at a time. */
  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const due = [...this.#waiters.entries()].filter(([, waiter]) => Date.now() - waiter.since >= this.#pollMs).slice(0, 64);
      await Promise.all(
        due.map(async ([id, waiter]) => {
          const job = await this.#queue.getJob(id).catch(() => null);
          if (this.#waiters.get(id) !== waiter) return;
          if (job === undefined) {
            waiter.since = Date.now();
            waiter.onMissing();
            return;
          }
          if (job === null) return; // Redis unreachable: next time
          if (job.finishedOn !== undefined && job.failedReason) this.#failed(id, job.failedReason);
          else if (job.finishedOn !== undefined) this.#completed(id, job.returnvalue);
        }),
      );
    } finally {
      this.#polling = false;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
