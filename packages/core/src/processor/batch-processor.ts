import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { ErrorCode, TubesumError, cancelledError } from '../errors.js';
import { collectStream, createExportStream } from '../export/export-stream.js';
import type { ExportRequest } from '../export/export-stream.js';
import { storePageReader } from '../export/store-page-reader.js';
import { expandInputs } from '../lists/expand-inputs.js';
import type { VideoListSource } from '../lists/video-list-source.js';
import { sleep } from '../internal/abort.js';
import { FairLimiter } from '../internal/fair-limiter.js';
import type { Summarizer } from '../summarizers/summarizer.js';
import type { TranscriptSource } from '../transcripts/transcript-source.js';
import { stripUndefined } from '../internal/strip-undefined.js';
import { validateOptions } from '../internal/validate-options.js';
import type { BatchStore } from '../storage/batch-store.js';
import { createSqliteStore } from '../storage/sqlite-store.js';
import type { BatchEvents } from './events.js';
import { isJobEnded } from '../records.js';
import type { ItemRecord, JobRecord, JobSnapshot, JobState } from '../records.js';
import { JobFollower } from './job-follower.js';
import { JobRun } from './job-run.js';
import type { RunContext } from './job-run.js';
import type { ItemExecutor } from './item-executor.js';
import { LocalItemExecutor } from './local-executor.js';
import {
  DEFAULT_PROCESSOR_OPTIONS,
  MAX_VIDEOS_PER_BATCH,
  assertSharedStore,
  exportRequestSchema,
  processorOptionsSchema,
  requesterSchema,
  resumeSchema,
  submitSchema,
} from './options.js';
import type { BatchProcessorOptions, ProcessorOptions, Requester, ResumeOptions, SubmitInput } from './options.js';
import { costOfItems, countItems, emptyCounts, storedSnapshot } from './progress.js';
import { DEFAULT_RETRY } from './retry.js';
import type { RetryOptions } from './retry.js';
import { StoredJobs } from './stored-jobs.js';

/** `jobId` comes from callers as is: a JavaScript caller may pass anything. */
function notFound(jobId: unknown): TubesumError {
  const shown = typeof jobId === 'string' ? JSON.stringify(jobId.slice(0, 80)) : `of type ${jobId === null ? 'null' : typeof jobId}`;
  return new TubesumError(ErrorCode.NOT_FOUND, `No batch with id ${shown} for this user.`);
}

const cancelled = () => new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.');

/**
 * Runs batches of YouTube videos through a transcript source and a summarizer, persisting
 * every step so a crashed process can {@link resume}, with typed progress events.
 *
 * Several processes may share one store: each running job has one owner (a lease in the store),
 * and {@link cancel}, {@link waitFor} and the events work from any of them.
 *
 * ```ts
 * const processor = new BatchProcessor({ transcripts: new YouTubeTranscriptSource(), summarizer: new ExtractiveSummarizer() });
 * processor.on('batchProgress', ({ progress }) => console.log(`${progress.percent}%`));
 * const job = await processor.submit({ userId: 'me', urls: 'https://youtu.be/dQw4w9WgXcQ' });
 * await processor.waitFor(job.id, { userId: 'me' });
 * const zip = await processor.export(job.id, { userId: 'me' });
 * ```
 */
export class BatchProcessor extends EventEmitter<BatchEvents> {
  readonly #stored: StoredJobs;
  /** Whether {@link close} closes the store: by default only a store this processor opened itself. */
  readonly #ownsStore: boolean;
  readonly #context: RunContext;
  readonly #runs = new Map<string, JobRun>();
  readonly #followers = new Map<string, { follower: JobFollower; users: number }>();
  readonly #adoption: NodeJS.Timeout | undefined;
  /** Abort reason used when the processor closes: the job stays resumable, nothing is marked cancelled. */
  readonly #closing = new TubesumError(ErrorCode.CANCELLED, 'The processor closed; the batch will resume when it starts again.');
  readonly #closed = new AbortController();
  #warnedCoordination = false;
  readonly #lists: VideoListSource | undefined;
  readonly #maxVideos: number | undefined;

