import type { SerializedError } from '../errors.js';
import type { ItemRecord, ItemStatus, JobSnapshot, JobStatus, Progress } from '../records.js';

/** Fields every batch event carries. */
export interface BatchEventBase {
  jobId: string;
  userId: string;
  /** Counts, percentage, elapsed time, ETA and current items, as of this event. */
  progress: Progress;
}

/** A job started running (after submission, or again after {@link BatchProcessor.resume}). */
export interface BatchStartEvent extends BatchEventBase {
  job: JobSnapshot;
  /** True when the job was picked up again after a restart. */
  resumed: boolean;
}

/** Something changed in the job: an item started, entered a stage, retried or ended. */
export type BatchProgressEvent = BatchEventBase;

/**
 * The job stopped without ending: a failure that every video would share (a dead API key, an
 * exhausted spend limit, an unknown model, an unreachable service, a YouTube block that outlasted
 * every retry) or a store that could not record progress. Unfinished items are pending again;
 * `resume()` continues once `reason` is fixed. At most the summaries in flight were spent.
 */
export interface BatchPauseEvent extends BatchEventBase {
  job: JobSnapshot;
  reason: SerializedError;
}

/** The job ended: every item is done, failed or cancelled, and `status` is `done`, `failed` or `cancelled` (see {@link JobStatus}). */
export interface BatchEndEvent extends BatchEventBase {
  status: JobStatus;
  job: JobSnapshot;
}

/** Work on an item started; fires exactly once per item and run (cached or not). */
export interface ItemStartEvent extends BatchEventBase {
  item: ItemRecord;
}

/** An item's real work entered a stage (a cached transcript or summary skips its stage). */
export interface ItemStageEvent extends BatchEventBase {
  item: ItemRecord;
  stage: 'transcript' | 'summary';
}

/** An attempt at an item failed with a retryable error; another comes after `delayMs`. A `batchProgress` follows. */
export interface ItemRetryEvent extends BatchEventBase {
  item: ItemRecord;
  stage: 'transcript' | 'summary';
  /** The attempt that failed, from 1. */
  attempt: number;
  error: SerializedError;
  delayMs: number;
}

/** An item ended. Its record is already persisted. */
export interface ItemEndEvent extends BatchEventBase {
  item: ItemRecord;
  status: Extract<ItemStatus, 'done' | 'failed' | 'cancelled'>;
  error?: SerializedError;
  /** True when the summary came from the cache without a summarizer call. */
  cached?: boolean;
}

/** Event name -> listener signature, for `processor.on(name, listener)`. */
export interface BatchEvents {
  batchStart: (event: BatchStartEvent) => void;
  batchProgress: (event: BatchProgressEvent) => void;
  batchPause: (event: BatchPauseEvent) => void;
  batchEnd: (event: BatchEndEvent) => void;
  itemStart: (event: ItemStartEvent) => void;
  itemStage: (event: ItemStageEvent) => void;
  itemRetry: (event: ItemRetryEvent) => void;
  itemEnd: (event: ItemEndEvent) => void;
}
