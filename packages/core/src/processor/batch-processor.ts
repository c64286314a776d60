import { createHash, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { EventEmitter } from 'eventemitter3';
import { z } from 'zod';
import { ErrorCode, TubesumError, cancelledError } from '../errors.js';
import { collectStream, createExportStream, exportRequestShape } from '../export/export-stream.js';
import type { ExportRequest } from '../export/export-stream.js';
import { storePageReader } from '../export/store-page-reader.js';
import { parseUrlList } from '../intake/parse-url-list.js';
import { withDeadline } from '../internal/abort.js';
import { FairLimiter } from '../internal/fair-limiter.js';
import { validateOptions } from '../internal/validate-options.js';
import type { BatchStore } from '../storage/batch-store.js';
import { createSqliteStore } from '../storage/sqlite-store.js';
import type { Summarizer } from '../summarizers/summarizer.js';
import type { Transcript, TranscriptSource } from '../transcripts/transcript-source.js';
import type { BatchEvents } from './events.js';
import type {
  CurrentItem,
  ItemCounts,
  ItemRecord,
  ItemStatus,
  JobOptions,
  JobRecord,
  JobSnapshot,
  JobState,
  Progress,
  SummaryRecord,
} from './job.js';
import { DEFAULT_RETRY, runWithRetries, toTubesumError } from './retry.js';
import type { RetryAttempt, RetryOptions } from './retry.js';
import { stripUndefined } from '../internal/strip-undefined.js';

/** Options of {@link BatchProcessor}. */
export interface BatchProcessorOptions {
  /** Where transcripts come from, e.g. `new YouTubeTranscriptSource()`. */
  transcripts: TranscriptSource;
  /** What writes the summaries, e.g. `new ExtractiveSummarizer()` or `new AnthropicSummarizer()`. */
  summarizer: Summarizer;
  /**
   * Where jobs, items, transcripts and summaries are kept.
   * @default createSqliteStore({ path: '.tubesum/store.sqlite' })
   */
  store?: BatchStore;
  /**
   * Whether {@link BatchProcessor.close} also closes the store.
   * @default true when the processor opened the store itself (no `store` option), false for a store passed in
   */
  closeStore?: boolean;
  /** Limits shared by every job of this processor, and fair between jobs. */
  concurrency?: {
    /**
     * Transcript fetches at once. YouTube blocks IPs that fetch fast; keep this low.
     * @default 2
     */
    transcripts?: number;
    /**
     * Summaries at once.
     * @default 4
     */
    summaries?: number;
  };
  /**
   * Transcripts fetched ahead and held while they wait for a summary slot, so the
   * summarizer never waits for YouTube.
   * @default 2 × concurrency.summaries
   */
  prefetch?: number;
  /** Retries of retryable failures (rate limits, overload, timeouts, blocks). */
  retry?: RetryOptions;
  /**
   * Longest time one attempt at one step (fetching a transcript, writing a summary) may take.
   * @default 300000
   */
  itemTimeoutMs?: number;
  /**
   * How often the job's counts are written while it runs. Items are always written
   * before they are announced; the counts can be rebuilt from them.
   * @default 1000
   */
  stateWriteIntervalMs?: number;
}

/** Input of {@link BatchProcessor.submit}. */
export interface SubmitInput {
  /** Who owns the job; only this user can see, cancel or export it. */
  userId: string;
  /** URLs or video ids: one string (split on whitespace, commas, semicolons, newlines) or a list. */
  urls: string | readonly string[];
  /** A name for the batch, shown in the export. */
  name?: string | undefined;
  options?: JobOptions | undefined;
  /** Cancels the job when aborted, like {@link BatchProcessor.cancel}. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link BatchProcessor.resume}. */
export interface ResumeOptions {
  /**
   * Resume only these jobs.
   * @default every unfinished job in the store
   */
  jobIds?: readonly string[] | undefined;
}

/** Who is asking; a user only ever sees their own jobs. */
export interface Requester {
  userId: string;
}

interface JobRun {
  job: JobRecord;
  state: JobState;
  items: ItemRecord[];
  controller: AbortController;
  startedAtMs: number;
  /** Items that ended in this process, for the ETA. */
  endedHere: number;
  current: Map<number, CurrentItem>;
  stateTimer: NodeJS.Timeout | undefined;
  stateWrites: Promise<void>;
  detachSignal: () => void;
  settled: Promise<void>;
}

/**
 * Videos in one batch at most: keeps a batch's ZIP within the 65,535 entries a ZIP without
 * ZIP64 can hold, and a batch within what YouTube lets one IP fetch in days.
 */
export const MAX_VIDEOS_PER_BATCH = 50_000;

/** Saving an item is never cancelled: what was done must reach the store. */
const NEVER_ABORTED = new AbortController().signal;

const STATUS_DONE: ReadonlySet<ItemStatus> = new Set(['done', 'failed', 'cancelled']);

const lengthSchema = z.enum(['short', 'standard', 'detailed'], { error: 'one of `short`, `standard`, `detailed`' });
const languageSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, { error: 'a language code such as `en` or `pt-BR`' });
const jobOptionsSchema = z
  .object({
    length: lengthSchema.optional(),
    language: languageSchema.optional(),
    transcriptLanguages: z.array(languageSchema).min(1, { error: 'a non-empty list of language codes' }).max(20).optional(),
    instructions: z.string().max(4000, { error: 'a string of at most 4000 characters' }).optional(),
  })
  .strict();

const positiveInteger = z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).positive({ error: 'a positive integer' });
const hasMethods = (...names: string[]) =>
  z.custom<object>(
    (value) =>
      typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    { error: `an object with ${names.map((name) => `\`${name}()\``).join(', ')}` },
  );

const processorOptionsSchema = z.object({
  transcripts: hasMethods('fetchTranscript'),
  summarizer: hasMethods('summarize'),
  store: hasMethods('createJob', 'getJob', 'saveItem', 'getItems', 'getCached', 'setCached').optional(),
  closeStore: z.boolean({ error: 'a boolean' }).optional(),
  concurrency: z.object({ transcripts: positiveInteger.optional(), summaries: positiveInteger.optional() }).strict().optional(),
  prefetch: z.number({ error: 'a non-negative integer' }).int({ error: 'a non-negative integer' }).min(0, { error: 'a non-negative integer' }).optional(),
  retry: z
    .object({
      attempts: positiveInteger.max(20, { error: 'an integer from 1 to 20' }).optional(),
      minDelayMs: z.number({ error: 'a number of milliseconds >= 0' }).min(0, { error: 'a number of milliseconds >= 0' }).optional(),
      maxDelayMs: z.number({ error: 'a number of milliseconds >= 0' }).min(0, { error: 'a number of milliseconds >= 0' }).optional(),
    })
    .strict()
    .optional(),
  itemTimeoutMs: positiveInteger.optional(),
  stateWriteIntervalMs: z.number({ error: 'a number of milliseconds >= 0' }).min(0, { error: 'a number of milliseconds >= 0' }).optional(),
}).strict();

const userIdSchema = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).max(256, { error: 'a string of at most 256 characters' });

const submitSchema = z.object({
  userId: userIdSchema,
  urls: z.union([z.string(), z.array(z.string())], { error: 'a string or an array of strings' }),
  name: z.string({ error: 'a string' }).max(200, { error: 'a string of at most 200 characters' }).optional(),
  options: jobOptionsSchema.optional(),
  signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
});

const resumeSchema = z.object({ jobIds: z.array(z.string(), { error: 'an array of job ids' }).optional() });

const requesterSchema = z.object({ userId: userIdSchema });
const exportRequestSchema = requesterSchema.extend(exportRequestShape);

function emptyCounts(): ItemCounts {
  return { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
}

function countItems(items: readonly ItemRecord[]): ItemCounts {
  const counts = emptyCounts();
  for (const item of items) counts[item.status] += 1;
  return counts;
}

/** `jobId` comes from callers as is: a JavaScript caller may pass anything. */
function notFound(jobId: unknown): TubesumError {
  const shown = typeof jobId === 'string' ? JSON.stringify(jobId.slice(0, 80)) : `of type ${jobId === null ? 'null' : typeof jobId}`;
  return new TubesumError(ErrorCode.NOT_FOUND, `No batch with id ${shown} for this user.`);
}

/** Cache key of a transcript: the video and the languages asked for. */
function transcriptCacheKey(videoId: string, languages: readonly string[] | undefined): string {
  return `transcript:v1:${videoId}:${languages?.join(',') ?? 'default'}`;
}

/** Cache key of a summary: everything that changes it. */
function summaryCacheKey(videoId: string, transcript: Transcript, summarizer: Summarizer, options: JobOptions): string {
  const parts = {
    videoId,
    transcriptLanguage: transcript.language,
    model: summarizer.model,
    promptVersion: summarizer.promptVersion,
    length: options.length ?? 'standard',
    language: options.language ?? null,
    instructions: options.instructions ?? null,
  };
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  return `summary:v1:${videoId}:${digest}`;
}

/**
 * Runs batches of YouTube videos through a transcript source and a summarizer, persisting
 * every step so a crashed process can {@link resume}, with typed progress events.
 *
 * ```ts
 * const processor = new BatchProcessor({ transcripts: new YouTubeTranscriptSource(), summarizer: new ExtractiveSummarizer() });
 * processor.on('batchProgress', ({ progress }) => console.log(`${progress.percent}%`));
 * const job = await processor.submit({ userId: 'me', urls: 'https://youtu.be/dQw4w9WgXcQ' });
 * await processor.waitFor(job.id);
 * const zip = await processor.export(job.id, { userId: 'me' });
 * ```
 */
export class BatchProcessor extends EventEmitter<BatchEvents> {
  readonly #transcripts: TranscriptSource;
  readonly #summarizer: Summarizer;
  readonly #store: BatchStore;
  /** Whether {@link close} closes the store: by default only a store this processor opened itself. */
  readonly #ownsStore: boolean;
  readonly #retry: Required<RetryOptions>;
  readonly #itemTimeoutMs: number;
  readonly #stateWriteIntervalMs: number;
  readonly #admission: FairLimiter;
  readonly #transcriptSlots: FairLimiter;
  readonly #summarySlots: FairLimiter;
  readonly #runs = new Map<string, JobRun>();
  /** `waitFor` calls in progress, told when the processor closes before their job ends. */
  readonly #waiters = new Set<(reason: TubesumError) => void>();
  /** Abort reason used when the processor closes: the job stays resumable, nothing is marked cancelled. */
  readonly #closing = new TubesumError(ErrorCode.CANCELLED, 'The processor closed; the batch will resume when it starts again.');
  #closed = false;

  constructor(options: BatchProcessorOptions) {
    super();
    const parsed = validateOptions(processorOptionsSchema, options, 'BatchProcessor options');
    this.#transcripts = options.transcripts;
    this.#summarizer = options.summarizer;
    this.#ownsStore = parsed.closeStore ?? options.store === undefined;
    this.#store = options.store ?? createSqliteStore({ path: '.tubesum/store.sqlite' });
    this.#retry = { ...DEFAULT_RETRY, ...stripUndefined(parsed.retry ?? {}) };
    this.#itemTimeoutMs = parsed.itemTimeoutMs ?? 300_000;
    this.#stateWriteIntervalMs = parsed.stateWriteIntervalMs ?? 1000;
    const transcripts = parsed.concurrency?.transcripts ?? 2;
    const summaries = parsed.concurrency?.summaries ?? 4;
    const prefetch = parsed.prefetch ?? summaries * 2;
    this.#transcriptSlots = new FairLimiter(transcripts);
    this.#summarySlots = new FairLimiter(summaries);
    // Items admitted into the pipeline at once: enough to keep both stages busy, few enough
    // that a 10,000-video batch never holds 10,000 transcripts in memory.
    this.#admission = new FairLimiter(transcripts + summaries + prefetch);
  }

  /** The store this processor writes to. */
  get store(): BatchStore {
    return this.#store;
  }

  /**
   * Creates a job from URLs and starts it. Resolves once the job and its items are stored,
   * with the rejected and duplicate inputs; the videos are processed in the background.
   * Throws `INVALID_URL` (with `details.rejected`) when no input names a video.
   */
  async submit(input: SubmitInput): Promise<JobSnapshot> {
    const parsed = validateOptions(submitSchema, input, 'submit()');
    this.#assertOpen();
    if (parsed.signal?.aborted) throw cancelledError(parsed.signal);
    const intake = parseUrlList(parsed.urls);
    if (intake.videos.length === 0) {
      const reasons = intake.rejected.slice(0, 3).map((each) => `${each.input}: ${each.reason}`);
      throw new TubesumError(
        ErrorCode.INVALID_URL,
        intake.rejected.length === 0 && intake.duplicates.length === 0
          ? 'No YouTube URL was given.'
          : `No valid YouTube video URL in the input. ${reasons.join('; ')}`,
        { details: { rejected: intake.rejected, duplicates: intake.duplicates } },
      );
    }
    if (intake.videos.length > MAX_VIDEOS_PER_BATCH) {
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `A batch holds at most ${MAX_VIDEOS_PER_BATCH.toLocaleString('en-US')} videos; this one has ${intake.videos.length.toLocaleString('en-US')}. Split the list into several batches.`,
        { details: { max: MAX_VIDEOS_PER_BATCH, videos: intake.videos.length } },
      );
    }
    const now = new Date().toISOString();
    const job: JobRecord = {
      version: 1,
      id: randomUUID(),
      userId: parsed.userId,
      ...(parsed.name === undefined || parsed.name.trim() === '' ? {} : { name: parsed.name.trim() }),
      createdAt: now,
      options: stripUndefined(parsed.options ?? {}),
      total: intake.videos.length,
      rejected: intake.rejected,
      duplicates: intake.duplicates,
    };
    const items: ItemRecord[] = intake.videos.map((video, index) => ({
      jobId: job.id,
      index,
      videoId: video.videoId,
      url: video.url,
      input: video.input,
      status: 'pending',
      attempts: 0,
    }));
    const state: JobState = { status: 'running', counts: { ...emptyCounts(), pending: items.length }, startedAt: now };
    await this.#storeCall('save the new batch', () => this.#store.createJob(job, state, items));
    const run = this.#startRun(job, state, items, false, parsed.signal);
    return this.#snapshotOf(run);
  }

  /** A job of `userId`. Throws `NOT_FOUND` for an unknown id or another user's job. */
  async get(jobId: string, requester: Requester): Promise<JobSnapshot> {
    const { userId } = validateOptions(requesterSchema, requester, 'get() requester');
    const run = this.#runs.get(jobId);
    if (run) {
      if (run.job.userId !== userId) throw notFound(jobId);
      return this.#snapshotOf(run);
    }
    const snapshot = await this.#load(jobId);
    if (!snapshot || snapshot.userId !== userId) throw notFound(jobId);
    return snapshot;
  }

  /** The jobs of `userId`, newest first. */
  async list(requester: Requester): Promise<JobSnapshot[]> {
    const { userId } = validateOptions(requesterSchema, requester, 'list() requester');
    const ids = await this.#storeCall('list batches', () => this.#store.listJobIds(userId));
    const snapshots = await Promise.all(ids.map((id) => this.get(id, { userId }).catch(() => undefined)));
    return snapshots.filter((snapshot): snapshot is JobSnapshot => snapshot !== undefined).reverse();
  }

  /** The items of a job in input order, with their status and errors. */
  async items(jobId: string, requester: Requester): Promise<ItemRecord[]> {
    const snapshot = await this.get(jobId, requester);
    const run = this.#runs.get(jobId);
    if (run) return run.items.map((item) => ({ ...item }));
    return this.#loadItems(snapshot.id, snapshot.total);
  }

  /**
   * Cancels a job: work in flight is aborted, unfinished items end as `cancelled`, finished
   * ones are kept and the job can still be exported. Resolves once the job has ended.
   */
  async cancel(jobId: string, requester: Requester): Promise<JobSnapshot> {
    const snapshot = await this.get(jobId, requester);
    const run = this.#runs.get(jobId);
    if (run) {
      this.#abortRun(run, new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.'));
      await run.settled;
      return this.get(jobId, requester);
    }
    if (snapshot.status !== 'running') return snapshot;
    // A job left running by a process that is gone: end it in the store.
    const items = await this.#loadItems(snapshot.id, snapshot.total);
    const endedAt = new Date().toISOString();
    for (const item of items) {
      if (STATUS_DONE.has(item.status)) continue;
      item.status = 'cancelled';
      item.endedAt = endedAt;
      await this.#storeCall('save a cancelled item', () => this.#store.saveItem(item));
    }
    const state: JobState = { ...stripUndefined({ startedAt: snapshot.startedAt }), status: 'cancelled', counts: countItems(items), endedAt };
    await this.#storeCall('save the batch state', () => this.#store.saveJobState(jobId, state));
    return this.get(jobId, requester);
  }

  /**
   * Resolves with the job once it has ended (`done` or `cancelled`); at once if it already has.
   * The promise twin of the `batchEnd` event. Rejects with `CANCELLED` if the processor is
   * closed first (the job stays resumable).
   */
  async waitFor(jobId: string, requester?: Requester): Promise<JobSnapshot> {
    // Listen before looking, so an end between the look and the listening is not missed.
    const ended = this.#ended(jobId);
    try {
      const snapshot = requester ? await this.get(jobId, requester) : (this.#runs.has(jobId) ? undefined : await this.#load(jobId));
      if (!this.#runs.has(jobId)) {
        if (!snapshot) throw notFound(jobId);
        if (snapshot.status !== 'running') {
          ended.stop();
          return snapshot;
        }
      }
    } catch (error) {
      ended.stop();
      throw error;
    }
    return ended.promise;
  }

  /**
   * Picks up the jobs the store holds as running (after a crash or a restart): finished
   * items are kept, the others run. Returns the jobs resumed.
   *
   * With `jobIds`, only those jobs are resumed; use it when several processes share a store
   * and each should pick up only its own batches.
   */
  async resume(options: ResumeOptions = {}): Promise<JobSnapshot[]> {
    const { jobIds } = validateOptions(resumeSchema, options, 'resume()');
    this.#assertOpen();
    const unfinished = await this.#storeCall('list unfinished batches', () => this.#store.listUnfinishedJobIds());
    const wanted = jobIds ? new Set(jobIds) : undefined;
    const resumed: JobSnapshot[] = [];
    for (const id of unfinished) {
      if (this.#runs.has(id) || (wanted && !wanted.has(id))) continue;
      const [job, state] = await Promise.all([
        this.#storeCall('read a batch', () => this.#store.getJob(id)),
        this.#storeCall('read a batch state', () => this.#store.getJobState(id)),
      ]);
      if (!job || !state || state.status !== 'running') continue;
      const items = await this.#loadItems(id, job.total);
      for (const item of items) {
        if (item.status === 'running') item.status = 'pending';
      }
      const run = this.#startRun(job, { ...state, counts: countItems(items) }, items, true, undefined);
      resumed.push(this.#snapshotOf(run));
    }
    return resumed;
  }

  /**
   * The ZIP of the job as a web `ReadableStream`, written while the store is read page by page:
   * memory does not grow with the number of videos. `index.md` with every input and its status,
   * one Markdown file per summary, `batch.json`, and with `withTranscripts` each transcript as
   * text and SRT. Works while the job runs and after it was cancelled. Resolves once every file
   * name is known (rejects with `NOT_FOUND`, `EXPORT_TOO_LARGE`, `STORAGE_ERROR` before any byte);
   * a later store failure errors the stream with `STORAGE_ERROR`. Cancel the stream to stop reading.
   * For Node streams: `Readable.fromWeb(stream)`.
   */
  async exportStream(jobId: string, request: ExportRequest): Promise<ReadableStream<Uint8Array>> {
    const { userId, ...options } = validateOptions(exportRequestSchema, request, 'exportStream() request');
    const snapshot = await this.get(jobId, { userId });
    const items = this.#runs.get(jobId)?.items.map((item) => ({ ...item }));
    return createExportStream(snapshot, storePageReader(this.#store, snapshot.id, items), options);
  }

  /** The whole ZIP of {@link exportStream} in memory, for small batches. */
  async export(jobId: string, request: ExportRequest): Promise<Uint8Array> {
    return collectStream(await this.exportStream(jobId, request));
  }

  /**
   * Stops all work without marking anything cancelled (jobs stay resumable) and waits for work
   * in flight to stop. Closes the store if the processor opened it (no `store` option) or
   * `closeStore` is set: otherwise a store you pass in is yours to close.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const runs = [...this.#runs.values()];
    for (const run of runs) this.#abortRun(run, this.#closing);
    await Promise.all(runs.map((run) => run.settled));
    for (const reject of [...this.#waiters]) reject(this.#closing);
    if (this.#ownsStore) await this.#store.close?.();
  }

  #assertOpen(): void {
    if (this.#closed) throw new TubesumError(ErrorCode.CANCELLED, 'This BatchProcessor is closed; create a new one.');
  }

  #startRun(job: JobRecord, state: JobState, items: ItemRecord[], resumed: boolean, signal: AbortSignal | undefined): JobRun {
    const controller = new AbortController();
    // Every item's work listens to the job's signal while it runs.
    setMaxListeners(0, controller.signal);
    const run: JobRun = {
      job,
      state,
      items,
      controller,
      startedAtMs: Date.now(),
      endedHere: 0,
      current: new Map(),
      stateTimer: undefined,
      stateWrites: Promise.resolve(),
      detachSignal: () => {},
      settled: Promise.resolve(),
    };
    if (signal) {
      const onAbort = () => this.#abortRun(run, new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      run.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    this.#runs.set(job.id, run);
    run.settled = this.#execute(run, resumed).catch((error: unknown) => {
      // #execute records every item failure itself; reaching here means the store failed at the end.
      process.emitWarning(`tubesum: batch ${job.id} could not be finished: ${String(error)}`);
    });
    return run;
  }

  #abortRun(run: JobRun, reason: TubesumError): void {
    if (run.controller.signal.aborted) return;
    run.controller.abort(reason);
    this.#admission.cancel(run.job.id, reason);
    this.#transcriptSlots.cancel(run.job.id, reason);
    this.#summarySlots.cancel(run.job.id, reason);
  }

  async #execute(run: JobRun, resumed: boolean): Promise<void> {
    const { job } = run;
    try {
      this.#emit('batchStart', () => ({ ...this.#base(run), job: this.#snapshotOf(run), resumed }));
      const waiting = run.items.filter((item) => !STATUS_DONE.has(item.status));
      await Promise.all(
        waiting.map((item) =>
          this.#admission.run(job.id, () => this.#processItem(run, item)).catch((reason: unknown) => this.#endUnstarted(run, item, reason)),
        ),
      );
    } finally {
      run.detachSignal();
      clearTimeout(run.stateTimer);
      run.stateTimer = undefined;
    }
    const closing = run.controller.signal.reason === this.#closing;
    if (!closing) {
      run.state = {
        ...run.state,
        status: run.controller.signal.aborted ? 'cancelled' : 'done',
        counts: countItems(run.items),
        endedAt: new Date().toISOString(),
      };
    }
    await run.stateWrites;
    try {
      await runWithRetries(() => this.#storeCall('save the batch state', () => this.#store.saveJobState(job.id, run.state)), {
        ...this.#retry,
        signal: NEVER_ABORTED,
      });
    } catch (error) {
      // Every item is stored; the store still says "running", so a later resume() ends the job there.
      process.emitWarning(`tubesum: the end of batch ${job.id} could not be stored: ${String(error)}`);
    } finally {
      if (!closing) this.#emit('batchEnd', () => ({ ...this.#base(run), status: run.state.status, job: this.#snapshotOf(run) }));
      this.#runs.delete(job.id);
    }
  }

  /** An item that never started because its job was cancelled (or the processor closed) while it waited. */
  async #endUnstarted(run: JobRun, item: ItemRecord, reason: unknown): Promise<void> {
    if (reason === this.#closing || STATUS_DONE.has(item.status)) return;
    await this.#finishItem(run, item, 'cancelled', undefined);
  }

  async #processItem(run: JobRun, item: ItemRecord): Promise<void> {
    const { signal } = run.controller;
    if (signal.aborted) return this.#endUnstarted(run, item, signal.reason);
    this.#setStatus(run, item, 'running');
    item.startedAt = new Date().toISOString();
    let cached = false;
    try {
      const transcript = await this.#transcriptFor(run, item);
      if (transcript.title !== undefined) item.title = transcript.title;
      const summary = await this.#summaryFor(run, item, transcript);
      cached = summary.cached;
      item.summaryKey = summary.key;
    } catch (error) {
      if (signal.reason === this.#closing) {
        // Closing is not cancelling: the item runs again on resume.
        this.#setStatus(run, item, 'pending');
        run.current.delete(item.index);
        return;
      }
      if (signal.aborted) return this.#finishItem(run, item, 'cancelled', undefined);
      return this.#finishItem(run, item, 'failed', toTubesumError(error, item.videoId));
    }
    return this.#finishItem(run, item, 'done', undefined, cached);
  }

  async #transcriptFor(run: JobRun, item: ItemRecord): Promise<Transcript> {
    const languages = run.job.options.transcriptLanguages;
    const key = transcriptCacheKey(item.videoId, languages);
    const cached = await this.#storeCall('read a cached transcript', () => this.#store.getCached<Transcript>(key));
    if (cached) {
      item.transcriptKey = key;
      return cached;
    }
    this.#enterStage(run, item, 'transcript');
    const transcript = await this.#transcriptSlots.run(run.job.id, () =>
      this.#attempt(run, item, 'transcript', (signal) =>
        this.#transcripts.fetchTranscript(item.videoId, languages ? { signal, languages } : { signal }),
      ),
    );
    if (transcript.segments.length === 0) {
      throw new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, `The transcript of ${item.videoId} has no text.`, { videoId: item.videoId });
    }
    await this.#storeCall('cache a transcript', () => this.#store.setCached(key, transcript));
    item.transcriptKey = key;
    return transcript;
  }

  async #summaryFor(run: JobRun, item: ItemRecord, transcript: Transcript): Promise<{ key: string; cached: boolean }> {
    const options = run.job.options;
    const key = summaryCacheKey(item.videoId, transcript, this.#summarizer, options);
    const existing = await this.#storeCall('read a cached summary', () => this.#store.getCached<SummaryRecord>(key));
    if (existing) return { key, cached: true };
    this.#enterStage(run, item, 'summary');
    const summary = await this.#summarySlots.run(run.job.id, () =>
      this.#attempt(run, item, 'summary', (signal) =>
        this.#summarizer.summarize(transcript, stripUndefined({ signal, length: options.length, language: options.language, instructions: options.instructions })),
      ),
    );
    const record: SummaryRecord = {
      version: 1,
      videoId: item.videoId,
      url: item.url,
      ...stripUndefined({ title: transcript.title, channel: transcript.channel, durationSeconds: transcript.durationSeconds }),
      transcriptLanguage: transcript.language,
      isAutoGenerated: transcript.isAutoGenerated,
      summary,
      createdAt: new Date().toISOString(),
    };
    await this.#storeCall('cache a summary', () => this.#store.setCached(key, record));
    return { key, cached: false };
  }

  /** One step of an item, with the per-attempt timeout, the job's signal and retries. */
  #attempt<T>(run: JobRun, item: ItemRecord, stage: CurrentItem['stage'], work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const what = stage === 'transcript' ? `Fetching the transcript of ${item.videoId}` : `Summarizing ${item.videoId}`;
    return runWithRetries(
      () => {
        item.attempts += 1;
        return withDeadline(run.controller.signal, this.#itemTimeoutMs, what, ({ signal }) => work(signal));
      },
      {
        ...this.#retry,
        signal: run.controller.signal,
        videoId: item.videoId,
        onRetry: (attempt: RetryAttempt) =>
          this.#emit('itemRetry', () => ({
            ...this.#base(run),
            item: { ...item },
            stage,
            attempt: attempt.attempt,
            error: attempt.error.toJSON(),
            delayMs: attempt.delayMs,
          })),
      },
    );
  }

  #enterStage(run: JobRun, item: ItemRecord, stage: CurrentItem['stage']): void {
    run.current.set(item.index, { index: item.index, videoId: item.videoId, ...stripUndefined({ title: item.title }), stage });
    this.#emit('itemStart', () => ({ ...this.#base(run), item: { ...item }, stage }));
    this.#emit('batchProgress', () => this.#base(run));
  }

  async #finishItem(
    run: JobRun,
    item: ItemRecord,
    status: 'done' | 'failed' | 'cancelled',
    error: TubesumError | undefined,
    cached = false,
  ): Promise<void> {
    run.current.delete(item.index);
    const previous = item.status;
    item.status = status;
    item.endedAt = new Date().toISOString();
    if (error) item.error = error.toJSON();
    else delete item.error;
    try {
      // Persisted before it is announced.
      await runWithRetries(() => this.#storeCall('save an item', () => this.#store.saveItem(item)), {
        ...this.#retry,
        signal: NEVER_ABORTED,
        videoId: item.videoId,
      });
    } catch (storeError) {
      item.status = 'failed';
      item.error = toTubesumError(storeError, item.videoId).toJSON();
    }
    run.state.counts[previous] -= 1;
    run.state.counts[item.status] += 1;
    run.endedHere += 1;
    this.#scheduleStateWrite(run);
    const ended = item.status as 'done' | 'failed' | 'cancelled';
    this.#emit('itemEnd', () => ({
      ...this.#base(run),
      item: { ...item },
      status: ended,
      ...(item.error ? { error: item.error } : {}),
      ...(ended === 'done' ? { cached } : {}),
    }));
    this.#emit('batchProgress', () => this.#base(run));
  }

  #setStatus(run: JobRun, item: ItemRecord, status: ItemStatus): void {
    run.state.counts[item.status] -= 1;
    run.state.counts[status] += 1;
    item.status = status;
  }

  /** Writes the job's counts at most once per interval; items themselves are already stored. */
  #scheduleStateWrite(run: JobRun): void {
    if (run.stateTimer !== undefined) return;
    run.stateTimer = setTimeout(() => {
      run.stateTimer = undefined;
      const state = { ...run.state, counts: { ...run.state.counts } };
      run.stateWrites = run.stateWrites
        .then(() => this.#store.saveJobState(run.job.id, state))
        .catch(() => {
          // The counts are rebuilt from the items on resume; the final write retries.
        });
    }, this.#stateWriteIntervalMs);
    run.stateTimer.unref();
  }

  /** The job's `batchEnd` as a promise; `stop()` removes the listener when it is not needed. */
  /** Resolves on the job's `batchEnd`; rejects with `CANCELLED` if the processor closes first. */
  #ended(jobId: string): { promise: Promise<JobSnapshot>; stop: () => void } {
    let stop = () => {};
    const promise = new Promise<JobSnapshot>((resolve, reject) => {
      const onClose = (reason: TubesumError) => {
        stop();
        reject(reason);
      };
      const listener: BatchEvents['batchEnd'] = (event) => {
        if (event.jobId !== jobId) return;
        stop();
        resolve(event.job);
      };
      this.on('batchEnd', listener);
      this.#waiters.add(onClose);
      stop = () => {
        this.off('batchEnd', listener);
        this.#waiters.delete(onClose);
      };
    });
    return { promise, stop };
  }

  /** Emits `name` with the event `build` makes; builds nothing when nobody listens. */
  #emit<Name extends keyof BatchEvents>(name: Name, build: () => Parameters<BatchEvents[Name]>[0]): void {
    if (this.listenerCount(name) === 0) return;
    try {
      (this.emit as (name: Name, event: Parameters<BatchEvents[Name]>[0]) => boolean)(name, build());
    } catch (error) {
      // A listener's bug must not fail a video; surface it without stopping the batch.
      process.emitWarning(`tubesum: a '${name}' listener threw: ${String(error)}`);
    }
  }

  #base(run: JobRun) {
    return { jobId: run.job.id, userId: run.job.userId, progress: this.#progressOf(run) };
  }

  #progressOf(run: JobRun): Progress {
    const counts = { ...run.state.counts };
    const total = run.job.total;
    const finished = counts.done + counts.failed + counts.cancelled;
    const elapsedMs = Date.now() - run.startedAtMs;
    const remaining = total - finished;
    return {
      total,
      counts,
      finished,
      percent: total === 0 ? 100 : Math.floor((finished / total) * 1000) / 10,
      elapsedMs,
      etaMs: remaining === 0 ? 0 : run.endedHere > 0 ? Math.round((elapsedMs / run.endedHere) * remaining) : undefined,
      current: [...run.current.values()],
    };
  }

  #snapshotOf(run: JobRun): JobSnapshot {
    return { ...run.job, ...run.state, counts: { ...run.state.counts }, progress: this.#progressOf(run) };
  }

  async #load(jobId: string): Promise<JobSnapshot | undefined> {
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 200) return undefined;
    const [job, state] = await Promise.all([
      this.#storeCall('read a batch', () => this.#store.getJob(jobId)),
      this.#storeCall('read a batch state', () => this.#store.getJobState(jobId)),
    ]);
    if (!job || !state) return undefined;
    const counts = state.counts;
    const finished = counts.done + counts.failed + counts.cancelled;
    const startedMs = state.startedAt ? Date.parse(state.startedAt) : Date.now();
    const endedMs = state.endedAt ? Date.parse(state.endedAt) : Date.now();
    return {
      ...job,
      ...state,
      progress: {
        total: job.total,
        counts: { ...counts },
        finished,
        percent: job.total === 0 ? 100 : Math.floor((finished / job.total) * 1000) / 10,
        elapsedMs: Math.max(0, endedMs - startedMs),
        etaMs: state.status === 'running' ? undefined : 0,
        current: [],
      },
    };
  }

  async #loadItems(jobId: string, total: number): Promise<ItemRecord[]> {
    const items: ItemRecord[] = [];
    for (let offset = 0; offset < total; offset += 500) {
      items.push(...(await this.#storeCall('read items', () => this.#store.getItems(jobId, { offset, limit: 500 }))));
    }
    return items;
  }

  /** Calls the store, turning any failure into a `STORAGE_ERROR` that says what was being done. */
  async #storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof TubesumError) throw error;
      throw new TubesumError(ErrorCode.STORAGE_ERROR, `Could not ${what}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
}
