import type { ItemRecord, JobRecord, JobState } from '../records.js';

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
 * when the backend fails. Run `describeBatchStore` from `@tubesum/core/testing/conformance` against a new one.
 *
 * Several processes may share one store. Then a running job has one owner at a time: the process
 * holding its lease ({@link claimJob}, renewed with {@link renewJob}). Leases are measured by the
 * store's clock (Redis TTLs, PostgreSQL's `statement_timestamp()`, SQLite's and memory's own
 * machine), so clock skew between processes cannot give a job two owners. {@link coordination}
 * says whether claims and list updates hold across processes or only within one.
 */
export interface BatchStore {
  /** Saves a new job, its state and all its items (`items[i].index === i`, `items.length === job.total`). */
  createJob(job: JobRecord, state: JobState, items: readonly ItemRecord[]): Promise<void>;
  getJob(jobId: string): Promise<JobRecord | undefined>;
  getJobState(jobId: string): Promise<JobState | undefined>;
  /** Replaces the job's state. Jobs whose status is `running` or `paused` are listed by {@link listUnfinishedJobIds}. */
  saveJobState(jobId: string, state: JobState): Promise<void>;
  /** Job ids of one user, oldest first. Complete even when several processes create jobs for one user at once (with `coordination: 'atomic'`). */
  listJobIds(userId: string): Promise<string[]>;
  /**
   * Job ids whose state is `running` or `paused` (not ended), for resuming after a crash or a pause. Exact when one process at a time saves a
   * job's state (its lease owner). The name keeps the older word "unfinished": it is the contract every store implements.
   */
  listUnfinishedJobIds(): Promise<string[]>;
  /** Items of a job in index order; a window with `offset` and `limit`. */
  getItems(jobId: string, range?: { offset?: number; limit?: number }): Promise<ItemRecord[]>;
  /** Replaces one item (matched by `jobId` and `index`), writing nothing else. Callers await one item's saves in order. */
  saveItem(item: ItemRecord): Promise<void>;
  /** Reads a cached value (transcript, summary). */
  getCached<T>(key: string): Promise<T | undefined>;
  /**
   * Reads several cached values at once: the value of each of `keys`, in their order, `undefined`
   * where there is none. Optional: readers of many values (an export) fall back to
   * `getCached` per key. The built-in stores read a page of keys in one backend request.
   */
  getManyCached?<T>(keys: readonly string[]): Promise<Array<T | undefined>>;
  /** Writes a cached value; kept until deleted. */
  setCached(key: string, value: unknown): Promise<void>;
  /**
   * Takes the lease of `jobId` for `owner` for `leaseMs` milliseconds (an integer >= 1), when it is
   * free, expired or already `owner`'s (then it is extended to `leaseMs` from now). Atomic across
   * processes sharing the backend: of several owners claiming at once, exactly one gets `true`.
   * Works on the lease alone, whether or not the job exists (the caller checks the job).
   * Resolves whether `owner` now holds the lease.
   */
  claimJob(jobId: string, owner: string, leaseMs: number): Promise<boolean>;
  /**
   * Extends `owner`'s lease to `leaseMs` from now. Resolves `false` (and changes nothing) when
   * `owner` no longer holds it: released, taken by another owner, or expired (even if nobody took
   * it since; {@link claimJob} may take it again). Rejects with `STORAGE_ERROR` when the backend
   * cannot be reached: the owner then no longer knows it holds the lease.
   */
  renewJob(jobId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it (expired or not); otherwise does nothing. */
  releaseJob(jobId: string, owner: string): Promise<void>;
  /**
   * The current lease, or `undefined` when none. An expired lease is either reported with
   * `expiresInMs <= 0` (memory, SQLite, PostgreSQL, custom Keyv) or already gone (Redis).
   */
  getJobLease(jobId: string): Promise<JobLease | undefined>;
  /** Records durably that `jobId` should be cancelled (idempotent; whether or not the job exists). */
  requestCancel(jobId: string): Promise<void>;
  /** Whether a cancel was requested for `jobId`, by any process sharing the store. */
  isCancelRequested(jobId: string): Promise<boolean>;
  /**
   * `'atomic'`: claims and list updates hold across processes sharing the backend (memory, SQLite,
   * Redis, PostgreSQL); `'process'`: only among stores on the same Keyv in this process (a custom
   * Keyv adapter, or a custom serializer or compression, that the store cannot coordinate through).
   */
  readonly coordination: 'atomic' | 'process';
  /**
   * Who can reach the data: `'process'` (memory), `'machine'` (a SQLite file), `'network'` (Redis,
   * PostgreSQL). Workers on other machines need `'network'`. Optional: absent when unknown.
   */
  readonly reach?: 'process' | 'machine' | 'network';
  /** Waits for operations in flight, then releases connections; later calls fail with `STORAGE_ERROR`. Optional. */
  close?(): Promise<void>;
}
