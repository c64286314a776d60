import type { BatchStore } from '@tubesum/core';
import type { MessageLocation } from './message-editor.js';

/** What the bot persists per batch so a restarted bot keeps editing the same message. */
export interface StoredProgressMessage {
  version: 1;
  jobId: string;
  userId: string;
  model: string;
  location: MessageLocation;
  /** `interaction.attachmentSizeLimit` of the interaction that started the batch. */
  attachmentSizeLimit: number;
  /** True once the final message (and the ZIP) was sent. */
  delivered: boolean;
  /** The ZIP holds each transcript too (`/batch run transcripts:True`). */
  withTranscripts?: boolean;
}

/** Store keys of the bot's own records, beside the processor's data. */
export const BOT_KEYS = {
  message: (jobId: string) => `bot:message:v1:${jobId}`,
  /** Job ids whose final message is not delivered yet. */
  active: 'bot:active:v1',
} as const;

/**
 * The bot's records in the store: one {@link StoredProgressMessage} per batch, and the index of
 * the batches whose outcome is not delivered yet (what a restarted bot picks up).
 */
export class ProgressRecords {
  readonly #store: BatchStore;
  #indexWrites: Promise<unknown> = Promise.resolve();

  constructor(store: BatchStore) {
    this.#store = store;
  }

  async save(record: StoredProgressMessage): Promise<void> {
    await this.#store.setCached(BOT_KEYS.message(record.jobId), record);
  }

  async load(jobId: string): Promise<StoredProgressMessage | undefined> {
    return this.#store.getCached<StoredProgressMessage>(BOT_KEYS.message(jobId));
  }

  /** Job ids whose final message is not delivered yet. */
  async listActive(): Promise<string[]> {
    return (await this.#store.getCached<string[]>(BOT_KEYS.active)) ?? [];
  }

  /** Adds `jobId` to the index of undelivered batches. */
  addActive(jobId: string): Promise<void> {
    return this.#updateIndex((ids) => [...ids, jobId]);
  }

  /** Takes `jobId` out of the index of undelivered batches. */
  removeActive(jobId: string): Promise<void> {
    return this.#updateIndex((ids) => ids.filter((id) => id !== jobId));
  }

  /** Saves the record as delivered and takes it out of the index of undelivered batches. */
  async markDelivered(record: StoredProgressMessage): Promise<void> {
    await this.save({ ...record, delivered: true });
    await this.removeActive(record.jobId);
  }

  /** Resolves once the index writes started so far are done (failed ones included). */
  async idle(): Promise<void> {
    await this.#indexWrites.catch(() => {});
  }

  /** Read-modify-write of the active index, one at a time. */
  #updateIndex(change: (ids: string[]) => string[]): Promise<void> {
    const write = this.#indexWrites.then(async () => {
      const ids = await this.listActive();
      await this.#store.setCached(BOT_KEYS.active, [...new Set(change(ids))]);
    });
    this.#indexWrites = write.catch(() => {});
    return write;
  }
}
