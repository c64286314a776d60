import { z } from 'zod';
import { exportRequestShape } from '../export/export-stream.js';
import type { ListExpansion } from '../lists/expand-inputs.js';
import type { ChannelContent, VideoListSource } from '../lists/video-list-source.js';
import { ErrorCode, TubesumError } from '../errors.js';
import type { BatchStore } from '../storage/batch-store.js';
import type { Summarizer } from '../summarizers/summarizer.js';
import type { TranscriptSource } from '../transcripts/transcript-source.js';
import type { ItemExecutor } from './item-executor.js';
import type { JobOptions } from '../records.js';
import type { RetryOptions } from './retry.js';
import { integerFrom, milliseconds, nonNegativeInteger, positiveInteger, retryOptionsSchema, wholeMilliseconds } from '../internal/option-schemas.js';

/**
 * Options of {@link BatchProcessor}. The in-process pipeline (the default) needs `transcripts` and
 * `summarizer`; with an `executor` (workers elsewhere) they are optional, since the workers have theirs.
 */
export type BatchProcessorOptions = ProcessorCommonOptions & (InProcessPipelineOptions | ExecutorPipelineOptions);

/** The default: the items' work runs in this process. */
export interface InProcessPipelineOptions {
  /** Where transcripts come from, e.g. `new YouTubeTranscriptSource()`. */
  readonly transcripts: TranscriptSource;
  /** What writes the summaries, e.g. `new ExtractiveSummarizer()` or `new AnthropicSummarizer()`. */
  readonly summarizer: Summarizer;
  readonly executor?: undefined;
}

/** The items' work runs where an executor sends it (e.g. BullMQ workers of `@tubesum/bullmq`). */
export interface ExecutorPipelineOptions {
  /** Unused by the processor when the workers have their own. */
  readonly transcripts?: TranscriptSource | undefined;
  /** Unused by the processor when the workers have their own. */
  readonly summarizer?: Summarizer | undefined;
  /**
   * Where the items' work runs. By default in this process, within `concurrency`, `prefetch`,
   * `retry` and `itemTimeoutMs` (which then concern the in-process pipeline only). Pass e.g.
   * `createQueueExecutor()` of `@tubesum/bullmq` to run it on workers: this processor still owns
   * its batches (state, events, cancel, resume, export), and its store must be one the workers
   * reach too (Redis or PostgreSQL; a memory or SQLite store is refused with `INVALID_OPTIONS`).
   */
  readonly executor: ItemExecutor;
}

/** Options of {@link BatchProcessor} whatever runs the items' work. */
export interface ProcessorCommonOptions {
  /**
   * Where jobs, items, transcripts and summaries are kept. Several processes (replicas) may share
   * one Redis, PostgreSQL or SQLite store: each running job has one owner.
   * @default createSqliteStore({ path: '.tubesum/store.sqlite' }); required with a distributed `executor`
   */
  readonly store?: BatchStore;
  /**
   * Whether {@link BatchProcessor.close} also closes the store.
   * @default true when the processor opened the store itself (no `store` option), false for a store passed in
   */
  readonly closeStore?: boolean;
  /** Limits shared by every job of this processor, and fair between jobs. */
  readonly concurrency?: {
    /**
     * Transcript fetches at once. YouTube blocks IPs that fetch fast; keep this low.
     * @default 2
     */
    readonly transcripts?: number;
    /**
     * Summaries at once. With a batching summarizer (Anthropic's batch mode) this is how many may
     * wait for their provider batch at once, each holding its transcript in memory.
     * @default 4; with a batching summarizer, the smaller of its `batching.maxWaiting` and 1000
     */
    readonly summaries?: number;
  };
  /**
   * Transcripts fetched ahead and held while they wait for a summary slot, so the
   * summarizer never waits for YouTube.
   * @default 2 × concurrency.summaries; with a batching summarizer, 2 × concurrency.transcripts
   */
  readonly prefetch?: number;
  /** Retries of retryable failures (rate limits, overload, timeouts, blocks, storage hiccups). */
  readonly retry?: RetryOptions;
  /**
   * Longest time one attempt at one step (fetching a transcript, writing a summary) may take.
   * @default 300000
   */
  readonly itemTimeoutMs?: number;
  /**
   * How often the job's counts are written while it runs. Items are always written
   * before they are announced; the counts can be rebuilt from them.
   * @default 1000
   */
  readonly stateWriteIntervalMs?: number;
  /**
   * How long a running job's owner lease lasts without renewal. The owner renews it every third of
   * this; a process that dies stops renewing, and after this long another replica may take the job
   * over (see `adoptOrphans`). An owner that cannot renew (store outage) stops its work before the
   * lease can expire, so two processes never run one job.
   * @default 30000
   */
  readonly leaseMs?: number;
  /**
   * Whether this processor takes over, on its own, running jobs whose owner's lease expired (a
   * crashed replica), checking every `leaseMs / 2`. Paused jobs are left for an explicit `resume()`.
   * @default false
   */
  readonly adoptOrphans?: boolean;
  /**
   * How often the owner of a job looks for a cancel requested by another process, and how often a
   * process that follows a job it does not own reads its progress from the store.
   * @default 500
   */
  readonly pollIntervalMs?: number;
  /**
   * Expands playlist and channel links into their videos, e.g. `new YouTubeVideoListSource()`.
   * Without one, such links are rejected with a reason.
   */
  readonly lists?: VideoListSource;
  /**
   * When the input holds playlists or channels, the batch takes at most this many videos in
   * all; what does not fit is listed as not taken. Videos given by URL are always kept.
   * @default 500
   */
  readonly maxVideos?: number;
}