  constructor(options: BatchProcessorOptions) {
    super();
    const parsed = validateOptions(processorOptionsSchema, options, 'BatchProcessor options');
    const defaults = DEFAULT_PROCESSOR_OPTIONS;
    this.#ownsStore = parsed.closeStore ?? options.store === undefined;
    const retry = { ...DEFAULT_RETRY, ...stripUndefined(parsed.retry ?? {}) };
    if (options.executor?.distributed === true) assertSharedStore(options.store);
    this.#stored = new StoredJobs(options.store ?? createSqliteStore({ path: defaults.storePath }), retry);
    const leaseMs = parsed.leaseMs ?? defaults.leaseMs;
    this.#lists = options.lists;
    this.#maxVideos = parsed.maxVideos;
    const executor: ItemExecutor = options.executor ?? this.#localExecutor(options, parsed, retry);
    this.#context = {
      stored: this.#stored,
      executor,
      admission: new FairLimiter(executor.capacity ?? defaults.transcripts + defaults.summaries * 3),
      admissionPerRun: executor.capacityPerBatch,
      stateWriteIntervalMs: parsed.stateWriteIntervalMs ?? defaults.stateWriteIntervalMs,
      leaseMs,
      pollIntervalMs: parsed.pollIntervalMs ?? defaults.pollIntervalMs,
      owner: `${process.pid}:${randomUUID()}`,
      emit: (name, build) => this.#emit(name, build),
    };
    if (parsed.adoptOrphans === true) {
      this.#adoption = setInterval(() => void this.#adoptOrphans(), Math.max(50, Math.floor(leaseMs / 2)));
      this.#adoption.unref();
    }
  }

  /** The in-process pipeline (no `executor` option): `transcripts` and `summarizer` are required then. */
  #localExecutor(options: BatchProcessorOptions, parsed: ProcessorOptions, retry: Required<RetryOptions>): LocalItemExecutor {
    const defaults = DEFAULT_PROCESSOR_OPTIONS;
    const summarizer = options.summarizer as Summarizer;
    // A batching summarizer's summaries wait minutes to hours, many at once, for half the price.
    const batching = summarizer.batching;
    const transcripts = parsed.concurrency?.transcripts ?? defaults.transcripts;
    const summaries = parsed.concurrency?.summaries ?? (batching ? Math.min(batching.maxWaiting, defaults.batchingSummaries) : defaults.summaries);
    return new LocalItemExecutor({
      store: this.#stored.store,
      // Checked by the options schema: both are there when there is no executor.
      transcripts: options.transcripts as TranscriptSource,
      summarizer,
      retry,
      itemTimeoutMs: parsed.itemTimeoutMs ?? defaults.itemTimeoutMs,
      concurrency: { transcript: transcripts, summary: summaries },
      prefetch: parsed.prefetch ?? (batching ? transcripts * 2 : summaries * 2),
    });
  }

  /** The store this processor writes to. */
  get store(): BatchStore {
    return this.#stored.store;
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
    // Playlists and channels become their videos here, before anything is stored.
    const intake = await expandInputs(parsed.urls, {
      source: this.#lists,
      maxVideos: parsed.maxVideos ?? this.#maxVideos,
      channelContent: parsed.channelContent,
      signal: parsed.signal,
      onList: parsed.onList,
    });
    this.#assertOpen(); // the processor may have closed while the lists were read
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
      ...(intake.lists.length === 0 ? {} : { lists: intake.lists }),
      ...(intake.notes.length === 0 ? {} : { notes: intake.notes }),
    };
    const items: ItemRecord[] = intake.videos.map((video, index) => ({
      jobId: job.id,
      index,
      videoId: video.videoId,
      url: video.url,
      input: video.input,
      ...(video.list === undefined ? {} : { list: video.list }),
      status: 'pending',
      attempts: 0,
    }));
    const state: JobState = { status: 'running', counts: { ...emptyCounts(), pending: items.length }, startedAt: now };
    // The lease first: a replica adopting orphans never sees the new job without an owner.
    const { owner, leaseMs } = this.#context;
    await this.#stored.call('claim the new batch', (store) => store.claimJob(job.id, owner, leaseMs));
    try {
      await this.#stored.call('save the new batch', (store) => store.createJob(job, state, items));
    } catch (error) {
      await this.#stored.call('release the batch', (store) => store.releaseJob(job.id, owner)).catch(() => undefined);
      throw error;
    }
    return this.#start(job, state, items, false, parsed.signal).snapshot();
  }

  /** A job of `userId`. Throws `NOT_FOUND` for an unknown id or another user's job. */
  async get(jobId: string, requester: Requester): Promise<JobSnapshot> {
    const { userId } = validateOptions(requesterSchema, requester, 'get() requester');
    const run = this.#runs.get(jobId);
    if (run) {
      if (run.job.userId !== userId) throw notFound(jobId);
      return run.snapshot();
    }
    const loaded = await this.#stored.load(jobId);
    if (!loaded || loaded.job.userId !== userId) throw notFound(jobId);
    return storedSnapshot(loaded.job, loaded.state);
  }

  /** The jobs of `userId`, newest first. */
  async list(requester: Requester): Promise<JobSnapshot[]> {
    const { userId } = validateOptions(requesterSchema, requester, 'list() requester');
    const ids = await this.#stored.call('list batches', (store) => store.listJobIds(userId));
    const snapshots = await Promise.all(ids.map((id) => this.get(id, { userId }).catch(() => undefined)));
    return snapshots.filter((snapshot): snapshot is JobSnapshot => snapshot !== undefined).reverse();
  }

  /** The items of a job in input order, with their status and errors. */
  async items(jobId: string, requester: Requester): Promise<ItemRecord[]> {
    const snapshot = await this.get(jobId, requester);
    const run = this.#runs.get(jobId);
    if (run) return run.items.map((item) => ({ ...item }));
    return this.#stored.loadItems(snapshot.id, snapshot.total);
  }

  /**
   * Cancels a job, from any process sharing the store: the request is stored, the owner aborts
   * work in flight (within `pollIntervalMs` when it is another process), unfinished items end as
   * `cancelled`, finished ones are kept and the job can still be exported. Resolves once the job
   * has ended; when its owner is gone (or it is paused), this process ends it itself.
   */
  async cancel(jobId: string, requester: Requester): Promise<JobSnapshot> {
    const snapshot = await this.get(jobId, requester);
    if (isJobEnded(snapshot.status)) return snapshot;
    await this.#stored.retried('request the cancel of a batch', (store) => store.requestCancel(jobId));
    const { owner, leaseMs, pollIntervalMs } = this.#context;
    for (;;) {
      const run = this.#runs.get(jobId);
      if (run) {
        run.cancel(cancelled());
        await this.#untilClosed(run.settled);
      }
      const loaded = await this.#stored.load(jobId);
      if (!loaded) throw notFound(jobId);
      if (isJobEnded(loaded.state.status)) return storedSnapshot(loaded.job, loaded.state);
      const lease = await this.#stored.call('read the owner of a batch', (store) => store.getJobLease(jobId));
      if ((lease === undefined || lease.expiresInMs <= 0) && !this.#runs.has(jobId)) {
        if (await this.#stored.call('claim the batch', (store) => store.claimJob(jobId, owner, leaseMs))) {
          try {
            const fresh = await this.#stored.load(jobId);
            if (fresh && !isJobEnded(fresh.state.status)) {
              const state = await this.#stored.endAsCancelled(fresh.job, fresh.state);
              const ended = storedSnapshot(fresh.job, state);
              this.#emit('batchEnd', () => ({ jobId, userId: ended.userId, progress: ended.progress, status: state.status, job: ended }));
              return ended;
            }
          } finally {
            await this.#stored.call('release the batch', (store) => store.releaseJob(jobId, owner)).catch(() => undefined);
          }
          continue;
        }
      }
      await this.#sleep(pollIntervalMs);
    }
  }

  /**
   * Resolves with the job once it stops running: ended (`done`, `failed` or `cancelled`) or `paused` (see
   * `batchPause`); at once if it already has. The promise twin of `batchEnd` and `batchPause`.
   * Works in any process sharing the store: a job another process runs is followed from the store,
   * and its events are emitted here meanwhile. Rejects with `CANCELLED` if the processor is closed
   * first (the job stays resumable).
   */
  async waitFor(jobId: string, requester: Requester): Promise<JobSnapshot> {
    validateOptions(requesterSchema, requester, 'waitFor() requester');
    this.#assertOpen();
    // The processor's timers (lease, polling, reclaiming a lost job) never hold the process open,
    // so a script ends when its work does; a caller waiting here holds it open until the wait ends
    // (a script awaiting a job another process runs, or one it lost, exited with code 13 before).
    const holdOpen = setInterval(() => undefined, 2 ** 30);
    try {
      return await this.#waitFor(jobId, requester);
    } finally {
      clearInterval(holdOpen);
    }
  }

  async #waitFor(jobId: string, requester: Requester): Promise<JobSnapshot> {
    for (;;) {
      const run = this.#runs.get(jobId);
      if (run) {
        if (run.job.userId !== requester.userId) throw notFound(jobId);
        const outcome = await this.#untilClosed(run.settled);
        if (outcome === 'ended' || outcome === 'paused') return run.snapshot();
        if (outcome === 'closed') throw this.#closing;
        continue;
      }
      const snapshot = await this.get(jobId, requester);
      if (snapshot.status !== 'running') return snapshot;
      const stop = await this.follow(jobId, requester);
      try {
        const follower = this.#followers.get(jobId)?.follower;
        const stopped = follower ? await this.#untilClosed(follower.stopped) : undefined;
        if (stopped) return stopped;
      } finally {
        stop();
      }
    }
  }

  /**
   * Emits the events of a job that another process runs, read from the store every
   * `pollIntervalMs` (at most `stateWriteIntervalMs` + `pollIntervalMs` late), until it stops or
   * the returned function is called. A job that runs here needs no following: its events come anyway.
   */
  async follow(jobId: string, requester: Requester): Promise<() => void> {
    const snapshot = await this.get(jobId, requester);
    if (this.#runs.has(jobId) || snapshot.status !== 'running') return () => {};
    const existing = this.#followers.get(jobId);
    if (existing) existing.users += 1;
    else {
      const { job, state } = (await this.#stored.load(jobId)) ?? {};
      if (!job || !state) throw notFound(jobId);
      const follower = new JobFollower({
        stored: this.#stored,
        job,
        state,
        pollIntervalMs: this.#context.pollIntervalMs,
        emit: this.#context.emit,
        runsHere: () => this.#runs.has(jobId),
      });
      this.#followers.set(jobId, { follower, users: 1 });
      void follower.stopped.then(() => {
        if (this.#followers.get(jobId)?.follower === follower) this.#followers.delete(jobId);
      });
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const entry = this.#followers.get(jobId);
      if (!entry) return;
      entry.users -= 1;
      if (entry.users === 0) entry.follower.stop();
    };
  }

  /**
   * Picks up the jobs the store holds as unfinished (running after a crash or a restart, or paused):
   * finished items are kept, the others run. A job whose owner is alive in another process (its
   * lease is held) is left alone, so replicas that all call `resume()` at start run each job once.
   * Returns the jobs resumed here.
   *
   * With `jobIds`, only those jobs are resumed.
   */
  async resume(options: ResumeOptions = {}): Promise<JobSnapshot[]> {
    const { jobIds } = validateOptions(resumeSchema, options, 'resume()');
    this.#assertOpen();
    this.#warnIfNotShared();
    const unfinished = await this.#stored.call('list unfinished batches', (store) => store.listUnfinishedJobIds());
    const wanted = jobIds ? new Set(jobIds) : undefined;
    const resumed: JobSnapshot[] = [];
    for (const id of unfinished) {
      if (this.#runs.has(id) || (wanted && !wanted.has(id))) continue;
      const run = await this.#claimAndStart(id, true);
      if (run) resumed.push(run.snapshot());
    }
    return resumed;
  }

  /**
   * The ZIP of the job as a web `ReadableStream`, written while the store is read page by page:
   * memory does not grow with the number of videos. `index.md` with every input and its status,
   * one Markdown file per summary, `batch.json`, and with `withTranscripts` each transcript as
   * text and SRT. Works while the job runs and after it was cancelled. Resolves once the first
   * page of the store is read (rejects with `NOT_FOUND`, `EXPORT_TOO_LARGE`, `STORAGE_ERROR` before
   * any byte); a later store failure errors the stream with `STORAGE_ERROR`. Cancel the stream to stop reading.
   * For Node streams: `Readable.fromWeb(stream)`.
   */
  async exportStream(jobId: string, request: ExportRequest): Promise<ReadableStream<Uint8Array>> {
    const { userId, ...options } = validateOptions(exportRequestSchema, request, 'exportStream() request');
    const snapshot = await this.get(jobId, { userId });
    const items = this.#runs.get(jobId)?.items.map((item) => ({ ...item }));
    return createExportStream(snapshot, storePageReader(this.#stored.store, snapshot.id, items), options);
  }

  /** The whole ZIP of {@link exportStream} in memory, for small batches. */
  async export(jobId: string, request: ExportRequest): Promise<Uint8Array> {
    return collectStream(await this.exportStream(jobId, request));
  }

  /**
   * Stops all work without marking anything cancelled (jobs stay resumable, their leases released
   * so another replica can take them at once) and waits for work in flight to stop. Closes the
   * store if the processor opened it (no `store` option) or `closeStore` is set: otherwise a store
   * you pass in is yours to close.
   */
  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort(this.#closing);
    clearInterval(this.#adoption);
    for (const { follower } of this.#followers.values()) follower.stop();
    const runs = [...this.#runs.values()];
    for (const run of runs) run.close(this.#closing);
    await Promise.all(runs.map((run) => run.settled));
    if (this.#ownsStore) await this.#stored.store.close?.();
  }

  #assertOpen(): void {
    if (this.#closed.signal.aborted) throw new TubesumError(ErrorCode.CANCELLED, 'This BatchProcessor is closed; create a new one.');
  }

  #start(job: JobRecord, state: JobState, items: ItemRecord[], resumed: boolean, signal: AbortSignal | undefined): JobRun {
    const run = new JobRun(this.#context, job, state, items, { resumed, signal });
    this.#runs.set(job.id, run);
    void run.settled.then((outcome) => {
      if (this.#runs.get(job.id) === run) this.#runs.delete(job.id);
      // Lost without another owner taking it (a stall or a store outage longer than the lease):
      // claim it back once the lease has lapsed, unless a replica did.
      if (outcome === 'lost') this.#reclaimLater(job.id);
    });
    return run;
  }

  /** Claims an unfinished job and runs it here; undefined when it ended, is owned elsewhere, or (without `includePaused`) is paused. */
  async #claimAndStart(jobId: string, includePaused: boolean): Promise<JobRun | undefined> {
    const before = await this.#stored.load(jobId);
    if (!before || isJobEnded(before.state.status)) return undefined;
    if (!includePaused && before.state.status === 'paused') return undefined;
    const { owner, leaseMs } = this.#context;
    if (!(await this.#stored.call('claim a batch', (store) => store.claimJob(jobId, owner, leaseMs)))) return undefined;
    const release = () => this.#stored.call('release the batch', (store) => store.releaseJob(jobId, owner)).catch(() => undefined);
    try {
      // Read again under the lease: the previous owner may have ended it meanwhile.
      const loaded = await this.#stored.load(jobId);
      if (!loaded || isJobEnded(loaded.state.status) || this.#closed.signal.aborted) {
        await release();
        return undefined;
      }
      if (await this.#stored.call('read a cancel request', (store) => store.isCancelRequested(jobId))) {
        await this.#stored.endAsCancelled(loaded.job, loaded.state);
        await release();
        return undefined;
      }
      const items = await this.#stored.loadItems(jobId, loaded.job.total);
      for (const item of items) if (item.status === 'running') item.status = 'pending';
      const { pauseReason: _pauseReason, ...rest } = loaded.state;
      const costUsd = costOfItems(items);
      const state: JobState = { ...rest, status: 'running', counts: countItems(items), ...(costUsd === undefined ? {} : { costUsd }) };
      if (loaded.state.status !== 'running') await this.#stored.retried('save the batch state', (store) => store.saveJobState(jobId, state));
      return this.#start(loaded.job, state, items, true, undefined);
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** Tries every `leaseMs` to run a job this process lost, until it runs somewhere, ends or pauses. */
  #reclaimLater(jobId: string): void {
    const timer = setTimeout(() => {
      if (this.#closed.signal.aborted || this.#runs.has(jobId)) return;
      void (async () => {
        const loaded = await this.#stored.load(jobId);
        if (!loaded || loaded.state.status !== 'running') return;
        const lease = await this.#stored.call('read the owner of a batch', (store) => store.getJobLease(jobId));
        if (lease !== undefined && lease.expiresInMs > 0 && lease.owner !== this.#context.owner) return; // another replica runs it
        if (!(await this.#claimAndStart(jobId, false))) this.#reclaimLater(jobId);
      })().catch(() => this.#reclaimLater(jobId));
    }, this.#context.leaseMs);
    timer.unref();
  }

  /** Runs the jobs whose owner died (lease expired); paused jobs wait for an explicit resume(). */
  async #adoptOrphans(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    try {
      const unfinished = await this.#stored.call('list unfinished batches', (store) => store.listUnfinishedJobIds());
      for (const id of unfinished) {
        if (this.#runs.has(id) || this.#closed.signal.aborted) continue;
        await this.#claimAndStart(id, false);
      }
    } catch (error) {
      process.emitWarning(`tubesum: could not look for batches to adopt: ${String(error)}`);
    }
  }

  #warnIfNotShared(): void {
    if (this.#warnedCoordination || this.#stored.store.coordination !== 'process') return;
    this.#warnedCoordination = true;
    process.emitWarning(
      'tubesum: this store cannot coordinate processes (a custom Keyv adapter): resume() is safe only while one process uses it. ' +
        'Use the memory, SQLite, Redis or PostgreSQL store to share one store between replicas.',
    );
  }

  /** `promise`, or a rejection with the closing reason when the processor closes first. */
  #untilClosed<T>(promise: Promise<T>): Promise<T> {
    const closed = this.#closed.signal;
    if (closed.aborted) return Promise.reject(this.#closing);
    return new Promise<T>((resolve, reject) => {
      const onClose = () => reject(this.#closing);
      closed.addEventListener('abort', onClose, { once: true });
      promise.then(resolve, reject).finally(() => closed.removeEventListener('abort', onClose));
    });
  }

  #sleep(ms: number): Promise<void> {
    return sleep(ms, this.#closed.signal).catch(() => {
      throw this.#closing;
    });
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
}
