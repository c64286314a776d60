import type { BatchStore, RetryOptions, Summarizer, TranscriptSource } from '@tubesum/core';
import { z } from 'zod';
import { connectionSchema } from './connection.js';
import type { RedisConnection } from './connection.js';
import { integerFrom, positiveInteger, retryOptionsSchema, wholeMilliseconds } from '@tubesum/core/executor';

const name = z
  .string({ error: 'a name of letters, digits, `-` and `_`' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'a name of 1 to 64 letters, digits, `-` and `_`' });

/** `prefix` and `queueName`, the same on submitters and workers. */
export const namesShape = { prefix: name.optional(), queueName: name.optional() };

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** Redis: a `redis://user:password@host:6379/0` URL or ioredis options. */
  readonly connection: RedisConnection;
  /** @default 'tubesum' (the submitters' `prefix`) */
  readonly prefix?: string | undefined;
  /** @default 'tubesum' (the submitters' `queueName`) */
  readonly queueName?: string | undefined;
  /** Where transcripts come from; its YouTube request limiter applies to this worker (this IP). */
  readonly transcripts: TranscriptSource;
  /** What writes the summaries. Every worker should use the same model: it is part of the cache key. */
  readonly summarizer: Summarizer;
  /** The submitters' store (Redis or PostgreSQL): transcripts and summaries are cached there. */
  readonly store: BatchStore;
  /** Jobs of each stage this worker runs at once. The summaries' cluster-wide limit is set by the submitter. */
  readonly concurrency: { readonly transcripts: number; readonly summaries: number };
  /** Retries of a stage's retryable failures, inside the job (BullMQ never retries it). */
  readonly retry?: RetryOptions | undefined;
  /** Longest time one attempt may take. @default 300000 */
  readonly itemTimeoutMs?: number | undefined;
  /**
   * BullMQ's job lock: a worker that dies (SIGKILL, a lost machine) stops renewing it, and its jobs
   * run again on another worker after about this long.
   * @default 30000
   */
  readonly lockDurationMs?: number | undefined;
  /** The lease on a summary's cache key while it is written, renewed every third. @default 15000 */
  readonly summaryLeaseMs?: number | undefined;
}

const hasMethods = (...names: string[]) =>
  z.custom<object>(
    (value) => typeof value === 'object' && value !== null && names.every((each) => typeof (value as Record<string, unknown>)[each] === 'function'),
    {
      error: `an object with ${names.map((each) => `\`${each}()\``).join(', ')}`,
    },
  );

export const workerOptionsSchema = z
  .object({
    connection: connectionSchema,
    ...namesShape,
    transcripts: hasMethods('fetchTranscript'),
    summarizer: hasMethods('summarize'),
    store: hasMethods('getCached', 'setCached', 'isCancelRequested'),
    concurrency: z.object({ transcripts: integerFrom(1, 1000), summaries: integerFrom(1, 1000) }).strict(),
    retry: retryOptionsSchema.optional(),
    itemTimeoutMs: positiveInteger.optional(),
    lockDurationMs: wholeMilliseconds(500).optional(),
    summaryLeaseMs: wholeMilliseconds(300).optional(),
  })
  .strict();
