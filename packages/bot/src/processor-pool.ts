import { ErrorCode, TubesumError, isTubesumError } from '@tubesum/core';
import type { BatchProcessor, JobSnapshot, Requester } from '@tubesum/core';

/** When a job goes through Anthropic's Message Batches API (`TUBESUM_ANTHROPIC_BATCH`). */
export interface BatchRouting {
  mode: 'on' | 'auto';
  /** With `auto`: from this many videos on. */
  minVideos: number;
}

/** The pool key of a model's processor in batch mode (also what its jobs' progress records name). */
export function batchKeyOf(model: string): string {
  return `${model}+batch`;
}

/**
 * The bot's batch processors, one per model a user may pick (each with its own store
 * namespace, so a restart resumes every job with the model it started with), and one more per
 * model in Anthropic's batch mode when `TUBESUM_ANTHROPIC_BATCH` is `on` or `auto`.
 */
export class ProcessorPool {
  readonly #processors: ReadonlyMap<string, BatchProcessor>;
  readonly #batch: BatchRouting | undefined;
  readonly defaultModel: string;

  constructor(processors: ReadonlyMap<string, BatchProcessor>, batch?: BatchRouting) {
    const first = [...processors.keys()][0];
    if (first === undefined) throw new TubesumError(ErrorCode.INVALID_OPTIONS, 'Expected at least one processor, got none.');
    this.#processors = processors;
    this.#batch = batch;
    this.defaultModel = first;
  }

  /** The models a user may pick (batch mode is chosen for them, not picked). */
  get models(): string[] {
    return [...this.#processors.keys()].filter((key) => !this.#isBatchKey(key));
  }

  /**
   * The processor for a new job of `model` with about `videos` videos: the model's batch-mode one
   * with `on`, or with `auto` from `minVideos` on; else the request/response one.
   */
  choose(model: string, videos: number): { key: string; processor: BatchProcessor } {
    const batchKey = batchKeyOf(model);
    const batch = this.#batch !== undefined && this.#processors.has(batchKey) && (this.#batch.mode === 'on' || videos >= this.#batch.minVideos);
    const key = batch ? batchKey : model;
    return { key, processor: this.get(key) };
  }

  #isBatchKey(key: string): boolean {
    return key.endsWith('+batch') && this.#processors.has(key.slice(0, -'+batch'.length));
  }

  /** The default processor: its store also keeps the bot's own records. */
  get default(): BatchProcessor {
    return this.#processors.get(this.defaultModel)!;
  }

  entries(): [string, BatchProcessor][] {
    return [...this.#processors];
  }

  /** The processor of `model` (the default one when omitted). */
  get(model: string | undefined): BatchProcessor {
    const processor = this.#processors.get(model ?? this.defaultModel);
    if (!processor) {
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `Unknown model \`${String(model)}\`; this bot offers ${this.models.map((m) => `\`${m}\``).join(', ')}.`,
      );
    }
    return processor;
  }

  /** The job and its processor; NOT_FOUND when no processor has it for this user. */
  async find(jobId: string, requester: Requester): Promise<{ model: string; processor: BatchProcessor; job: JobSnapshot }> {
    for (const [model, processor] of this.#processors) {
      try {
        return { model, processor, job: await processor.get(jobId, requester) };
      } catch (error) {
        if (!isTubesumError(error, ErrorCode.NOT_FOUND)) throw error;
      }
    }
    throw new TubesumError(ErrorCode.NOT_FOUND, `No batch with id \`${jobId.slice(0, 80)}\` for you.`);
  }

  /** The user's jobs over every model, newest first. */
  async list(requester: Requester): Promise<JobSnapshot[]> {
    const lists = await Promise.all([...this.#processors.values()].map((processor) => processor.list(requester)));
    return lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}
