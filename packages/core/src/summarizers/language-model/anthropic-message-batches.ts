// A thin layer over the SDK's `messages.batches`: ids we can find again, polling with backoff,
// results one line at a time, and the search for a batch whose creation was never recorded.
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import { sleep } from '../../internal/abort.js';

/** A `custom_id` as the Message Batches API accepts it: 1 to 64 of `[A-Za-z0-9_-]`. */
const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What a provider batch is doing, as `retrieve` reports it. */
export interface ProviderBatchStatus {
  id: string;
  processingStatus: 'in_progress' | 'canceling' | 'ended';
  createdAt: string;
  endedAt: string | undefined;
  requestCounts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
}

/** One line of a batch's results. */
export type ProviderBatchResult =
  | { customId: string; type: 'succeeded'; message: unknown }
  | { customId: string; type: 'errored'; error: { type?: string | undefined; message?: string | undefined } }
  | { customId: string; type: 'expired' }
  | { customId: string; type: 'canceled' };

const statusSchema = z
  .object({
    id: z.string().min(1),
    processing_status: z.enum(['in_progress', 'canceling', 'ended']),
    created_at: z.string(),
    ended_at: z.string().nullish(),
    request_counts: z.object({
      processing: z.number(),
      succeeded: z.number(),
      errored: z.number(),
      canceled: z.number(),
      expired: z.number(),
    }),
  })
  .loose();

const resultSchema = z.object({
  custom_id: z.string(),
  result: z.discriminatedUnion('type', [
    z.object({ type: z.literal('succeeded'), message: z.unknown() }).loose(),
    z
      .object({
        type: z.literal('errored'),
        // `{ type: 'error', error: { type, message } }`; older answers put the error itself here.
        error: z
          .object({
            type: z.string().optional(),
            message: z.string().optional(),
            error: z.object({ type: z.string().optional(), message: z.string().optional() }).loose().optional(),
          })
          .loose(),
      })
      .loose(),
    z.object({ type: z.literal('expired') }).loose(),
    z.object({ type: z.literal('canceled') }).loose(),
  ]),
});

/** Polling of one batch: the first wait, how much it grows, and its cap. */
export interface PollOptions {
  intervalMs: number;
  maxIntervalMs: number;
  signal?: AbortSignal | undefined;
  /** Called after every `retrieve` that found the batch still running. */
  onPoll?: ((status: ProviderBatchStatus) => void) | undefined;
  /** Keeps polling while it returns true; polling stops (resolving undefined) once it returns false. */
  keepGoing?: (() => boolean) | undefined;
}

/** Message Batches through an SDK client. Every call may throw the SDK's errors: callers map them. */
export class AnthropicMessageBatches {
  readonly #client: Anthropic;

  constructor(client: Anthropic) {
    this.#client = client;
  }

  /** The custom id of request `index` of the submission `token`: unique within the batch, and names the submission. */
  static customId(token: string, index: number): string {
    const id = `${token}-${index}`;
    if (!CUSTOM_ID.test(id)) throw new RangeError(`Invalid custom_id ${JSON.stringify(id)}: 1 to 64 of [A-Za-z0-9_-] expected.`);
    return id;
  }

  /** Creates one batch of `params`, request `i` with the custom id {@link customId}(token, i). */
  async submit(token: string, params: readonly MessageCreateParamsNonStreaming[], signal?: AbortSignal): Promise<ProviderBatchStatus> {
    const requests = params.map((request, index) => ({ custom_id: AnthropicMessageBatches.customId(token, index), params: request }));
    const batch = await this.#client.messages.batches.create({ requests }, signal ? { signal } : {});
    return parseStatus(batch);
  }

  async retrieve(id: string, signal?: AbortSignal): Promise<ProviderBatchStatus> {
    return parseStatus(await this.#client.messages.batches.retrieve(id, {}, signal ? { signal } : {}));
  }

  async cancel(id: string): Promise<ProviderBatchStatus> {
    return parseStatus(await this.#client.messages.batches.cancel(id));
  }

  /**
   * Polls until the batch ended: `intervalMs` first, then 1.5 times longer each time up to
   * `maxIntervalMs`. A failed `retrieve` throws: the caller decides whether to poll again.
   */
  async waitUntilEnded(id: string, options: PollOptions): Promise<ProviderBatchStatus | undefined> {
    let wait = options.intervalMs;
    for (;;) {
      if (options.keepGoing && !options.keepGoing()) return undefined;
      const status = await this.retrieve(id, options.signal);
      if (status.processingStatus === 'ended') return status;
      options.onPoll?.(status);
      await sleep(wait, options.signal);
      wait = Math.min(options.maxIntervalMs, Math.ceil(wait * 1.5));
    }
  }

  /** The results of an ended batch, one parsed line at a time, in the provider's order (any order). */
  async *results(id: string, signal?: AbortSignal): AsyncGenerator<ProviderBatchResult> {
    const decoder = await this.#client.messages.batches.results(id, {}, signal ? { signal } : {});
    for await (const line of decoder) {
      const parsed = resultSchema.safeParse(line);
      if (!parsed.success) throw new SyntaxError(`Unreadable line in the results of batch ${id}: ${JSON.stringify(line).slice(0, 200)}`);
      const { custom_id: customId, result } = parsed.data;
      switch (result.type) {
        case 'succeeded':
          yield { customId, type: 'succeeded', message: result.message };
          break;
        case 'errored': {
          const inner = result.error.error ?? result.error;
          yield { customId, type: 'errored', error: { type: inner.type, message: inner.message } };
          break;
        }
        case 'expired':
        case 'canceled':
          yield { customId, type: result.type };
          break;
      }
    }
  }

  /**
   * Batches created from `since` on holding `count` requests, newest first: where a batch whose
   * creation was never recorded (a crash between `create` and the save) can be found again.
   */
  async findCreated(since: Date, count: number, signal?: AbortSignal): Promise<ProviderBatchStatus[]> {
    const found: ProviderBatchStatus[] = [];
    for await (const batch of this.#client.messages.batches.list({ limit: 100 }, signal ? { signal } : {})) {
      const status = parseStatus(batch);
      if (Date.parse(status.createdAt) < since.getTime()) break;
      const counts = status.requestCounts;
      if (counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired === count) found.push(status);
    }
    return found;
  }
}

function parseStatus(batch: unknown): ProviderBatchStatus {
  const parsed = statusSchema.safeParse(batch);
  if (!parsed.success) throw new SyntaxError(`Unexpected message batch: ${JSON.stringify(batch).slice(0, 200)}`);
  const { id, processing_status: processingStatus, created_at: createdAt, ended_at: endedAt, request_counts: requestCounts } = parsed.data;
  return { id, processingStatus, createdAt, endedAt: endedAt ?? undefined, requestCounts };
}
