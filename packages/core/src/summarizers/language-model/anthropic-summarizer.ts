import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, Model } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../../errors.js';
import type { Transcript } from '../../transcripts/transcript-source.js';
import { AnthropicBatchQueue, requestKey } from './anthropic-batch-queue.js';
import { batchErrorFailure, completionOf, describeAnthropicError } from './anthropic-message.js';
import { AnthropicMessageBatches } from './anthropic-message-batches.js';
import { estimateTokens } from './estimate-tokens.js';
import { summarizeWithLanguageModel, type Completion, type CompletionRequest } from './language-model-summary.js';
import { validateOptions } from '../../internal/validate-options.js';
import { DEFAULT_PRICES, promptCacheMinTokens, type PriceTable } from './prices.js';
import { PROMPT_VERSION } from './prompt.js';
import { ProviderBatchRecords, type ProviderBatchStore } from './provider-batch-records.js';
import { providerError, type ProviderFailure } from './provider-error.js';
import type { SummarizeOptions, Summarizer, SummarizerBatching, Summary } from '../summarizer.js';
import { integerAtLeast, integerFrom, nonNegativeNumber, positiveInteger, wholeMilliseconds } from '../../internal/option-schemas.js';

/** Options of batch mode ({@link AnthropicSummarizerOptions.batch}). */
export interface AnthropicBatchOptions {
  /**
   * Where the batches sent, which request went in which, and each result are kept, so that a process
   * killed at any point resumes by polling the same batch: pass the processor's store.
   */
  store: ProviderBatchStore;
  /**
   * Requests in one batch at most. Anthropic documents 100,000; one of its pages says 10,000.
   * @default 10_000
   */
  maxRequests?: number | undefined;
  /**
   * Bytes of requests in one batch at most (Anthropic's limit: 256 MB).
   * @default 200_000_000
   */
  maxBytes?: number | undefined;
  /**
   * How long the first request waits for others before its batch is sent anyway, in milliseconds.
   * @default 60_000
   */
  windowMs?: number | undefined;
  /**
   * First wait between two looks at a running batch; each wait is 1.5 times the last, up to `maxPollIntervalMs`.
   * @default 10_000
   */
  pollIntervalMs?: number | undefined;
  /** @default 300_000 */
  maxPollIntervalMs?: number | undefined;
  /**
   * Longest one summary may wait for its batches, in milliseconds. A batch expires after 24 hours,
   * and an expired request is sent once more.
   * @default 180_000_000 (50 hours)
   */
  timeoutMs?: number | undefined;
}

/** Options of {@link AnthropicSummarizer}. */
export interface AnthropicSummarizerOptions {
  /**
   * The Anthropic API key.
   * @default process.env.ANTHROPIC_API_KEY
   */
  apiKey?: string | undefined;
  /**
   * Any model id the Messages API accepts; the SDK's `Model` type lists the current ones.
   * @default 'claude-haiku-4-5'
   */
  model?: Model | undefined;
  /**
   * Where to send requests (a gateway, a proxy, a test server).
   * @default process.env.ANTHROPIC_BASE_URL, else 'https://api.anthropic.com'
   */
  baseURL?: string | undefined;
  /**
   * Tokens the model accepts, prompt and answer together. Transcripts that do not fit are
   * cut into windows on timestamps, summarized, then combined.
   * @default 200_000
   */
  maxContextTokens?: number | undefined;
  /**
   * Most tokens the model may write for one request.
   * @default 4096
   */
  maxOutputTokens?: number | undefined;
  /**
   * Windows of a long transcript summarized at the same time.
   * @default 2
   */
  chunkConcurrency?: number | undefined;
  /**
   * Prices in USD per million tokens, merged over {@link DEFAULT_PRICES}; used for `costUsd`.
   * @default DEFAULT_PRICES
   */
  prices?: PriceTable | undefined;
  /**
   * Longest wait for one complete response, body included, in milliseconds; a `TIMEOUT` error after it.
   * @default 600_000
   */
  timeoutMs?: number | undefined;
  /**
   * The `fetch` every request goes through (proxies, tests).
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Asks Anthropic to cache the prompt (system prompt and transcript) of requests long enough to be
   * cached: at least the model's minimum ({@link promptCacheMinTokens}, 4,096 tokens for Haiku 4.5).
   * Shorter prompts are sent without a cache mark, since Anthropic would silently not cache them.
   * A cache write costs 1.25 × the input price and a read a tenth of it; the summary's `usage`
   * reports what was read and written, so check it rather than expect savings.
   * @default false
   */
  promptCache?: boolean | undefined;
  /**
   * Batch mode: every request goes through Anthropic's Message Batches API, at half the price, with
   * results usually within an hour (at most 24 hours). `summarize()` resolves when the summary's
   * batches ended; the batch processor lets many summaries wait at once (see `batching`).
   * @default undefined (request/response)
   */
  batch?: AnthropicBatchOptions | undefined;
}