/** Input of {@link BatchProcessor.submit}. */
export interface SubmitInput {
  /** Who owns the job; only this user can see, cancel or export it. */
  readonly userId: string;
  /** URLs or video ids: one string (split on whitespace, commas, semicolons, newlines) or a list. */
  readonly urls: string | readonly string[];
  /** A name for the batch, shown in the export. */
  readonly name?: string | undefined;
  /** What to produce: summary length, output language, transcript languages, instructions. */
  readonly options?: JobOptions | undefined;
  /** Cancels the job when aborted, like {@link BatchProcessor.cancel}; also stops list expansion. */
  readonly signal?: AbortSignal | undefined;
  /** This batch's cap on videos taken with lists, instead of the processor's `maxVideos`. */
  readonly maxVideos?: number | undefined;
  /**
   * For channel links, which uploads: `all` (the uploads playlist), `videos`, `shorts` or `live`.
   * @default the list source's default (`all`)
   */
  readonly channelContent?: ChannelContent | undefined;
  /** Called as each playlist or channel has been expanded, before the job is stored. */
  readonly onList?: ((expansion: ListExpansion) => void) | undefined;
}

/** Options of {@link BatchProcessor.resume}. */
export interface ResumeOptions {
  /**
   * Resume only these jobs.
   * @default every unfinished (running or paused) job in the store whose owner is gone
   */
  readonly jobIds?: readonly string[] | undefined;
}

/** Who is asking; a user only ever sees their own jobs. */
export interface Requester {
  readonly userId: string;
}

/**
 * Videos in one batch at most: keeps a batch's ZIP within the 65,535 entries a ZIP without
 * ZIP64 can hold, and a batch within what YouTube lets one IP fetch in days.
 */
export const MAX_VIDEOS_PER_BATCH = 50_000;

/** The defaults of {@link BatchProcessorOptions}, in one place so the docs and the code agree. */
export const DEFAULT_PROCESSOR_OPTIONS = {
  storePath: '.tubesum/store.sqlite',
  transcripts: 2,
  summaries: 4,
  /** Summaries waiting for a provider batch at once, by default, with a batching summarizer. */
  batchingSummaries: 1000,
  itemTimeoutMs: 300_000,
  stateWriteIntervalMs: 1000,
  leaseMs: 30_000,
  pollIntervalMs: 500,
} as const;

const lengthSchema = z.enum(['short', 'standard', 'detailed'], { error: 'one of `short`, `standard`, `detailed`' });
const languageSchema = z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, { error: 'a language code such as `en` or `pt-BR`' });
const jobOptionsSchema = z
  .object({
    length: lengthSchema.optional(),
    language: languageSchema.optional(),
    transcriptLanguages: z.array(languageSchema).min(1, { error: 'a non-empty list of language codes' }).max(20).optional(),
    instructions: z.string().max(4000, { error: 'a string of at most 4000 characters' }).optional(),
  })
  .strict();

