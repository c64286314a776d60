import { ErrorCode, TubesumError } from '../errors.js';
import { withDeadline } from '../internal/abort.js';
import { stripUndefined } from '../internal/strip-undefined.js';
import type { BatchStore } from '../storage/batch-store.js';
import type { SummarizeOptions, Summarizer, Summary } from '../summarizers/summarizer.js';
import type { Transcript, TranscriptSource } from '../transcripts/transcript-source.js';
import { summaryCacheKey, transcriptCacheKey } from './cache-keys.js';
import { isCancelStop } from './item-executor.js';
import type { ItemHooks, ItemStage, ItemTask } from './item-executor.js';
import type { SummaryRecord } from './job.js';
import { pausesAtOnce } from './pause-reasons.js';
import { DEFAULT_RETRY, runWithRetries, toTubesumError } from './retry.js';
import type { RetryAttempt, RetryOptions } from './retry.js';
import { StoredJobs } from './stored-jobs.js';

/** Held while a stage's paid work runs; `release()` once its result is stored. */
export interface StageClaim {
  release(): Promise<void>;
  /** True when nobody else worked on the key lately: the cache needs no second read. */
  readonly fresh?: boolean | undefined;
}

/** Options of {@link ItemStages}. */
export interface ItemStagesOptions {
  readonly store: BatchStore;
  readonly transcripts: TranscriptSource;
  readonly summarizer: Summarizer;
  readonly retry?: RetryOptions | undefined;
  /** @default 300000 */
  readonly itemTimeoutMs?: number | undefined;
  /** Runs a stage's attempts (after its cache missed), e.g. within a concurrency limit. @default runs them */
  readonly gate?: (<T>(stage: ItemStage, task: ItemTask, work: () => Promise<T>) => Promise<T>) | undefined;
  /**
   * Called after a stage's cache missed and before its work starts, e.g. to check a cancel flag or to
   * take a lease on `key` so that two processes never pay for one summary. With a claim, the cache is
   * read again before the work starts (another holder may have filled it meanwhile), unless the claim
   * is `fresh`.
   */
  readonly claim?: ((stage: ItemStage, key: string, task: ItemTask, signal: AbortSignal) => Promise<StageClaim | undefined>) | undefined;
}

/**
 * The two stages of an item, each behind its cache: fetch (or read) the transcript, then write (or
 * read) the summary, every attempt under the per-attempt timeout and the retry policy. The
 * in-process pipeline and the workers of `@tubesum/bullmq` run these same steps.
 */
export class ItemStages {
  readonly #options: ItemStagesOptions;
  readonly #stored: StoredJobs;
  readonly #retry: Required<RetryOptions>;
  readonly #itemTimeoutMs: number;
  /** Summaries paid for whose write to the store failed: kept until stored, never paid again. */
  readonly #unsavedSummaries = new Map<string, SummaryRecord>();

