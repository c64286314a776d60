import { setMaxListeners } from 'node:events';
import { ErrorCode, TubesumError } from '../errors.js';
import type { SerializedError } from '../errors.js';
import { FairLimiter } from '../internal/fair-limiter.js';
import { stripUndefined } from '../internal/strip-undefined.js';
import type { BatchEvents } from './events.js';
import type { ItemExecutor, ItemProgress } from './item-executor.js';
import { ENDED_ITEM_STATUSES } from '../records.js';
import type { CurrentItem, ItemRecord, ItemStatus, JobRecord, JobSnapshot, JobState, Progress } from '../records.js';
import { Lease } from './lease.js';
import { pauseReasonOf } from './pause-reasons.js';
import { costOfItems, countItems, endedJobStatus, progressOf } from './progress.js';
import { toTubesumError } from './retry.js';
import type { StoredJobs } from './stored-jobs.js';

/** Item ends kept in the job's state for processes that follow it from the store. */
const RECENTLY_ENDED = 100;

/** Emits an event, building it only when someone listens. */
export type Emit = <Name extends keyof BatchEvents>(name: Name, build: () => Parameters<BatchEvents[Name]>[0]) => void;

/** What every run of a processor shares. */
export interface RunContext {
  stored: StoredJobs;
  /** Runs each item's stages: in this process by default, or on workers. */
  executor: ItemExecutor;
  /** Items of all runs in the executor at once, fair between runs. */
  admission: FairLimiter;
  /** When set, each run admits this many items of its own instead (`ItemExecutor.capacityPerBatch`). */
  admissionPerRun: number | undefined;
  stateWriteIntervalMs: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** This processor's owner token: process id and a random token. */
  owner: string;
  emit: Emit;
}

/**
 * How a run stopped. `ended`: done, failed or cancelled, stored and announced. `paused`: stopped without
 * ending, `resume()` continues. `closed`: the processor closed. `lost`: another process owns the job
 * now (or this one could not prove it still does): nothing more is written.
 */
export type RunOutcome = 'ended' | 'paused' | 'closed' | 'lost';

