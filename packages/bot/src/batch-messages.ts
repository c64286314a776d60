import { isJobEnded } from '@tubesum/core';
import type { BatchProcessor, BatchStore, JobSnapshot } from '@tubesum/core';
import type { REST } from 'discord.js';
import type { Logger } from './logger.js';
import { describeError } from './logger.js';
import { MessageEditor } from './message-editor.js';
import type { MessageLocation } from './message-editor.js';
import type { ProcessorPool } from './processor-pool.js';
import { renderProgressMessage } from './progress-message.js';
import { ProgressRecords } from './progress-records.js';
import type { StoredProgressMessage } from './progress-records.js';
import { deliverZip } from './zip-delivery.js';

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

/**
 * Keeps one progress message per batch up to date from the processors' events, delivers the
 * outcome and the ZIP at the end, and persists where each message is so a restart continues it.
 */
export class BatchMessages {
  readonly #options: BatchMessagesOptions;
  readonly #trackers = new Map<string, Tracker>();
  readonly #records: ProgressRecords;
  readonly #detach: (() => void)[] = [];
  #stopped = false;

  constructor(options: BatchMessagesOptions) {
    this.#options = options;
    this.#records = new ProgressRecords(options.store);
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
  async track(input: { job: JobSnapshot; model: string; location: MessageLocation; attachmentSizeLimit: number; withTranscripts?: boolean }): Promise<void> {
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
      await this.#records.addActive(record.jobId);
      await this.#records.save(tracker.record);
      // Events may have come while we were saving: start from the newest snapshot.
      tracker.job = await tracker.processor.get(record.jobId, { userId: record.userId });
      await tracker.editor.editNow(this.#render(tracker));
    })();
    await tracker.ready;
    if (isJobEnded(tracker.job.status)) await this.#finish(tracker, tracker.job);
  }

  /**
   * Picks up the messages of a previous run (call before `processor.resume()`): running jobs
   * keep being edited, ended jobs whose outcome was never sent get it now.
   */
  async restore(): Promise<void> {
    for (const jobId of await this.#records.listActive()) {
      if (this.#trackers.has(jobId)) continue;
      const record = await this.#records.load(jobId);
      if (!record || record.delivered) {
        await this.#records.removeActive(jobId);
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
      if (isJobEnded(job.status)) void this.#finish(tracker, job);
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
    if (!tracker || this.#stopped || !isJobEnded(job.status)) return Promise.resolve();
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
    await this.#records.idle();
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
          await this.#records.save(tracker.record);
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
        await deliverZip({
          processor: tracker.processor,
          job,
          userId,
          withTranscripts: tracker.record.withTranscripts,
          attachmentSizeLimit,
          editor: tracker.editor,
          finalMessage: (delivery) => renderProgressMessage({ job, items, delivery }),
          logger: this.#options.logger,
        });
        tracker.record = { ...tracker.record, delivered: true };
        await this.#records.markDelivered(tracker.record);
        this.#options.logger.info(`batch ${jobId} ended (${job.status}); outcome and ZIP sent`);
        // Nothing more to edit: forget it, so a long-running bot does not keep every batch in memory.
        if (this.#trackers.get(jobId) === tracker) this.#trackers.delete(jobId);
      } catch (error) {
        this.#options.logger.error(`could not send the outcome of batch ${jobId}: ${describeError(error)}`);
      }
    })();
    return tracker.finishing;
  }
}