  constructor(options: ItemStagesOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...stripUndefined(options.retry ?? {}) };
    this.#stored = new StoredJobs(options.store, this.#retry);
    this.#itemTimeoutMs = options.itemTimeoutMs ?? 300_000;
  }

  /** The item's transcript, from the cache or the source (then cached), and its cache key. */
  async transcript(task: ItemTask, signal: AbortSignal, hooks: ItemHooks): Promise<{ transcript: Transcript; key: string }> {
    const { videoId } = task.item;
    const languages = task.job.options.transcriptLanguages;
    const key = transcriptCacheKey(videoId, languages);
    const read = () => this.#stored.retried('read a cached transcript', (store) => store.getCached<Transcript>(key), { signal, videoId });
    const cached = await read();
    if (cached) return { transcript: cached, key };
    const claim = await this.#options.claim?.('transcript', key, task, signal);
    try {
      const again = claim && claim.fresh !== true ? await read() : undefined;
      if (again) return { transcript: again, key };
      hooks.progress({ type: 'stage', stage: 'transcript' });
      const transcript = await this.#gate('transcript', task, () =>
        this.#attempt(task, 'transcript', signal, hooks, (attemptSignal) =>
          this.#options.transcripts.fetchTranscript(videoId, languages ? { signal: attemptSignal, languages } : { signal: attemptSignal }),
        ),
      );
      if (transcript.segments.length === 0) {
        throw new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, `The transcript of ${videoId} has no text.`, { videoId });
      }
      await this.#stored.retried('cache a transcript', (store) => store.setCached(key, transcript), { signal, videoId });
      return { transcript, key };
    } finally {
      await claim?.release();
    }
  }

  /** The item's summary, from the cache or the summarizer (then stored at once), and its cache key. */
  async summary(task: ItemTask, transcript: Transcript, signal: AbortSignal, hooks: ItemHooks): Promise<{ key: string; cached: boolean; costUsd?: number }> {
    const { videoId, url } = task.item;
    const options = task.job.options;
    const key = summaryCacheKey(videoId, transcript, this.#options.summarizer, options);
    // A summary paid for earlier whose write failed: store it now, never pay for it again.
    const unsaved = this.#unsavedSummaries.get(key);
    if (unsaved) {
      await this.#stored.retried('cache a summary', (store) => store.setCached(key, unsaved), { signal, videoId });
      this.#unsavedSummaries.delete(key);
      return { key, cached: true, ...costOf(unsaved) };
    }
    const read = () => this.#stored.retried('read a cached summary', (store) => store.getCached<SummaryRecord>(key), { signal, videoId });
    const cachedRecord = await read();
    if (cachedRecord) return { key, cached: true, ...costOf(cachedRecord) };
    const claim = await this.#options.claim?.('summary', key, task, signal);
    try {
      const filled = claim && claim.fresh !== true ? await read() : undefined;
      if (filled) return { key, cached: true, ...costOf(filled) };
      hooks.progress({ type: 'stage', stage: 'summary' });
      const { summarizer } = this.#options;
      // Listens to the job's signal before the attempts do, so a cancel is known as one when they stop.
      const batching = summarizer.batching ? batchingOptions(signal, hooks) : undefined;
      const summarize = (attemptSignal: AbortSignal) =>
        summarizer.summarize(
          transcript,
          stripUndefined({
            signal: attemptSignal,
            length: options.length,
            language: options.language,
            instructions: options.instructions,
            ...batching?.options,
          }),
        );
      let summary: Summary;
      try {
        // A batching summarizer's summaries wait together, without a slot, for as long as a provider batch takes.
        summary = summarizer.batching
          ? await this.#attempt(task, 'summary', signal, hooks, summarize, summarizer.batching.timeoutMs)
          : await this.#gate('summary', task, () => this.#attempt(task, 'summary', signal, hooks, summarize));
      } finally {
        batching?.dispose();
      }
      const record: SummaryRecord = {
        version: 1,
        videoId,
        url,
        ...stripUndefined({ title: transcript.title, channel: transcript.channel, durationSeconds: transcript.durationSeconds }),
        transcriptLanguage: transcript.language,
        isAutoGenerated: transcript.isAutoGenerated,
        summary,
        createdAt: new Date().toISOString(),
      };
      // Paid for: kept in memory until the store has it, even if the job stops meanwhile.
      this.#unsavedSummaries.set(key, record);
      await this.#stored.retried('cache a summary', (store) => store.setCached(key, record), { videoId });
      this.#unsavedSummaries.delete(key);
      return { key, cached: false, ...costOf(record) };
    } finally {
      await claim?.release();
    }
  }

  #gate<T>(stage: ItemStage, task: ItemTask, work: () => Promise<T>): Promise<T> {
    return this.#options.gate ? this.#options.gate(stage, task, work) : work();
  }

  /** One step of an item, with the per-attempt timeout, the signal and retries. */
  #attempt<T>(
    task: ItemTask,
    stage: ItemStage,
    signal: AbortSignal,
    hooks: ItemHooks,
    work: (signal: AbortSignal) => Promise<T>,
    timeoutMs: number = this.#itemTimeoutMs,
  ): Promise<T> {
    const { videoId } = task.item;
    const what = stage === 'transcript' ? `Fetching the transcript of ${videoId}` : `Summarizing ${videoId}`;
    return runWithRetries(
      async () => {
        hooks.progress({ type: 'attempt', stage });
        try {
          return await withDeadline(signal, timeoutMs, what, (scope) => work(scope.signal));
        } catch (caught) {
          // Stop the batch while this attempt still holds its slot, so no other item starts the same doomed call.
          const error = toTubesumError(caught, videoId);
          if (!signal.aborted && pausesAtOnce(error)) hooks.pause(error);
          throw error;
        }
      },
      {
        ...this.#retry,
        signal,
        videoId,
        // A failure that stops the whole batch is not worth another attempt of this item.
        shouldStop: pausesAtOnce,
        onRetry: (attempt: RetryAttempt) =>
          hooks.progress({ type: 'retry', stage, attempt: attempt.attempt, error: attempt.error.toJSON(), delayMs: attempt.delayMs }),
      },
    );
  }
}

/** What a batching summarizer needs besides the signal: whether a stop is a cancel, and where to report its wait. */
function batchingOptions(signal: AbortSignal, hooks: ItemHooks): { options: Pick<SummarizeOptions, 'cancelSignal' | 'onProviderBatch'>; dispose(): void } {
  const cancel = new AbortController();
  const onAbort = (): void => {
    if (isCancelStop(signal.reason)) cancel.abort(signal.reason);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    options: { cancelSignal: cancel.signal, onProviderBatch: (wait) => hooks.progress({ type: 'waiting', wait }) },
    dispose: () => signal.removeEventListener('abort', onAbort),
  };
}

/** The price of a stored summary, when known. */
function costOf(record: SummaryRecord): { costUsd?: number } {
  const cost = record.summary?.costUsd;
  return typeof cost === 'number' && Number.isFinite(cost) ? { costUsd: cost } : {};
}