type Stop =
  | { kind: 'cancel'; error: TubesumError }
  | { kind: 'pause'; error: TubesumError }
  | { kind: 'close'; error: TubesumError }
  | { kind: 'lost'; error: TubesumError };

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
  readonly #admission: FairLimiter;
  readonly #startedAtMs = Date.now();
  /** Items that ended in this process, for the ETA. */
  #endedHere = 0;
  readonly #current = new Map<number, CurrentItem>();
  #stateTimer: NodeJS.Timeout | undefined;
  #stateWrites: Promise<void> = Promise.resolve();
  #stop: Stop | undefined;
  /** The executor stopping this job's work everywhere (executors that run it elsewhere). */
  #stopping: Promise<void> = Promise.resolve();
  #detachSignal = () => {};
  /** Resolves with how the run stopped; never rejects. */
  readonly settled: Promise<RunOutcome>;

  constructor(context: RunContext, job: JobRecord, state: JobState, items: ItemRecord[], options: { resumed: boolean; signal?: AbortSignal | undefined }) {
    this.#context = context;
    this.#admission = context.admissionPerRun === undefined ? context.admission : new FairLimiter(context.admissionPerRun);
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
    // A cancel says so in its reason (`details.stop`), so that a provider batch is cancelled too, not just left.
    const { error } = stop;
    this.#controller.abort(
      stop.kind === 'cancel'
        ? new TubesumError(error.code, error.message, { cause: error.cause, retryable: false, details: { ...error.details, stop: 'cancel' } })
        : error,
    );
    this.#admission.cancel(this.job.id, stop.error);
    this.#stopping = this.#stopExecutor(stop.kind);
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
      await Promise.all(waiting.map((item) => this.#admission.run(job.id, () => this.#processItem(item)).catch(() => this.#endUnstarted(item))));
    } finally {
      this.#detachSignal();
      clearTimeout(this.#stateTimer);
      this.#stateTimer = undefined;
    }
    await this.#stateWrites;
    await this.#stopping;
    return this.#finish();
  }

  /**
   * Tells an executor that runs items elsewhere that this job stopped: a cancel is stored first
   * (a cancel through `submit`'s signal was not), so that no worker starts its work afterwards.
   */
  async #stopExecutor(kind: Stop['kind']): Promise<void> {
    const { executor, stored } = this.#context;
    if (!executor.stopJob) return;
    try {
      if (kind === 'cancel') await stored.retried('request the cancel of a batch', (store) => store.requestCancel(this.job.id));
      await executor.stopJob(this.job.id, kind);
    } catch (error) {
      process.emitWarning(`tubesum: could not stop the work of batch ${this.job.id} on the workers: ${String(error)}`);
    }
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
    const costUsd = costOfItems(this.items);
    const { pauseReason: _pauseReason, costUsd: _costUsd, ...known } = this.state;
    const rest = costUsd === undefined ? known : { ...known, costUsd };
    if (stop === undefined || stop.kind === 'cancel') {
      this.state = { ...rest, status: endedJobStatus(counts, stop !== undefined), counts, endedAt: new Date().toISOString() };
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
      const task = { job: this.job, item: { jobId: item.jobId, index: item.index, videoId: item.videoId, url: item.url } };
      const result = await this.#context.executor.run(task, signal, {
        progress: (event) => this.#onProgress(item, event),
        pause: (error) => {
          if (!signal.aborted) this.pause(pauseReasonOf(error) ?? error);
        },
      });
      cached = result.cached;
      item.summaryKey = result.summaryKey;
      if (result.costUsd !== undefined) item.costUsd = result.costUsd;
    } catch (caught) {
      const error = toTubesumError(caught, item.videoId);
      if (this.#stop?.kind === 'cancel') return this.#finishItem(item, 'cancelled', undefined);
      // The provider batch was cancelled by someone else (the provider's console): the item ends cancelled, saying so.
      if (this.#stop === undefined && error.code === ErrorCode.CANCELLED && error.details?.['reason'] === 'provider-batch-canceled') {
        return this.#finishItem(item, 'cancelled', error);
      }
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

  /** What the executor reports while the item runs, as the item's record and the batch's events. */
  #onProgress(item: ItemRecord, event: ItemProgress): void {
    if (item.status !== 'running') return; // a late report from another process
    switch (event.type) {
      case 'attempt': {
        item.attempts += 1;
        const perStage = (item.stageAttempts ??= { transcript: 0, summary: 0 });
        perStage[event.stage] += 1;
        return;
      }
      case 'stage':
        this.#current.set(item.index, { index: item.index, videoId: item.videoId, ...stripUndefined({ title: item.title }), stage: event.stage });
        this.#context.emit('itemStage', () => ({ ...this.#base(), item: { ...item }, stage: event.stage }));
        this.#context.emit('batchProgress', () => this.#base());
        return;
      case 'retry':
        this.#context.emit('itemRetry', () => ({
          ...this.#base(),
          item: { ...item },
          stage: event.stage,
          attempt: event.attempt,
          error: event.error,
          delayMs: event.delayMs,
        }));
        this.#context.emit('batchProgress', () => this.#base());
        return;
      case 'transcript':
        item.transcriptKey = event.transcriptKey;
        if (event.title !== undefined) item.title = event.title;
        return;
      case 'waiting': {
        const current = this.#current.get(item.index);
        if (!current) return;
        const before = current.waiting;
        current.waiting = event.wait;
        // Announced when it changes (collected, then submitted), not at every poll: readers compute "12 min ago" themselves.
        if (before?.phase !== event.wait.phase || before.batchId !== event.wait.batchId) this.#context.emit('batchProgress', () => this.#base());
        return;
      }
    }
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
    if (status === 'done' && item.costUsd !== undefined) this.state.costUsd = (this.state.costUsd ?? 0) + item.costUsd;
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
