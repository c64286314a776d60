// One Message Batch in this process: who waits on which of its requests, its polling with backoff,
// its results streamed into the store one at a time, and its cancel.
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import { ErrorCode, TubesumError, cancelledError } from '../../errors.js';
import { sleep } from '../../internal/abort.js';
import { describeAnthropicError } from './anthropic-message.js';
import type { AnthropicMessageBatches, ProviderBatchResult, ProviderBatchStatus } from './anthropic-message-batches.js';
import type { ProviderFailure } from './provider-error.js';
import type { ProviderBatchRecord, ProviderBatchRecords, StoredProviderResult } from './provider-batch-records.js';
import type { ProviderBatchWait } from '../summarizer.js';

/** Most Message Batches end within an hour. */
export const ANTHROPIC_BATCH_TYPICAL_MS = 3_600_000;

export interface BatchQueueSettings {
  maxRequests: number;
  maxBytes: number;
  windowMs: number;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
}

/** One caller's wait for one request. */
export interface BatchWaitOptions {
  signal: AbortSignal;
  cancelSignal?: AbortSignal | undefined;
  onWait?: ((wait: ProviderBatchWait) => void) | undefined;
  /** Maps a provider failure to the caller's error (with its video id). */
  fail: (failure: ProviderFailure) => TubesumError;
  videoId?: string | undefined;
}

export interface Waiter {
  resolve(answer: StoredProviderResult): void;
  reject(error: unknown): void;
  options: BatchWaitOptions;
}

export interface Pending {
  key: string;
  params: MessageCreateParamsNonStreaming;
  bytes: number;
  expiredResubmits: number;
  waiters: Set<Waiter>;
}

/** One provider batch in this process: its waiters, its polling, its results. */
export class BatchTracker {
  readonly #batches: AnthropicMessageBatches;
  readonly #records: ProviderBatchRecords;
  readonly #settings: BatchQueueSettings;
  readonly #record: ProviderBatchRecord;
  /** Takes this tracker out of the queue's map: it stopped, or nobody waits on it any more. */
  onEnd: () => void = () => {};
  readonly #waiters = new Map<string, Set<Waiter>>();
  /** Aborted when nobody waits any more and the batch is not being cancelled: polling stops. */
  readonly #idle = new AbortController();
  #cancelWanted = false;
  #cancelSent = false;
  #started = false;
  /** Every failure is handed to the waiters: this promise does not reject. */
  #ended: Promise<void> = Promise.resolve();
  /** True when the batch was found by searching, not recorded: its results must carry our token. */
  #recovered = false;

  constructor(batches: AnthropicMessageBatches, records: ProviderBatchRecords, settings: BatchQueueSettings, record: ProviderBatchRecord) {
    this.#batches = batches;
    this.#records = records;
    this.#settings = settings;
    this.#record = record;
  }

  adopt(customId: string, waiter: Waiter): void {
    const set = this.#waiters.get(customId) ?? new Set<Waiter>();
    set.add(waiter);
    this.#waiters.set(customId, set);
    const { signal } = waiter.options;
    const onAbort = (): void => this.#leave(customId, waiter);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = waiter.resolve;
    const fail = waiter.reject;
    waiter.resolve = (value) => {
      signal.removeEventListener('abort', onAbort);
      settle(value);
    };
    waiter.reject = (error) => {
      signal.removeEventListener('abort', onAbort);
      fail(error);
    };
    this.#notify(waiter);
  }

  wait(customId: string, options: BatchWaitOptions): Promise<StoredProviderResult> {
    if (options.signal.aborted) return Promise.reject(cancelledError(options.signal));
    return new Promise((resolve, reject) => this.adopt(customId, { resolve, reject, options }));
  }

