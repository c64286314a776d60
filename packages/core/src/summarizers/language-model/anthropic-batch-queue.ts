// Batch mode's engine: requests collected as they come and sent as Message Batches (by count, by
// bytes, and after a time window), each batch polled with backoff, its results streamed into the
// store one at a time and handed to whoever waits for them. Durable: see provider-batch-records.ts.
import { createHash, randomBytes } from 'node:crypto';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import { cancelledError } from '../../errors.js';
import { AnthropicMessageBatches } from './anthropic-message-batches.js';
import { ANTHROPIC_BATCH_TYPICAL_MS, BatchTracker } from './anthropic-batch-tracker.js';
import type { BatchQueueSettings, BatchWaitOptions, Pending, Waiter } from './anthropic-batch-tracker.js';
import type { ProviderBatchRecord, ProviderBatchRecords, StoredProviderResult } from './provider-batch-records.js';

/** A request answered by a batch, with where it was found (to mark it for another try). */
export interface BatchAnswer {
  result: StoredProviderResult;
  expiredResubmits: number;
}

/** The key of a request in the store: the same prompt to the same model is the same request. */
export function requestKey(params: MessageCreateParamsNonStreaming): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('base64url');
}

export class AnthropicBatchQueue {
  readonly #batches: AnthropicMessageBatches;
  readonly #records: ProviderBatchRecords;
  readonly #settings: BatchQueueSettings;
  readonly #pending = new Map<string, Pending>();
  #pendingBytes = 0;
  #window: NodeJS.Timeout | undefined;
  readonly #trackers = new Map<string, Promise<BatchTracker | undefined>>();
  /** Requests of batches being submitted by this process, before their index is stored: asked again meanwhile, they join. */
  readonly #submitting = new Map<string, { tracker: BatchTracker; customId: string; expiredResubmits: number }>();

  constructor(batches: AnthropicMessageBatches, records: ProviderBatchRecords, settings: BatchQueueSettings) {
    this.#batches = batches;
    this.#records = records;
    this.#settings = settings;
  }