/** The default model: a current Haiku, fast and cheap enough for batches. */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';

const priceSchema = z.object({
  inputPerMillion: nonNegativeNumber,
  outputPerMillion: nonNegativeNumber,
  cacheReadPerMillion: nonNegativeNumber.optional(),
  cacheWritePerMillion: nonNegativeNumber.optional(),
  longPrompt: z.object({ thresholdTokens: positiveInteger, inputPerMillion: nonNegativeNumber, outputPerMillion: nonNegativeNumber }).optional(),
});

/** Shared by the LLM summarizers' option schemas. */
export const llmOptionShape = {
  maxOutputTokens: integerFrom(64, 21_000).optional(),
  chunkConcurrency: integerFrom(1, 32).optional(),
  prices: z.record(z.string(), priceSchema).optional(),
  timeoutMs: positiveInteger.optional(),
  fetch: z.custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'a fetch function').optional(),
};

const optionsSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    baseURL: z.url().optional(),
    maxContextTokens: integerAtLeast(1024).optional(),
    promptCache: z.boolean().optional(),
    batch: z
      .object({
        store: z.custom<ProviderBatchStore>(
          (value) =>
            typeof value === 'object' &&
            value !== null &&
            typeof (value as ProviderBatchStore).getCached === 'function' &&
            typeof (value as ProviderBatchStore).setCached === 'function',
          "a store (getCached and setCached), e.g. the processor's",
        ),
        maxRequests: integerFrom(1, 100_000).optional(),
        maxBytes: integerFrom(1_000_000, 256_000_000).optional(),
        windowMs: wholeMilliseconds().optional(),
        pollIntervalMs: positiveInteger.optional(),
        maxPollIntervalMs: positiveInteger.optional(),
        timeoutMs: positiveInteger.optional(),
      })
      .strict()
      .optional(),
    ...llmOptionShape,
  })
  .strict();

/**
 * Summaries written by Claude through the official `@anthropic-ai/sdk`. The SDK does not
 * retry (`maxRetries: 0`): failures are thrown as {@link TubesumError}s and the batch
 * processor decides whether and when to try again (honouring `retryAfterMs`).
 */
export class AnthropicSummarizer implements Summarizer {
  readonly model: string;
  readonly promptVersion = PROMPT_VERSION;
  /** Set in batch mode. */
  readonly batching: SummarizerBatching | undefined;
  readonly #client: Anthropic;
  readonly #batchQueue: AnthropicBatchQueue | undefined;
  readonly #promptCache: boolean;
  readonly #keySource: string;
  readonly #timeoutMs: number;
  readonly #settings: { contextTokens: number; maxOutputTokens: number; chunkConcurrency: number; prices: PriceTable };

