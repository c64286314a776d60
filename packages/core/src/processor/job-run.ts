import { setMaxListeners } from 'node:events';
import { ErrorCode, TubesumError } from '../errors.js';
import type { SerializedError } from '../errors.js';
import { withDeadline } from '../internal/abort.js';
import type { FairLimiter } from '../internal/fair-limiter.js';
import { stripUndefined } from '../internal/strip-undefined.js';
import type { Summarizer } from '../summarizers/summarizer.js';
import type { Transcript, TranscriptSource } from '../transcripts/transcript-source.js';
import { summaryCacheKey, transcriptCacheKey } from './cache-keys.js';
import type { BatchEvents } from './events.js';
import { ENDED_ITEM_STATUSES } from '../records.js';
import type { CurrentItem, ItemRecord, ItemStatus, JobRecord, JobSnapshot, JobState, Progress, SummaryRecord } from '../records.js';
import { Lease } from './lease.js';
import { pauseReasonOf, pausesAtOnce } from './pause-reasons.js';
import { countItems, progressOf } from './progress.js';
import { runWithRetries, toTubesumError } from './retry.js';
import type { RetryAttempt, RetryOptions } from './retry.js';
import type { StoredJobs } from './stored-jobs.js';

/** Item ends kept in the job's state for processes that follow it from the store. */
const RECENTLY_ENDED = 100;

/** Emits an event, building it only when someone listens. */
export type Emit = <Name extends keyof BatchEvents>(name: Name, build: () => Parameters<BatchEvents[Name]>[0]) => void;

/** What every run of a processor shares. */
export interface RunContext {
  stored: StoredJobs;
  transcripts: TranscriptSource;
  summarizer: Summarizer;
  admission: FairLimiter;
  transcriptSlots: FairLimiter;
  summarySlots: FairLimiter;
  retry: Required<RetryOptions>;
  itemTimeoutMs: number;
  stateWriteIntervalMs: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** This processor's owner token: process id and a random token. */
  owner: string;
  /** Summaries paid for whose write to the store failed: kept until stored, never paid again. */
  unsavedSummaries: Map<string, SummaryRecord>;
  emit: Emit;
}

/**
 * How a run stopped. `ended`: done or cancelled, stored and announced. `paused`: stopped without
 * ending, `resume()` continues. `closed`: the processor closed. `lost`: another process owns the job
 * now (or this one could not prove it still does): nothing more is written.
 */
export type RunOutcome = 'ended' | 'paused' | 'closed' | 'lost';

type Stop = { kind: 'cancel'; error: TubesumError } | { kind: 'pause'; error: TubesumError } | { kind: 'close'; error: TubesumError } | { kind: 'lost'; error: TubesumError };

/**
 * One running job in this process: it owns the job's lease, its abort controller, its counts and
 * the pipeline of its items (transcript, then summary, then the item's write), and it turns every
 * way of stopping (cancel, pause, close, lost lease) into the right stored state.
 */
export class JobRun {
  readonly job: JobRecord;
  state: JobState;
  readonly items: ItemRecord[];
  readonly #context: RunContext;
  readonly #controller = new AbortController();
  readonly #lease: Lease;
  readonly #startedAtMs = Date.now();
  /** Items that ended in this process, for the ETA. */
  #endedHere = 0;
  readonly #current = new Map<number, CurrentItem>();
  #stateTimer: NodeJS.Timeout | undefined;
  #stateWrites: Promise<void> = Promise.resolve();
  #stop: Stop | undefined;
  #detachSignal = () => {};
  /** Resolves with how the run stopped; never rejects. */
  readonly settled: Promise<RunOutcome>;

  constructor(context: RunContext, job: JobRecord, state: JobState, items: ItemRecord[], options: { resumed: boolean; signal?: AbortSignal | undefined }) {
    this.#context = context;
    this.job = job;
    this.state = state;
    this.items = items;
    // Every item's work listens to the job's signal while it runs.
    setMaxListeners(0, this.#controller.signal);
    const { signal } = options;
    if (signal) {
      const onAbort = () => this.cancel(new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    this.#lease = new Lease({
      stored: context.stored,
      jobId: job.id,
      owner: context.owner,
      leaseMs: context.leaseMs,
      pollIntervalMs: context.pollIntervalMs,
      onCancelRequested: () => this.cancel(new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.')),
      onLost: (error) => this.#halt({ kind: 'lost', error }),
    });
    this.settled = this.#execute(options.resumed).catch((error: unknown) => {
      process.emitWarning(`tubesum: batch ${job.id} stopped unexpectedly: ${String(error)}`);
      return 'lost' as const;
    });
  }

