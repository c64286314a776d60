import { isJobEnded } from '../records.js';
import type { JobRecord, JobSnapshot, JobState } from '../records.js';
import type { Emit } from './job-run.js';
import { upgradeStoredJobState } from '../upgrade-stored-job-state.js';
import { storedSnapshot } from './progress.js';
import type { StoredJobs } from './stored-jobs.js';

export interface JobFollowerOptions {
  stored: StoredJobs;
  job: JobRecord;
  state: JobState;
  pollIntervalMs: number;
  emit: Emit;
  /** Whether this process runs the job now (it adopted it): then its own run emits the events. */
  runsHere: () => boolean;
}

/**
 * Follows a job that another process runs, from the store: reads its state every `pollIntervalMs`
 * and emits the same typed events its owner emits (`batchProgress`, `itemEnd`, then `batchPause` or
 * `batchEnd`). Staleness: the owner writes the state at most every `stateWriteIntervalMs` (1 s by
 * default), so events arrive here at most that plus `pollIntervalMs` after they happened. `itemEnd`
 * comes for the last 100 items that ended between two reads; beyond that only counts move.
 */
export class JobFollower {
  readonly #options: JobFollowerOptions;
  #state: JobState;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #resolve: (snapshot: JobSnapshot | undefined) => void = () => {};
  /** The job when it stops (ended or paused); undefined when it came to run in this process or the follower was stopped. */
  readonly stopped: Promise<JobSnapshot | undefined>;

  constructor(options: JobFollowerOptions) {
    this.#options = options;
    this.#state = options.state;
    this.stopped = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#timer = setInterval(() => this.#onTick(), options.pollIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#resolve(undefined);
  }

  #onTick(): void {
    if (this.#busy) return;
    if (this.#options.runsHere()) {
      this.stop();
      return;
    }
    this.#busy = true;
    this.#read()
      .catch(() => {
        // A store hiccup: read again on the next tick.
      })
      .finally(() => {
        this.#busy = false;
      });
  }

  async #read(): Promise<void> {
    const { stored, job, emit } = this.#options;
    const read = await stored.call('read a batch state', (store) => store.getJobState(job.id));
    if (read === undefined || this.#timer === undefined) return;
    const state = upgradeStoredJobState(read);
    const previous = this.#state;
    this.#state = state;
    const base = () => ({ jobId: job.id, userId: job.userId, progress: storedSnapshot(job, state).progress });
    const seen = previous.endedSeq ?? 0;
    const fresh = (state.endedSeq ?? 0) - seen;
    if (fresh > 0) {
      const indexes = (state.recentlyEnded ?? []).slice(-Math.min(fresh, state.recentlyEnded?.length ?? 0));
      for (const index of indexes) {
        const [item] = await stored.call('read an item', (store) => store.getItems(job.id, { offset: index, limit: 1 }));
        if (item === undefined || (item.status !== 'done' && item.status !== 'failed' && item.status !== 'cancelled')) continue;
        emit('itemEnd', () => ({ ...base(), item, status: item.status as 'done' | 'failed' | 'cancelled', ...(item.error ? { error: item.error } : {}) }));
      }
    }
    const moved = JSON.stringify(previous.counts) !== JSON.stringify(state.counts) || previous.status !== state.status;
    if (moved) emit('batchProgress', base);
    if (state.status === 'running') return;
    const snapshot = storedSnapshot(job, state);
    if (state.status === 'paused' && state.pauseReason) {
      const reason = state.pauseReason;
      emit('batchPause', () => ({ ...base(), job: snapshot, reason }));
    } else if (isJobEnded(state.status)) {
      emit('batchEnd', () => ({ ...base(), status: state.status, job: snapshot }));
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#resolve(snapshot);
  }
}