const hasMethods = (...names: string[]) =>
  z.custom<object>(
    (value) => typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    { error: `an object with ${names.map((name) => `\`${name}()\``).join(', ')}` },
  );

export const processorOptionsSchema = z
  .object({
    transcripts: hasMethods('fetchTranscript').optional(),
    summarizer: hasMethods('summarize').optional(),
    executor: hasMethods('run').optional(),
    store: hasMethods('createJob', 'getJob', 'saveItem', 'getItems', 'getCached', 'setCached').optional(),
    closeStore: z.boolean({ error: 'a boolean' }).optional(),
    concurrency: z.object({ transcripts: positiveInteger.optional(), summaries: positiveInteger.optional() }).strict().optional(),
    prefetch: nonNegativeInteger.optional(),
    retry: retryOptionsSchema.optional(),
    itemTimeoutMs: positiveInteger.optional(),
    stateWriteIntervalMs: milliseconds().optional(),
    leaseMs: wholeMilliseconds(100).optional(),
    adoptOrphans: z.boolean({ error: 'a boolean' }).optional(),
    pollIntervalMs: wholeMilliseconds(10).optional(),
    lists: hasMethods('expand').optional(),
    maxVideos: integerFrom(1, MAX_VIDEOS_PER_BATCH).optional(),
  })
  .strict()
  .superRefine((options, context) => {
    // The in-process pipeline needs both; with an executor, the workers have their own.
    if (options.executor !== undefined) return;
    for (const [name, method] of [
      ['transcripts', 'fetchTranscript'],
      ['summarizer', 'summarize'],
    ] as const) {
      if (options[name] === undefined) {
        context.addIssue({ code: 'custom', path: [name], message: `an object with \`${method}()\` (required unless \`executor\` is given)`, input: undefined });
      }
    }
  });

export type ProcessorOptions = z.infer<typeof processorOptionsSchema>;

/**
 * A distributed executor's workers read and write the same store from other processes and
 * machines: a store only this process (memory) or this machine (SQLite) reaches is refused.
 */
export function assertSharedStore(store: BatchStore | undefined): void {
  const reach = store?.reach;
  if (store !== undefined && reach !== 'process' && reach !== 'machine') return;
  const what = store === undefined ? 'no `store` (the default is a SQLite file)' : reach === 'process' ? 'a memory store' : 'a SQLite store';
  throw new TubesumError(
    ErrorCode.INVALID_OPTIONS,
    `Invalid BatchProcessor options: \`executor\` runs the work on workers in other processes, but the processor has ${what}, which they cannot reach. ` +
      'Pass a store every worker reaches too: openStore({ url: "redis://…" }) or a PostgreSQL store.',
    { details: { path: 'store', reach: reach ?? 'default' } },
  );
}

const userIdSchema = z
  .string({ error: 'a non-empty string' })
  .min(1, { error: 'a non-empty string' })
  .max(256, { error: 'a string of at most 256 characters' });

export const submitSchema = z.object({
  userId: userIdSchema,
  urls: z.union([z.string(), z.array(z.string())], { error: 'a string or an array of strings' }),
  name: z.string({ error: 'a string' }).max(200, { error: 'a string of at most 200 characters' }).optional(),
  options: jobOptionsSchema.optional(),
  signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
  maxVideos: integerFrom(1, MAX_VIDEOS_PER_BATCH).optional(),
  channelContent: z.enum(['all', 'videos', 'shorts', 'live'], { error: 'one of `all`, `videos`, `shorts`, `live`' }).optional(),
  onList: z.custom<(expansion: ListExpansion) => void>((value) => typeof value === 'function', { error: 'a function' }).optional(),
});

export const resumeSchema = z.object({ jobIds: z.array(z.string(), { error: 'an array of job ids' }).optional() });

export const requesterSchema = z.object({ userId: userIdSchema }, { error: 'an object `{ userId }` naming who asks' });

export const exportRequestSchema = requesterSchema.extend(exportRequestShape);
