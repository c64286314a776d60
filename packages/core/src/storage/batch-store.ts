import type { ItemRecord, JobRecord, JobState } from '../processor/job.js';

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
  /** Replaces the job's state. Jobs whose status is `running` are listed by {@link listUnfinishedJobIds}. */
  saveJobState(jobId: string, state: JobState): Promise<void>;
  /** Job ids of one user, oldest first. */
  listJobIds(userId: string): Promise<string[]>;
  /** Job ids whose state is `running`, for resuming after a crash. */
  listUnfinishedJobIds(): Promise<string[]>;
  /** Items of a job in index order; a window with `offset` and `limit`. */
  getItems(jobId: string, range?: { offset?: number; limit?: number }): Promise<ItemRecord[]>;
  /** Replaces one item (matched by `jobId` and `index`), writing nothing else. Callers await one item's saves in order. */
  saveItem(item: ItemRecord): Promise<void>;
  /** Reads a cached value (transcript, summary). */
  getCached<T>(key: string): Promise<T | undefined>;
  /** Writes a cached value; kept until deleted. */
  setCached(key: string, value: unknown): Promise<void>;
  /** Waits for operations in flight, then releases connections; later calls fail with `STORAGE_ERROR`. Optional. */
  close?(): Promise<void>;
}
