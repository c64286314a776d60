import type { BatchProcessor, BatchStore, JobSnapshot } from '@tubesum/core';
import { DiscordAPIError } from 'discord.js';
import type { REST } from 'discord.js';
import type { Logger } from './logger.js';
import { describeError } from './logger.js';
import { MessageEditor } from './message-editor.js';
import type { MessageLocation } from './message-editor.js';
import type { ProcessorPool } from './processor-pool.js';
import { renderNotice, renderProgressMessage } from './progress-message.js';
import { formatBytes, planZipDelivery, readPiece, writeZipToTempFile } from './zip-file.js';

export { formatBytes, planZipDelivery } from './zip-file.js';

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

/** Discord's default upload limit, used when an interaction did not say. */
export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;
const FILE_TOO_LARGE = 40005;

/** Discord's "Request entity too large": 40005, or a bare 413 from its edge. */
export function isFileTooLarge(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === FILE_TOO_LARGE || error.status === 413);
}

function zipAgainHint(jobId: string): string {
  return `Use \`/batch zip id:${jobId}\` to ask for it again.`;
}

/** What the final message says when Discord refused the ZIP. */
export function tooLargeLine(bytes: number, jobId: string): string {
  return `📦 Discord refused the ZIP (${formatBytes(bytes)}) as too large for this channel, so nothing is attached. ${zipAgainHint(jobId)}`;
}

export interface BatchMessagesOptions {
  rest: REST;
  /** Where the bot's records live (the default processor's store). */
  store: BatchStore;
  pool: ProcessorPool;
  editIntervalMs: number;
  tokenLifetimeMs: number;
  logger: Logger;
}

interface Tracker {
  record: StoredProgressMessage;
  processor: BatchProcessor;
  editor: MessageEditor;
  job: JobSnapshot;
  cancelling: boolean;
  /** The first render (which learns the message id); everything else waits for it. */
  ready: Promise<void>;
  finishing: Promise<void> | undefined;
}

/** A file name safe everywhere: `tubesum-<name or id>.zip`. */
export function zipFileName(job: Pick<JobSnapshot, 'id' | 'name'>): string {
  const base = (job.name ?? '')
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `tubesum-${base || job.id.slice(0, 8)}.zip`;
}

/**
 * Keeps one progress message per batch up to date from the processors' events, delivers the
 * outcome and the ZIP at the end, and persists where each message is so a restart continues it.
 */