  /** The result of `params`: a stored one, the one of the batch it was sent in before, or of a new batch. */
  async request(key: string, params: MessageCreateParamsNonStreaming, options: BatchWaitOptions): Promise<BatchAnswer> {
    for (;;) {
      const joined = this.#submitting.get(key);
      if (joined) return { result: await joined.tracker.wait(joined.customId, options), expiredResubmits: joined.expiredResubmits };
      const index = await this.#records.getRequest(key);
      if (index && !index.stale) {
        const customId = AnthropicMessageBatches.customId(index.token, index.index);
        const stored = await this.#records.getResult(customId);
        // A request whose batch was cancelled was never answered: asked again, it is sent again.
        if (stored && stored.type !== 'canceled') return { result: stored, expiredResubmits: index.expiredResubmits };
        const tracker = stored ? undefined : await this.#tracker(index.token, options);
        if (tracker?.cancelling) {
          // Being cancelled: wait until its results are stored, then look again (a succeeded one is not paid twice).
          await tracker.ended;
          continue;
        }
        if (tracker) {
          const result = tracker.wait(customId, options);
          tracker.start();
          return { result: await result, expiredResubmits: index.expiredResubmits };
        }
      }
      return { result: await this.#enqueue(key, params, options, index?.expiredResubmits ?? 0), expiredResubmits: index?.expiredResubmits ?? 0 };
    }
  }

  /** Marks a request to be sent again by the next {@link request} (a transient error, an expiry). */
  async resubmitLater(key: string, expiredResubmits: number): Promise<void> {
    const index = await this.#records.getRequest(key);
    if (index) await this.#records.saveRequest(key, { ...index, stale: true, expiredResubmits });
  }

  #enqueue(key: string, params: MessageCreateParamsNonStreaming, options: BatchWaitOptions, expiredResubmits: number): Promise<StoredProviderResult> {
    if (options.signal.aborted) return Promise.reject(cancelledError(options.signal));
    return new Promise<StoredProviderResult>((resolve, reject) => {
      let pending = this.#pending.get(key);
      if (!pending) {
        const bytes = Buffer.byteLength(JSON.stringify(params)) + 100;
        if (this.#pending.size > 0 && this.#pendingBytes + bytes > this.#settings.maxBytes) this.#flush();
        pending = { key, params, bytes, expiredResubmits, waiters: new Set() };
        this.#pending.set(key, pending);
        this.#pendingBytes += bytes;
      }
      const waiter: Waiter = { resolve, reject, options };
      pending.waiters.add(waiter);
      const entry = pending;
      const onAbort = (): void => {
        entry.waiters.delete(waiter);
        if (entry.waiters.size === 0 && this.#pending.get(key) === entry) {
          this.#pending.delete(key);
          this.#pendingBytes -= entry.bytes;
        }
        reject(cancelledError(options.signal));
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      const settle = waiter.resolve;
      const fail = waiter.reject;
      waiter.resolve = (value) => {
        options.signal.removeEventListener('abort', onAbort);
        settle(value);
      };
      waiter.reject = (error) => {
        options.signal.removeEventListener('abort', onAbort);
        fail(error);
      };
      options.onWait?.({ provider: 'Anthropic', phase: 'collecting', typicalMs: ANTHROPIC_BATCH_TYPICAL_MS });
      if (this.#pending.size >= this.#settings.maxRequests) this.#flush();
      else if (this.#window === undefined) {
        this.#window = setTimeout(() => this.#flush(), this.#settings.windowMs);
        this.#window.unref();
      }
    });
  }

  /** Sends what was collected as one batch. */
  #flush(): void {
    clearTimeout(this.#window);
    this.#window = undefined;
    const taken = [...this.#pending.values()];
    this.#pending.clear();
    this.#pendingBytes = 0;
    if (taken.length === 0) return;
    const token = `tb${randomBytes(9).toString('base64url')}`;
    const record: ProviderBatchRecord = { version: 1, token, markedAt: new Date().toISOString(), state: 'submitting', keys: taken.map((entry) => entry.key) };
    const tracker = new BatchTracker(this.#batches, this.#records, this.#settings, record);
    const entry = Promise.resolve(tracker);
    tracker.onEnd = () => this.#forget(token, entry);
    this.#trackers.set(token, entry);
    for (const [index, pending] of taken.entries()) {
      this.#submitting.set(pending.key, { tracker, customId: AnthropicMessageBatches.customId(token, index), expiredResubmits: pending.expiredResubmits });
    }
    const submitted = (): void => {
      for (const pending of taken) if (this.#submitting.get(pending.key)?.tracker === tracker) this.#submitting.delete(pending.key);
    };
    for (const [index, pending] of taken.entries()) {
      for (const waiter of pending.waiters) tracker.adopt(AnthropicMessageBatches.customId(token, index), waiter);
    }
    // Failures reach every waiter through the tracker; this promise does not reject.
    void tracker.submit(taken).finally(submitted);
  }

  /** The tracker of a stored submission, recovering one whose creation was never confirmed. */
  #tracker(token: string, options: BatchWaitOptions): Promise<BatchTracker | undefined> {
    const found = this.#trackers.get(token);
    if (found) return found;
    const entry: Promise<BatchTracker | undefined> = this.#load(token, options, () => this.#forget(token, entry)).catch((error: unknown) => {
      this.#forget(token, entry);
      throw error;
    });
    this.#trackers.set(token, entry);
    return entry;
  }

  #forget(token: string, entry: Promise<BatchTracker | undefined>): void {
    if (this.#trackers.get(token) === entry) this.#trackers.delete(token);
  }

  async #load(token: string, options: BatchWaitOptions, forget: () => void): Promise<BatchTracker | undefined> {
    const record = await this.#records.getBatch(token);
    if (!record || record.state === 'failed' || record.state === 'lost') {
      forget();
      return undefined;
    }
    const tracker = new BatchTracker(this.#batches, this.#records, this.#settings, record);
    tracker.onEnd = forget;
    if (record.cancelRequested === true && record.state === 'submitted') {
      // Cancelled before this process started: drain its results into the store.
      tracker.drainCancelled();
      return tracker;
    }
    if (record.state === 'submitting' && !(await tracker.recover(options.fail))) {
      forget();
      return undefined;
    }
    return tracker;
  }
}