  /** Cancels the job: work in flight is aborted, unfinished items end `cancelled`. */
  cancel(error: TubesumError): void {
    this.#halt({ kind: 'cancel', error });
  }

  /** Stops without ending: unfinished items go back to pending; `resume()` continues. */
  pause(error: TubesumError): void {
    this.#halt({ kind: 'pause', error });
  }

  /** Stops because the processor closes; the job stays running in the store, its lease released. */
  close(error: TubesumError): void {
    this.#halt({ kind: 'close', error });
  }

  snapshot(): JobSnapshot {
    return { ...this.job, ...this.state, counts: { ...this.state.counts }, progress: this.progress() };
  }

  progress(): Progress {
    const running = this.state.status === 'running' && this.#stop === undefined;
    return progressOf({
      total: this.job.total,
      counts: this.state.counts,
      elapsedMs: Date.now() - this.#startedAtMs,
      endedInElapsed: this.#endedHere,
      running,
      current: [...this.#current.values()],
    });
  }

  #halt(stop: Stop): void {
    if (this.#stop !== undefined) return;
    this.#stop = stop;
    this.#controller.abort(stop.error);
    const { admission, transcriptSlots, summarySlots } = this.#context;
    for (const limiter of [admission, transcriptSlots, summarySlots]) limiter.cancel(this.job.id, stop.error);
  }

  #base() {
    return { jobId: this.job.id, userId: this.job.userId, progress: this.progress() };
  }

