import { FairLimiter } from '../internal/fair-limiter.js';
import type { ItemExecutor, ItemHooks, ItemResult, ItemStage, ItemTask } from './item-executor.js';
import { ItemStages } from './item-stages.js';
import type { ItemStagesOptions } from './item-stages.js';

/**
 * The default executor: every item's stages run in this process, within two limits shared by all
 * batches of the processor and fair between them (a slot that frees goes to the next batch in turn).
 */
export class LocalItemExecutor implements ItemExecutor {
  readonly capacity: number;
  readonly #stages: ItemStages;
  readonly #slots: Record<ItemStage, FairLimiter>;
  /** Signals already watched: a batch's stop rejects its work waiting for a slot once. */
  readonly #watched = new WeakSet<AbortSignal>();

  constructor(options: Omit<ItemStagesOptions, 'gate'> & { concurrency: Record<ItemStage, number>; prefetch: number }) {
    const { concurrency, prefetch, ...stages } = options;
    this.#slots = { transcript: new FairLimiter(concurrency.transcript), summary: new FairLimiter(concurrency.summary) };
    // Items admitted into the pipeline at once: enough to keep both stages busy, few enough
    // that a 10,000-video batch never holds 10,000 transcripts in memory.
    this.capacity = concurrency.transcript + concurrency.summary + prefetch;
    this.#stages = new ItemStages({ ...stages, gate: (stage, task, work) => this.#slots[stage].run(task.job.id, work) });
  }

  async run(task: ItemTask, signal: AbortSignal, hooks: ItemHooks): Promise<ItemResult> {
    this.#watch(task.job.id, signal);
    const { transcript, key } = await this.#stages.transcript(task, signal, hooks);
    hooks.progress({ type: 'transcript', transcriptKey: key, ...(transcript.title === undefined ? {} : { title: transcript.title }) });
    const summary = await this.#stages.summary(task, transcript, signal, hooks);
    return { summaryKey: summary.key, cached: summary.cached, ...(summary.costUsd === undefined ? {} : { costUsd: summary.costUsd }) };
  }

  #watch(jobId: string, signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    this.#watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const limiter of Object.values(this.#slots)) limiter.cancel(jobId, signal.reason);
      },
      { once: true },
    );
  }
}
