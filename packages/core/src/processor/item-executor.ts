import { ErrorCode, TubesumError } from '../errors.js';
import type { SerializedError } from '../errors.js';
import type { ProviderBatchWait } from '../summarizers/summarizer.js';
import type { ItemRecord, JobRecord } from './job.js';

/** The two paid steps of an item. */
export type ItemStage = 'transcript' | 'summary';

/** One item handed to an {@link ItemExecutor}: its job (id, user, options) and the item itself. Read only. */
export interface ItemTask {
  readonly job: Readonly<Pick<JobRecord, 'id' | 'userId' | 'options'>>;
  readonly item: Readonly<Pick<ItemRecord, 'jobId' | 'index' | 'videoId' | 'url'>>;
}

/**
 * What an executor reports while an item runs, in order. Plain data, so that an executor running
 * the item in another process can send it over the wire.
 * - `attempt`: an attempt at a stage starts (counted in the item's `attempts`).
 * - `stage`: the item's real work entered a stage (a cache hit skips its stage): `itemStage`.
 * - `retry`: an attempt failed with a retryable error; another follows after `delayMs`: `itemRetry`.
 * - `transcript`: the transcript is there (cached under `transcriptKey`); the summary stage follows.
 * - `waiting`: the summary waits on a provider batch (Anthropic's Message Batches): only "processing" is known.
 */
export type ItemProgress =
  | { readonly type: 'attempt'; readonly stage: ItemStage }
  | { readonly type: 'stage'; readonly stage: ItemStage }
  | { readonly type: 'retry'; readonly stage: ItemStage; readonly attempt: number; readonly error: SerializedError; readonly delayMs: number }
  | { readonly type: 'transcript'; readonly transcriptKey: string; readonly title?: string | undefined }
  | { readonly type: 'waiting'; readonly wait: ProviderBatchWait };

/**
 * The abort reason of a batch's signal when the batch is cancelled for good (not paused or closed):
 * a batching summarizer then cancels the provider batch. `details.stop` is `'cancel'`.
 */
export function isCancelStop(reason: unknown): boolean {
  return reason instanceof TubesumError && reason.code === ErrorCode.CANCELLED && reason.details?.['stop'] === 'cancel';
}

/** How an executor talks back to the batch that owns the item. */
export interface ItemHooks {
  /** Reports progress; the batch turns it into its events and the item's record. */
  progress(event: ItemProgress): void;
  /**
   * A failure every item would share (a dead API key, a spend limit, an unreachable service): the
   * batch pauses at once, before other items start the same doomed call. The item still rejects.
   */
  pause(error: TubesumError): void;
}

/** How an item ended well. Its summary is in the store's cache under `summaryKey`. */
export interface ItemResult {
  readonly summaryKey: string;
  /** True when the summary came from the cache without a summarizer call. */
  readonly cached: boolean;
  /** The summary's price in US dollars (its `costUsd`), when known. */
  readonly costUsd?: number | undefined;
}

/**
 * Runs the work of one item (transcript, then summary, each behind its cache) somewhere: in this
 * process (the default, see `concurrency`) or on workers (`@tubesum/bullmq`). The
 * {@link BatchProcessor} that owns the job keeps everything else: the job's lease, its state, the
 * item records and every event, pause, cancel and resume.
 */
export interface ItemExecutor {
  /**
   * True when the work runs in other processes, maybe on other machines: the processor then
   * refuses a store only this process or machine can reach (memory, SQLite) with `INVALID_OPTIONS`.
   */
  readonly distributed?: boolean | undefined;
  /**
   * Items of all batches the processor keeps in the executor at once (queued or running); the
   * processor admits them fairly between batches and refills as they end.
   * @default concurrency.transcripts + concurrency.summaries + prefetch
   */
  readonly capacity?: number | undefined;
  /**
   * Instead of `capacity`: items each batch keeps in the executor at once, whatever the other
   * batches hold, refilled as they end. For an executor that is fair between batches itself (e.g. by
   * job priorities), so that a new batch starts at once instead of waiting for slots to free.
   */
  readonly capacityPerBatch?: number | undefined;
  /**
   * Runs one item. Resolves once its summary is stored; rejects with a `TubesumError` when it failed,
   * or with `signal.reason` once `signal` aborted (the item's batch stopped). Must not start paid
   * work after `signal` aborted.
   */
  run(task: ItemTask, signal: AbortSignal, hooks: ItemHooks): Promise<ItemResult>;
  /**
   * The batch `jobId` stopped in this process (`cancel`, `pause`, `close`, or `lost`: another process
   * owns it now): no more of its work may start anywhere, and work in flight is aborted. For `cancel`
   * the processor has already stored the cancel request (`BatchStore.requestCancel`). The batch's
   * end is stored only after this resolves.
   */
  stopJob?(jobId: string, reason: 'cancel' | 'pause' | 'close' | 'lost'): Promise<void>;
}
