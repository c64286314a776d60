import { ErrorCode, TubesumError, isTubesumError } from '@tubesum/core';
import type { BatchProcessor, JobSnapshot, Requester } from '@tubesum/core';

/**
 * The bot's batch processors, one per model a user may pick (each with its own store
 * namespace, so a restart resumes every job with the model it started with).
 */
export class ProcessorPool {
  readonly #processors: ReadonlyMap<string, BatchProcessor>;
  readonly defaultModel: string;

  constructor(processors: ReadonlyMap<string, BatchProcessor>) {
    const first = [...processors.keys()][0];
    if (first === undefined) throw new TubesumError(ErrorCode.INVALID_OPTIONS, 'Expected at least one processor, got none.');
    this.#processors = processors;
    this.defaultModel = first;
  }

  get models(): string[] {
    return [...this.#processors.keys()];
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