  /** Marks, creates, records: in this order, so a crash anywhere leaves something to resume from. */
  async submit(taken: readonly Pending[]): Promise<void> {
    const record = this.#record;
    try {
      await this.#records.saveBatch(record);
      for (const [index, entry] of taken.entries()) {
        await this.#records.saveRequest(entry.key, { version: 1, token: record.token, index, expiredResubmits: entry.expiredResubmits });
      }
    } catch (error) {
      return this.#failAll(() => error);
    }
    let status: ProviderBatchStatus;
    try {
      status = await this.#batches.submit(
        record.token,
        taken.map((entry) => entry.params),
      );
    } catch (error) {
      const failure = describeAnthropicError(error);
      // A refusal created nothing; after a lost connection the batch may exist: the marker stays for a resume to find it.
      if (failure.kind === 'http' && failure.status !== undefined && failure.status < 500) {
        record.state = 'failed';
        await this.#records.saveBatch(record).catch(() => {});
      }
      return this.#failAll((waiter) => waiter.options.fail(failure));
    }
    record.batchId = status.id;
    record.submittedAt = status.createdAt;
    record.state = 'submitted';
    try {
      await this.#records.saveBatch(record);
    } catch (error) {
      // The batch runs and this process polls it; should it die, the marker finds the batch again.
      process.emitWarning(`tubesum: could not record Anthropic batch ${status.id}: ${String(error)}`);
    }
    this.start();
  }

  /** Finds the batch of a marker whose creation was never recorded; false when there is none. */
  async recover(fail: (failure: ProviderFailure) => TubesumError): Promise<boolean> {
    const record = this.#record;
    const markedMs = Date.parse(record.markedAt);
    let candidates: ProviderBatchStatus[];
    try {
      candidates = await this.#batches.findCreated(new Date(markedMs - 60_000), record.keys.length);
    } catch (error) {
      throw fail(describeAnthropicError(error));
    }
    // The first one created after the marker; its results must carry our token (checked as they stream).
    const mine = candidates.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt)).find((batch) => Date.parse(batch.createdAt) >= markedMs - 60_000);
    if (!mine) {
      record.state = 'lost';
      await this.#records.saveBatch(record);
      return false;
    }
    this.#recovered = true;
    record.batchId = mine.id;
    record.submittedAt = mine.createdAt;
    record.state = 'submitted';
    await this.#records.saveBatch(record);
    return true;
  }

  /** True while the batch is being cancelled: nobody new should wait on it. */
  get cancelling(): boolean {
    return this.#cancelWanted || this.#record.cancelRequested === true;
  }

  /** Settles once this tracker stopped (its results stored, or nobody waits any more). */
  get ended(): Promise<void> {
    return this.#ended;
  }

  drainCancelled(): void {
    this.#cancelWanted = true;
    this.#cancelSent = true;
    this.start();
  }

  /** Polls the provider batch once its id is known (a tracker still submitting starts itself). */
  start(): void {
    if (this.#started || this.#record.batchId === undefined) return;
    this.#started = true;
    for (const set of this.#waiters.values()) for (const waiter of set) this.#notify(waiter);
    this.#ended = this.#run()
      .catch((error: unknown) => this.#failAll(() => error))
      .finally(() => this.onEnd());
  }

  async #run(): Promise<void> {
    const record = this.#record;
    const id = record.batchId!;
    if (this.#waiters.size === 0 && !this.#cancelWanted) return;
    await this.#maybeCancel();
    let ended: ProviderBatchStatus | undefined;
    for (;;) {
      try {
        ended = await this.#batches.waitUntilEnded(id, {
          intervalMs: this.#settings.pollIntervalMs,
          maxIntervalMs: this.#settings.maxPollIntervalMs,
          signal: this.#idle.signal,
          keepGoing: () => this.#waiters.size > 0 || this.#cancelWanted,
          onPoll: () => this.#notifyAll(),
        });
        break;
      } catch (error) {
        if (this.#idle.signal.aborted) return;
        if (!(await this.#transient(error))) return;
      }
    }
    if (!ended) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#stream(id);
        break;
      } catch (error) {
        if (attempt >= 3 || !(await this.#transient(error))) return;
      }
    }
    record.state = 'ended';
    await this.#records.saveBatch(record).catch(() => {});
  }

  /** Waits a poll interval after a transient failure and says to go on; fails every waiter after a lasting one. */
  async #transient(error: unknown): Promise<boolean> {
    const failure = describeAnthropicError(error);
    const transient =
      failure.kind === 'connection' ||
      failure.kind === 'timeout' ||
      failure.kind === 'malformed' ||
      (failure.kind === 'http' && failure.status !== undefined && (failure.status >= 500 || failure.status === 429 || failure.status === 408));
    if (transient) {
      await sleep(this.#settings.pollIntervalMs, this.#idle.signal).catch(() => {});
      return !this.#idle.signal.aborted;
    }
    this.#failAll((waiter) => waiter.options.fail(failure));
    return false;
  }

  async #stream(id: string): Promise<void> {
    const token = this.#record.token;
    let ours = 0;
    for await (const result of this.#batches.results(id)) {
      if (!result.customId.startsWith(`${token}-`)) continue;
      ours += 1;
      const stored = storedResult(result);
      // Stored before it is handed on: a crash now loses nothing, and nothing is paid twice.
      await this.#records.saveResult(result.customId, stored);
      const waiting = this.#waiters.get(result.customId);
      this.#waiters.delete(result.customId);
      for (const waiter of waiting ?? []) waiter.resolve(stored);
    }
    if (ours === 0 && this.#recovered) {
      // The batch found by searching was someone else's: ours was never created. Send again.
      this.#record.state = 'lost';
      await this.#records.saveBatch(this.#record);
    }
    this.#failAll(
      (waiter) =>
        new TubesumError(ErrorCode.PROVIDER_ERROR, `Anthropic's batch ${id} ended without a result for this request; it is sent again.`, {
          retryable: true,
          videoId: waiter.options.videoId,
          details: { batchId: id },
        }),
    );
  }

  #leave(customId: string, waiter: Waiter): void {
    const set = this.#waiters.get(customId);
    set?.delete(waiter);
    if (set?.size === 0) this.#waiters.delete(customId);
    if (waiter.options.cancelSignal?.aborted) this.#cancelWanted = true;
    waiter.reject(cancelledError(waiter.options.signal));
    if (this.#waiters.size > 0) return;
    if (this.#cancelWanted) {
      // Failures are reported as warnings inside; this promise does not reject.
      void this.#maybeCancel();
      return;
    }
    // Paused or closed: stop polling; a later request finds the batch again from the store.
    this.onEnd();
    this.#idle.abort();
  }

  /** Cancels the provider batch once nobody waits and a waiter asked for it; its succeeded results are still stored. */
  async #maybeCancel(): Promise<void> {
    const id = this.#record.batchId;
    if (!this.#cancelWanted || this.#waiters.size > 0 || this.#cancelSent || id === undefined) return;
    this.#cancelSent = true;
    try {
      await this.#batches.cancel(id);
      this.#record.cancelRequested = true;
      await this.#records.saveBatch(this.#record);
    } catch (error) {
      process.emitWarning(`tubesum: could not cancel Anthropic batch ${id}: ${String(error)}`);
    }
  }

  #notify(waiter: Waiter): void {
    const { batchId, submittedAt } = this.#record;
    waiter.options.onWait?.({
      provider: 'Anthropic',
      phase: batchId === undefined ? 'collecting' : 'submitted',
      ...(batchId === undefined ? {} : { batchId }),
      ...(submittedAt === undefined ? {} : { submittedAt }),
      typicalMs: ANTHROPIC_BATCH_TYPICAL_MS,
    });
  }

  #notifyAll(): void {
    for (const set of this.#waiters.values()) for (const waiter of set) this.#notify(waiter);
  }

  #failAll(errorFor: (waiter: Waiter) => unknown): void {
    const waiting = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const set of waiting) for (const waiter of set) waiter.reject(errorFor(waiter));
  }
}

function storedResult(result: ProviderBatchResult): StoredProviderResult {
  switch (result.type) {
    case 'succeeded':
      return { type: 'succeeded', message: result.message };
    case 'errored':
      return { type: 'errored', error: result.error };
    case 'expired':
    case 'canceled':
      return { type: result.type };
  }
}