export class BatchMessages {
  readonly #options: BatchMessagesOptions;
  readonly #trackers = new Map<string, Tracker>();
  readonly #detach: (() => void)[] = [];
  #indexWrites: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: BatchMessagesOptions) {
    this.#options = options;
    for (const [, processor] of options.pool.entries()) {
      const onProgress = (event: { jobId: string; progress: JobSnapshot['progress'] }) => this.#onProgress(event.jobId, event.progress);
      const onEnd = (event: { jobId: string; job: JobSnapshot }) => this.#onEnd(event.jobId, event.job);
      // A start (after a resume) or a pause changes the status, not only the counts.
      const onStatus = (event: { jobId: string; job: JobSnapshot }) => this.#onStatus(event.jobId, event.job);
      processor.on('batchProgress', onProgress);
      processor.on('batchStart', onStatus);
      processor.on('batchPause', onStatus);
      processor.on('batchEnd', onEnd);
      this.#detach.push(() => {
        processor.off('batchProgress', onProgress);
        processor.off('batchStart', onStatus);
        processor.off('batchPause', onStatus);
        processor.off('batchEnd', onEnd);
      });
    }
  }

  /** Starts the progress message of a job just submitted: renders it into the deferred reply. */
  async track(input: {
    job: JobSnapshot;
    model: string;
    location: MessageLocation;
    attachmentSizeLimit: number;
    withTranscripts?: boolean;
  }): Promise<void> {
    const record: StoredProgressMessage = {
      version: 1,
      jobId: input.job.id,
      userId: input.job.userId,
      model: input.model,
      location: input.location,
      attachmentSizeLimit: input.attachmentSizeLimit,
      delivered: false,
      ...(input.withTranscripts === true ? { withTranscripts: true } : {}),
    };
    const tracker = this.#createTracker(record, input.job);
    tracker.ready = (async () => {
      await this.#updateIndex((ids) => [...ids, record.jobId]);
      await this.#save(tracker.record);
      // Events may have come while we were saving: start from the newest snapshot.
      tracker.job = await tracker.processor.get(record.jobId, { userId: record.userId });
      await tracker.editor.editNow(this.#render(tracker));
    })();
    await tracker.ready;
    if (tracker.job.status === 'done' || tracker.job.status === 'cancelled') await this.#finish(tracker, tracker.job);
  }

  /**
   * Picks up the messages of a previous run (call before `processor.resume()`): running jobs
   * keep being edited, ended jobs whose outcome was never sent get it now.
   */
  async restore(): Promise<void> {
    const ids = (await this.#options.store.getCached<string[]>(BOT_KEYS.active)) ?? [];
    for (const jobId of ids) {
      if (this.#trackers.has(jobId)) continue;
      const record = await this.#options.store.getCached<StoredProgressMessage>(BOT_KEYS.message(jobId));
      if (!record || record.delivered) {
        await this.#updateIndex((list) => list.filter((id) => id !== jobId));
        continue;
      }
      let processor: BatchProcessor;
      let job: JobSnapshot;
      try {
        processor = this.#options.pool.get(record.model);
        job = await processor.get(jobId, { userId: record.userId });
      } catch (error) {
        this.#options.logger.warn(`cannot restore the message of batch ${jobId}: ${describeError(error)}`);
        continue;
      }
      const tracker = this.#createTracker(record, job);
      this.#options.logger.info(`continuing the progress message of batch ${jobId}`);
      // Fire and forget: #finish logs its own failures and never rejects.
      if (job.status === 'done' || job.status === 'cancelled') void this.#finish(tracker, job);
    }
  }

  /** Shows "Cancelling…" on the job's message. */
  markCancelling(jobId: string): void {
    const tracker = this.#trackers.get(jobId);
    if (!tracker || tracker.finishing) return;
    tracker.cancelling = true;
    tracker.editor.update(this.#render(tracker));
  }

  /**
   * The job ended without a `batchEnd` event reaching us (e.g. cancelled in the store before the
   * processor resumed it): delivers its outcome now. Does nothing when it is already delivered.
   */
  jobEnded(job: JobSnapshot): Promise<void> {
    const tracker = this.#trackers.get(job.id);
    if (!tracker || this.#stopped || (job.status !== 'done' && job.status !== 'cancelled')) return Promise.resolve();
    return this.#finish(tracker, job);
  }

  /** Number of batches whose message is being kept up to date (their outcome is not sent yet). */
  get tracked(): number {
    return this.#trackers.size;
  }

  /** Resolves once the job's final message was sent (or at once when the job is not tracked). */
  async delivered(jobId: string): Promise<void> {
    const tracker = this.#trackers.get(jobId);
    await tracker?.ready;
    await tracker?.finishing;
  }

  /** Stops editing (shutdown): pending progress edits are dropped, the next run continues the messages. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const detach of this.#detach) detach();
    for (const tracker of this.#trackers.values()) {
      if (!tracker.finishing) tracker.editor.stop();
    }
    const finishing = [...this.#trackers.values()].map((t) => t.finishing ?? t.editor.idle());
    await Promise.allSettled(finishing);
    await this.#indexWrites.catch(() => {});
  }

  #createTracker(record: StoredProgressMessage, job: JobSnapshot): Tracker {
    const tracker: Tracker = {
      record,
      processor: this.#options.pool.get(record.model),
      job,
      cancelling: false,
      ready: Promise.resolve(),
      finishing: undefined,
      editor: new MessageEditor({
        rest: this.#options.rest,
        location: record.location,
        intervalMs: this.#options.editIntervalMs,
        tokenLifetimeMs: this.#options.tokenLifetimeMs,
        logger: this.#options.logger,
        onLocationChange: async (location) => {
          tracker.record = { ...tracker.record, location };
          await this.#save(tracker.record);
        },
      }),
    };
    this.#trackers.set(record.jobId, tracker);
    return tracker;
  }

  #render(tracker: Tracker) {
    return renderProgressMessage({ job: tracker.job, cancelling: tracker.cancelling });
  }

  #onProgress(jobId: string, progress: JobSnapshot['progress']): void {
    const tracker = this.#trackers.get(jobId);
    if (!tracker || tracker.finishing || this.#stopped) return;
    tracker.job = { ...tracker.job, counts: progress.counts, progress };
    // A failed `ready` is reported to track()'s caller; here it only means there is no message to edit.
    tracker.ready.then(
      () => {
        if (!tracker.finishing) tracker.editor.update(this.#render(tracker));
      },
      () => undefined,
    );
  }

  #onStatus(jobId: string, job: JobSnapshot): void {
    const tracker = this.#trackers.get(jobId);
    if (!tracker || tracker.finishing || this.#stopped) return;
    tracker.job = job;
    // A failed `ready` is reported to track()'s caller; here it only means there is no message to edit.
    tracker.ready.then(
      () => {
        if (!tracker.finishing) tracker.editor.update(this.#render(tracker));
      },
      () => undefined,
    );
  }

  #onEnd(jobId: string, job: JobSnapshot): void {
    const tracker = this.#trackers.get(jobId);
    if (!tracker || this.#stopped) return;
    // Fire and forget: #finish logs its own failures and never rejects.
    void this.#finish(tracker, job);
  }

  #finish(tracker: Tracker, job: JobSnapshot): Promise<void> {
    // Stopping: the processors are closing; the next start delivers what is left.
    if (this.#stopped && tracker.finishing === undefined) return Promise.resolve();
    tracker.finishing ??= (async () => {
      await tracker.ready.catch(() => {});
      tracker.job = job;
      const { jobId, userId, attachmentSizeLimit } = tracker.record;
      try {
        const items = await tracker.processor.items(jobId, { userId });
        // The ZIP goes to a temporary file; each upload reads only its own piece of it.
        const zip = await writeZipToTempFile(tracker.processor, jobId, userId, { withTranscripts: tracker.record.withTranscripts });
        try {
          const plan = planZipDelivery(zip.size, zipFileName(job), attachmentSizeLimit);
          try {
            const attached = await Promise.all(plan.attached.map((piece) => readPiece(zip.path, piece)));
            await tracker.editor.finish(renderProgressMessage({ job, items, delivery: plan.lines }), attached);
          } catch (error) {
            if (!isFileTooLarge(error)) throw error;
            // Discord's real limit was lower than the interaction said: the outcome without the file.
            this.#options.logger.warn(`Discord refused the ZIP of batch ${jobId} (${formatBytes(zip.size)}) as too large`);
            await tracker.editor.finish(renderProgressMessage({ job, items, delivery: [tooLargeLine(zip.size, job.id)] }));
          }
          for (const [index, part] of plan.parts.entries()) {
            try {
              await tracker.editor.postAnother(renderNotice(`Part ${index + 1} of ${plan.parts.length}: \`${part.name}\``), [await readPiece(zip.path, part)]);
            } catch (error) {
              if (!isFileTooLarge(error)) throw error;
              this.#options.logger.warn(`Discord refused part ${index + 1} of the ZIP of batch ${jobId} as too large`);
              await tracker.editor.postAnother(
                renderNotice(`📦 Discord refused part ${index + 1} of ${plan.parts.length} as too large; the remaining parts were not sent. ${zipAgainHint(job.id)}`),
              );
              break;
            }
          }
        } finally {
          await zip.dispose();
        }
        tracker.record = { ...tracker.record, delivered: true };
        await this.#save(tracker.record);
        await this.#updateIndex((ids) => ids.filter((id) => id !== jobId));
        this.#options.logger.info(`batch ${jobId} ended (${job.status}); outcome and ZIP sent`);
        // Nothing more to edit: forget it, so a long-running bot does not keep every batch in memory.
        if (this.#trackers.get(jobId) === tracker) this.#trackers.delete(jobId);
      } catch (error) {
        this.#options.logger.error(`could not send the outcome of batch ${jobId}: ${describeError(error)}`);
      }
    })();
    return tracker.finishing;
  }

  async #save(record: StoredProgressMessage): Promise<void> {
    await this.#options.store.setCached(BOT_KEYS.message(record.jobId), record);
  }

  /** Read-modify-write of the active index, one at a time. */
  #updateIndex(change: (ids: string[]) => string[]): Promise<void> {
    const write = this.#indexWrites.then(async () => {
      const ids = (await this.#options.store.getCached<string[]>(BOT_KEYS.active)) ?? [];
      await this.#options.store.setCached(BOT_KEYS.active, [...new Set(change(ids))]);
    });
    this.#indexWrites = write.catch(() => {});
    return write;
  }
}
