import { ErrorCode, TubesumError } from '../errors.js';
import type { BatchStore } from '../storage/batch-store.js';
import { errorMessage } from '../storage/storage-error.js';
import { ENDED_ITEM_STATUSES } from '../records.js';
import type { ItemRecord, JobRecord, JobState } from '../records.js';
import { upgradeStoredJobState } from '../upgrade-stored-job-state.js';
import { countItems } from './progress.js';
import { runWithRetries } from './retry.js';
import type { RetryOptions } from './retry.js';

/** Saving what was done is never cancelled: it must reach the store. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

const PAGE_SIZE = 500;

/**
 * The processor's one door to the store: every call wrapped as a `STORAGE_ERROR` that says what was
 * being done, and, where asked, retried under the processor's retry policy.
 */
export class StoredJobs {
  readonly store: BatchStore;
  readonly #retry: Required<RetryOptions>;

  constructor(store: BatchStore, retry: Required<RetryOptions>) {
    this.store = store;
    this.#retry = retry;
  }

  /** One store call, failures wrapped as `STORAGE_ERROR`. */
  async call<T>(what: string, call: (store: BatchStore) => Promise<T>): Promise<T> {
    try {
      return await call(this.store);
    } catch (error) {
      if (error instanceof TubesumError) throw error;
      throw new TubesumError(ErrorCode.STORAGE_ERROR, `Could not ${what}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** A store call retried like any other step (a store hiccup is transient); `signal` stops the retries. */
  retried<T>(what: string, call: (store: BatchStore) => Promise<T>, options: { signal?: AbortSignal; videoId?: string } = {}): Promise<T> {
    return runWithRetries(() => this.call(what, call), {
      ...this.#retry,
      signal: options.signal ?? NEVER_ABORTED,
      ...(options.videoId === undefined ? {} : { videoId: options.videoId }),
    });
  }

  /** The job's record and state (a legacy state in today's words: `upgradeStoredJobState`), or undefined when either is missing. */
  async load(jobId: string): Promise<{ job: JobRecord; state: JobState } | undefined> {
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 200) return undefined;
    const [job, state] = await Promise.all([
      this.call('read a batch', (store) => store.getJob(jobId)),
      this.call('read a batch state', (store) => store.getJobState(jobId)),
    ]);
    return job && state ? { job, state: upgradeStoredJobState(state) } : undefined;
  }

  /** The job's items in pages, in index order. */
  async *pages(jobId: string, total: number): AsyncGenerator<ItemRecord[]> {
    for (let offset = 0; offset < total; offset += PAGE_SIZE) {
      yield await this.call('read items', (store) => store.getItems(jobId, { offset, limit: PAGE_SIZE }));
    }
  }

  /** All the job's items. */
  async loadItems(jobId: string, total: number): Promise<ItemRecord[]> {
    const items: ItemRecord[] = [];
    for await (const page of this.pages(jobId, total)) items.push(...page);
    return items;
  }

  /**
   * Ends a job nobody runs (its owner is gone, or it is paused) as cancelled: unfinished items are
   * stored as cancelled, then the state. The caller holds the job's lease.
   */
  async endAsCancelled(job: JobRecord, state: JobState): Promise<JobState> {
    const items = await this.loadItems(job.id, job.total);
    const endedAt = new Date().toISOString();
    for (const item of items) {
      if (ENDED_ITEM_STATUSES.has(item.status)) continue;
      item.status = 'cancelled';
      item.endedAt = endedAt;
      await this.retried('save a cancelled item', (store) => store.saveItem(item), { videoId: item.videoId });
    }
    const { pauseReason: _pauseReason, ...rest } = state;
    const ended: JobState = { ...rest, status: 'cancelled', counts: countItems(items), endedAt };
    await this.retried('save the batch state', (store) => store.saveJobState(job.id, ended));
    return ended;
  }
}