  constructor(options: AnthropicSummarizerOptions = {}) {
    const parsed = validateOptions(optionsSchema, options ?? {}, 'AnthropicSummarizer options');
    const fromEnvironment = process.env['ANTHROPIC_API_KEY'];
    const apiKey = parsed.apiKey ?? (fromEnvironment ? fromEnvironment : undefined);
    if (apiKey === undefined) {
      throw new TubesumError(
        ErrorCode.AUTHENTICATION_FAILED,
        'No Anthropic API key: set the ANTHROPIC_API_KEY environment variable or pass `apiKey` to AnthropicSummarizer.',
        { retryable: false },
      );
    }
    this.#keySource = parsed.apiKey ? 'The Anthropic API key passed as `apiKey`' : 'ANTHROPIC_API_KEY';
    this.model = parsed.model ?? DEFAULT_ANTHROPIC_MODEL;
    this.#timeoutMs = parsed.timeoutMs ?? 600_000;
    this.#client = new Anthropic({
      apiKey,
      authToken: null,
      maxRetries: 0,
      timeout: this.#timeoutMs,
      ...(parsed.baseURL ? { baseURL: parsed.baseURL } : {}),
      ...(parsed.fetch ? { fetch: parsed.fetch } : {}),
    });
    this.#settings = {
      contextTokens: parsed.maxContextTokens ?? 200_000,
      maxOutputTokens: parsed.maxOutputTokens ?? 4096,
      chunkConcurrency: parsed.chunkConcurrency ?? 2,
      prices: { ...DEFAULT_PRICES, ...parsed.prices },
    };
    this.#promptCache = parsed.promptCache ?? false;
    const batch = parsed.batch;
    if (batch) {
      const maxRequests = batch.maxRequests ?? 10_000;
      const pollIntervalMs = batch.pollIntervalMs ?? 10_000;
      this.#batchQueue = new AnthropicBatchQueue(new AnthropicMessageBatches(this.#client), new ProviderBatchRecords(batch.store, 'anthropic'), {
        maxRequests,
        maxBytes: batch.maxBytes ?? 200_000_000,
        windowMs: batch.windowMs ?? 60_000,
        pollIntervalMs,
        maxPollIntervalMs: Math.max(pollIntervalMs, batch.maxPollIntervalMs ?? 300_000),
      });
      this.batching = { maxWaiting: maxRequests, timeoutMs: batch.timeoutMs ?? 180_000_000 };
    } else {
      this.#batchQueue = undefined;
      this.batching = undefined;
    }
  }

  summarize(transcript: Transcript, options: SummarizeOptions = {}): Promise<Summary> {
    return summarizeWithLanguageModel(transcript, options, {
      provider: 'Anthropic',
      model: this.model,
      ...this.#settings,
      complete: (request) =>
        this.#batchQueue
          ? this.#completeInBatch(this.#batchQueue, request, transcript.videoId, options)
          : this.#complete(request, transcript.videoId, options.signal),
    });
  }

  /** The request as the Messages API takes it; a prompt long enough to be cached gets a cache mark when `promptCache` is on. */
  #params(request: CompletionRequest): MessageCreateParamsNonStreaming {
    const cache = this.#promptCache && estimateTokens(request.system + request.user) >= promptCacheMinTokens(this.model);
    return {
      model: this.model,
      max_tokens: request.maxOutputTokens,
      system: request.system,
      messages: [{ role: 'user', content: cache ? [{ type: 'text', text: request.user, cache_control: { type: 'ephemeral' } }] : request.user }],
    };
  }

  #fail(videoId: string, ...signals: (AbortSignal | undefined)[]): (failure: ProviderFailure) => TubesumError {
    return (failure) =>
      providerError(failure, {
        provider: 'Anthropic',
        model: this.model,
        keySource: this.#keySource,
        signal: signals.find((signal) => signal?.aborted),
        videoId,
      });
  }

  /** One request through a Message Batch: every outcome becomes a completion or the error the processor acts on. */
  async #completeInBatch(queue: AnthropicBatchQueue, request: CompletionRequest, videoId: string, options: SummarizeOptions): Promise<Completion> {
    const params = this.#params(request);
    const key = requestKey(params);
    const fail = this.#fail(videoId, options.signal, request.signal);
    for (;;) {
      const { result, expiredResubmits } = await queue.request(key, params, {
        signal: request.signal,
        cancelSignal: options.cancelSignal,
        onWait: options.onProviderBatch,
        fail,
        videoId,
      });
      switch (result.type) {
        case 'succeeded': {
          const completion = completionOf(result.message, true);
          if (completion) return completion;
          await queue.resubmitLater(key, expiredResubmits);
          throw fail({ kind: 'malformed', message: `unexpected batch result: ${JSON.stringify(result.message).slice(0, 200)}`, cause: result });
        }
        case 'errored': {
          const error = fail(batchErrorFailure(result.error));
          // A transient failure goes into a later batch when the processor retries; a lasting one stays stored.
          if (error.retryable) await queue.resubmitLater(key, expiredResubmits);
          throw error;
        }
        case 'expired':
          if (expiredResubmits < 1) {
            await queue.resubmitLater(key, expiredResubmits + 1);
            continue;
          }
          throw new TubesumError(
            ErrorCode.BATCH_EXPIRED,
            `Anthropic did not process the summary of ${videoId} within 24 hours, twice; run it again later or without the batch API.`,
            {
              videoId,
              retryable: false,
            },
          );
        case 'canceled':
          await queue.resubmitLater(key, expiredResubmits);
          throw new TubesumError(ErrorCode.CANCELLED, `Anthropic's batch was cancelled before the summary of ${videoId} was written.`, {
            videoId,
            retryable: false,
            details: { reason: 'provider-batch-canceled' },
          });
      }
    }
  }

  async #complete(request: CompletionRequest, videoId: string, outer: AbortSignal | undefined): Promise<Completion> {
    // The SDK's own timeout stops at the response headers; ours also covers a body that trickles in.
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const fail = this.#fail(videoId, outer, request.signal);
    let message: unknown;
    try {
      message = await this.#client.messages.create(this.#params(request), { signal: AbortSignal.any([request.signal, timeout]) });
    } catch (error) {
      if (error instanceof TubesumError) throw error;
      if (request.signal.aborted) throw fail({ kind: 'abort', message: '', cause: error });
      if (timeout.aborted) throw fail({ kind: 'timeout', message: `no complete answer within ${this.#timeoutMs} ms`, cause: error });
      throw fail(describeAnthropicError(error));
    }
    const completion = completionOf(message, false);
    if (!completion) throw fail({ kind: 'malformed', message: `unexpected answer: ${String(JSON.stringify(message)).slice(0, 200)}`, cause: message });
    return completion;
  }
}