  async #execute(resumed: boolean): Promise<RunOutcome> {
    const { job } = this;
    const { emit } = this.#context;
    this.#lease.start();
    try {
      emit('batchStart', () => ({ ...this.#base(), job: this.snapshot(), resumed }));
      const waiting = this.items.filter((item) => !ENDED_ITEM_STATUSES.has(item.status));
      await Promise.all(
        waiting.map((item) =>
          this.#context.admission.run(job.id, () => this.#processItem(item)).catch(() => this.#endUnstarted(item)),
        ),
      );
    } finally {
      this.#detachSignal();
      clearTimeout(this.#stateTimer);
      this.#stateTimer = undefined;
    }
    await this.#stateWrites;
    return this.#finish();
  }

  /** Stores how the run ended, gives the lease up and announces it. */
  async #finish(): Promise<RunOutcome> {
    await this.#lease.stop();
    const unstored = this.items.filter((item) => !ENDED_ITEM_STATUSES.has(item.status)).length;
    if ((this.#stop === undefined || this.#stop.kind === 'cancel') && unstored > 0) {
      // Never stored as ended while an item is unfinished: an item's end could not be stored.
      const error = new TubesumError(ErrorCode.STORAGE_ERROR, `${unstored} item(s) of batch ${this.job.id} could not be stored; resume() finishes them.`);
      this.#stop = { kind: 'pause', error };
    }
    const stop = this.#stop;
    if (stop?.kind === 'lost') return 'lost';
    const counts = countItems(this.items);
    const { pauseReason: _pauseReason, ...rest } = this.state;
    if (stop === undefined || stop.kind === 'cancel') {
      this.state = { ...rest, status: stop ? 'cancelled' : 'done', counts, endedAt: new Date().toISOString() };
    } else if (stop.kind === 'pause') {
      this.state = { ...rest, status: 'paused', counts, pauseReason: stop.error.toJSON() };
    } else {
      this.state = { ...rest, counts };
    }
    let stored = true;
    try {
      await this.#context.stored.retried('save the batch state', (store) => store.saveJobState(this.job.id, this.#stateToWrite()));
    } catch (error) {
      // Every ended item is stored; the store still says "running", so a later resume() (here or in
      // another replica, once the lease is gone) ends or continues the job there.
      stored = false;
      process.emitWarning(`tubesum: the state of batch ${this.job.id} could not be stored: ${String(error)}`);
    }
    await this.#lease.release();
    if (stop?.kind === 'close') return 'closed';
    if (this.state.status === 'paused' || !stored) {
      if (!stored && this.state.status !== 'paused') {
        // Not stored as ended, so not announced as ended: say it paused on the store.
        const error = new TubesumError(ErrorCode.STORAGE_ERROR, `The end of batch ${this.job.id} could not be stored; resume() finishes it.`);
        this.state = { ...this.state, status: 'paused', pauseReason: error.toJSON() };
      }
      const reason = this.state.pauseReason as SerializedError;
      this.#context.emit('batchPause', () => ({ ...this.#base(), job: this.snapshot(), reason }));
      return 'paused';
    }
    this.#context.emit('batchEnd', () => ({ ...this.#base(), status: this.state.status, job: this.snapshot() }));
    return 'ended';
  }

  /** An item that never started because the run stopped while it waited. */
  async #endUnstarted(item: ItemRecord): Promise<void> {
    if (this.#stop?.kind !== 'cancel' || ENDED_ITEM_STATUSES.has(item.status)) return;
    await this.#finishItem(item, 'cancelled', undefined);
  }

  async #processItem(item: ItemRecord): Promise<void> {
    const signal = this.#controller.signal;
    if (signal.aborted) return this.#endUnstarted(item);
    this.#setStatus(item, 'running');
    item.startedAt = new Date().toISOString();
    this.#current.set(item.index, { index: item.index, videoId: item.videoId, ...stripUndefined({ title: item.title }), stage: 'transcript' });
    this.#context.emit('itemStart', () => ({ ...this.#base(), item: { ...item } }));
    this.#context.emit('batchProgress', () => this.#base());
    let cached = false;
    try {
      const transcript = await this.#transcriptFor(item);
      if (transcript.title !== undefined) item.title = transcript.title;
      const summary = await this.#summaryFor(item, transcript);
      cached = summary.cached;
      item.summaryKey = summary.key;
    } catch (caught) {
      const error = toTubesumError(caught, item.videoId);
      if (this.#stop?.kind === 'cancel') return this.#finishItem(item, 'cancelled', undefined);
      const pause = this.#stop === undefined ? pauseReasonOf(error) : undefined;
      if (pause) this.pause(pause);
      if (this.#stop !== undefined) return this.#backToPending(item);
      return this.#finishItem(item, 'failed', error);
    }
    return this.#finishItem(item, 'done', undefined, cached);
  }

  /** The run stopped without ending (pause, close, lost lease): the item runs again on resume. */
  #backToPending(item: ItemRecord): void {
    this.#setStatus(item, 'pending');
    delete item.startedAt;
    this.#current.delete(item.index);
  }

  async #transcriptFor(item: ItemRecord): Promise<Transcript> {
    const { stored, transcripts, transcriptSlots } = this.#context;
    const languages = this.job.options.transcriptLanguages;
    const key = transcriptCacheKey(item.videoId, languages);
    const signal = this.#controller.signal;
    const cached = await stored.retried('read a cached transcript', (store) => store.getCached<Transcript>(key), { signal, videoId: item.videoId });
    if (cached) {
      item.transcriptKey = key;
      return cached;
    }
    this.#enterStage(item, 'transcript');
    const transcript = await transcriptSlots.run(this.job.id, () =>
      this.#attempt(item, 'transcript', (attemptSignal) =>
        transcripts.fetchTranscript(item.videoId, languages ? { signal: attemptSignal, languages } : { signal: attemptSignal }),
      ),
    );
    if (transcript.segments.length === 0) {
      throw new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, `The transcript of ${item.videoId} has no text.`, { videoId: item.videoId });
    }
    await stored.retried('cache a transcript', (store) => store.setCached(key, transcript), { signal, videoId: item.videoId });
    item.transcriptKey = key;
    return transcript;
  }

  async #summaryFor(item: ItemRecord, transcript: Transcript): Promise<{ key: string; cached: boolean }> {
    const { stored, summarizer, summarySlots, unsavedSummaries } = this.#context;
    const options = this.job.options;
    const key = summaryCacheKey(item.videoId, transcript, summarizer, options);
    const signal = this.#controller.signal;
    // A summary paid for earlier whose write failed: store it now, never pay for it again.
    const unsaved = unsavedSummaries.get(key);
    if (unsaved) {
      await stored.retried('cache a summary', (store) => store.setCached(key, unsaved), { signal, videoId: item.videoId });
      unsavedSummaries.delete(key);
      return { key, cached: true };
    }
    const existing = await stored.retried('read a cached summary', (store) => store.getCached<SummaryRecord>(key), { signal, videoId: item.videoId });
    if (existing) return { key, cached: true };
    this.#enterStage(item, 'summary');
    const summary = await summarySlots.run(this.job.id, () =>
      this.#attempt(item, 'summary', (attemptSignal) =>
        summarizer.summarize(
          transcript,
          stripUndefined({ signal: attemptSignal, length: options.length, language: options.language, instructions: options.instructions }),
        ),
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
    // Paid for: kept in memory until the store has it, even if this job stops meanwhile.
    unsavedSummaries.set(key, record);
    await stored.retried('cache a summary', (store) => store.setCached(key, record), { videoId: item.videoId });
    unsavedSummaries.delete(key);
    return { key, cached: false };
  }

