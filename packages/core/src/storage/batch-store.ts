import type { ItemRecord, JobRecord, JobState } from '../processor/job.js';

/** Who holds a running job's lease, as the store sees it now. */
export interface JobLease {
  /** Opaque owner token (process id + random token, chosen by the processor). */
  owner: string;
  /** Milliseconds until the lease expires, measured by the store's clock (<= 0: expired). */
  expiresInMs: number;
}

/**
 * Where jobs, items and cached transcripts and summaries live.
 *
 * Every write is small: an item update writes that item only, a state update writes
 * the small {@link JobState}. Implementations throw a `STORAGE_ERROR` {@link TubesumError}
 * when the backend fails. Run `describeBatchStore` from `@tubesum/core/testing` against a new one.
 */
export interface BatchStore {
  /** Saves a new job, its state and all its items (`items[i].index === i`, `items.length === job.total`). */
  createJob(job: JobRecord, state: JobState, items: readonly ItemRecord[]): Promise<void>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  getJobState(jobId: string): Promise<JobState | undefined>;
  /** Replaces the job's state. Jobs whose status is `running` or `paused` are listed by {@link listUnfinishedJobIds}. */
  saveJobState(jobId: string, state: JobState): Promise<void>;
  /** Job ids of one user, oldest first. */
  listJobIds(userId: string): Promise<string[]>;
  /** Job ids whose state is `running` or `paused`, for resuming after a crash or a pause. */
  listUnfinishedJobIds(): Promise<string[]>;
  /** Items of a job in index order; a window with `offset` and `limit`. */
  getItems(jobId: string, range?: { offset?: number; limit?: number }): Promise<ItemRecord[]>;
  /** Replaces one item (matched by `jobId` and `index`), writing nothing else. Callers await one item's saves in order. */
  saveItem(item: ItemRecord): Promise<void>;
  /** Reads a cached value (transcript, summary). */
  getCached<T>(key: string): Promise<T | undefined>;
  /** Writes a cached value; kept until deleted. */
  setCached(key: string, value: unknown): Promise<void>;
  /**
   * Takes the lease of `jobId` for `owner` for `leaseMs`, when it is free, expired or already
   * `owner`'s. Atomic across processes sharing the backend. Resolves whether `owner` now holds it.
   */
  claimJob(jobId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Extends `owner`'s lease to `leaseMs` from now. Resolves false (and changes nothing) when `owner` no longer holds it. */
  renewJob(jobId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it; otherwise does nothing. */
  releaseJob(jobId: string, owner: string): Promise<void>;
  /** The current lease, or undefined when none (or expired and removed). */
  getJobLease(jobId: string): Promise<JobLease | undefined>;
  /** Records durably that `jobId` should be cancelled (idempotent). */
  requestCancel(jobId: string): Promise<void>;
  /** Whether a cancel was requested for `jobId`. */
  isCancelRequested(jobId: string): Promise<boolean>;
  /**
   * `'atomic'`: claims and list updates hold across processes; `'process'`: only within this
   * process (a custom Keyv adapter the store cannot coordinate through).
   */
  readonly coordination: 'atomic' | 'process';
  /** Waits for operations in flight, then releases connections; later calls fail with `STORAGE_ERROR`. Optional. */
  close?(): Promise<void>;
}