  /** One step of an item, with the per-attempt timeout, the job's signal and retries. */
  #attempt<T>(item: ItemRecord, stage: CurrentItem['stage'], work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { retry, itemTimeoutMs, emit } = this.#context;
    const what = stage === 'transcript' ? `Fetching the transcript of ${item.videoId}` : `Summarizing ${item.videoId}`;
    const signal = this.#controller.signal;
    return runWithRetries(
      async () => {
        item.attempts += 1;
        const perStage = (item.stageAttempts ??= { transcript: 0, summary: 0 });
        perStage[stage] += 1;
        try {
          return await withDeadline(signal, itemTimeoutMs, what, (scope) => work(scope.signal));
        } catch (caught) {
          // Stop the batch while this attempt still holds its slot, so no other item starts the same doomed call.
          const error = toTubesumError(caught, item.videoId);
          if (!signal.aborted && pausesAtOnce(error)) this.pause(pauseReasonOf(error) ?? error);
          throw error;
        }
      },
      {
        ...retry,
        signal,
        videoId: item.videoId,
        // A failure that stops the whole batch is not worth another attempt of this item.
        shouldStop: pausesAtOnce,
        onRetry: (attempt: RetryAttempt) => {
          emit('itemRetry', () => ({
            ...this.#base(),
            item: { ...item },
            stage,
            attempt: attempt.attempt,
            error: attempt.error.toJSON(),
            delayMs: attempt.delayMs,
          }));
          emit('batchProgress', () => this.#base());
        },
      },
    );
  }

  #enterStage(item: ItemRecord, stage: CurrentItem['stage']): void {
    this.#current.set(item.index, { index: item.index, videoId: item.videoId, ...stripUndefined({ title: item.title }), stage });
    this.#context.emit('itemStage', () => ({ ...this.#base(), item: { ...item }, stage }));
    this.#context.emit('batchProgress', () => this.#base());
  }

  async #finishItem(item: ItemRecord, status: 'done' | 'failed' | 'cancelled', error: TubesumError | undefined, cached = false): Promise<void> {
    const ended: ItemRecord = { ...item, status, endedAt: new Date().toISOString() };
    if (error) ended.error = error.toJSON();
    else delete ended.error;
    try {
      // Stored before it is announced; never announced if it cannot be stored.
      await this.#context.stored.retried('save an item', (store) => store.saveItem(ended), { videoId: item.videoId });
    } catch (storeError) {
      this.pause(toTubesumError(storeError, item.videoId));
      this.#backToPending(item);
      return;
    }
    this.#current.delete(item.index);
    const previous = item.status;
    Object.assign(item, ended);
    if (!error) delete item.error;
    this.state.counts[previous] -= 1;
    this.state.counts[status] += 1;
    this.#endedHere += 1;
    this.#noteEnded(item.index);
    this.#scheduleStateWrite();
    this.#context.emit('itemEnd', () => ({
      ...this.#base(),
      item: { ...item },
      status,
      ...(item.error ? { error: item.error } : {}),
      ...(status === 'done' ? { cached } : {}),
    }));
    this.#context.emit('batchProgress', () => this.#base());
  }

  #noteEnded(index: number): void {
    const recent = [...(this.state.recentlyEnded ?? []), index];
    this.state.endedSeq = (this.state.endedSeq ?? 0) + 1;
    this.state.recentlyEnded = recent.length > RECENTLY_ENDED ? recent.slice(-RECENTLY_ENDED) : recent;
  }

  #setStatus(item: ItemRecord, status: ItemStatus): void {
    this.state.counts[item.status] -= 1;
    this.state.counts[status] += 1;
    item.status = status;
  }

  #stateToWrite(): JobState {
    return { ...this.state, counts: { ...this.state.counts }, ...(this.state.recentlyEnded ? { recentlyEnded: [...this.state.recentlyEnded] } : {}) };
  }

  /** Writes the job's counts at most once per interval; items themselves are already stored. */
  #scheduleStateWrite(): void {
    if (this.#stateTimer !== undefined) return;
    this.#stateTimer = setTimeout(() => {
      this.#stateTimer = undefined;
      const state = this.#stateToWrite();
      this.#stateWrites = this.#stateWrites
        .then(() => this.#context.stored.call('save the batch state', (store) => store.saveJobState(this.job.id, state)))
        .catch(() => {
          // The counts are rebuilt from the items on resume; the final write retries.
        });
    }, this.#context.stateWriteIntervalMs);
    this.#stateTimer.unref();
  }
}
