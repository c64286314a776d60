import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { Model } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../../errors.js';
import type { Transcript } from '../../transcripts/transcript-source.js';
import { summarizeWithLanguageModel, type Completion, type CompletionRequest } from './language-model-summary.js';
import { validateOptions } from '../../internal/validate-options.js';
import { DEFAULT_PRICES, type PriceTable } from './prices.js';
import { PROMPT_VERSION } from './prompt.js';
import { providerError, type ProviderFailure } from './provider-error.js';
import type { SummarizeOptions, Summarizer, Summary } from '../summarizer.js';

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
}

/** The default model: a current Haiku, fast and cheap enough for batches. */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';

const priceSchema = z.object({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
  longPrompt: z
    .object({ thresholdTokens: z.number().int().positive(), inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() })
    .optional(),
});

/** Shared by the LLM summarizers' option schemas. */
export const llmOptionShape = {
  maxOutputTokens: z.number().int().min(64).max(21_000).optional(),
  chunkConcurrency: z.number().int().min(1).max(32).optional(),
  prices: z.record(z.string(), priceSchema).optional(),
  timeoutMs: z.number().int().positive().optional(),
  fetch: z.custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'a fetch function').optional(),
};

const optionsSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    baseURL: z.url().optional(),
    maxContextTokens: z.number().int().min(1024).optional(),
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
  readonly #client: Anthropic;
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
  }

  summarize(transcript: Transcript, options: SummarizeOptions = {}): Promise<Summary> {
    return summarizeWithLanguageModel(transcript, options, {
      provider: 'Anthropic',
      model: this.model,
      ...this.#settings,
      complete: (request) => this.#complete(request, transcript.videoId, options.signal),
    });
  }

  async #complete(request: CompletionRequest, videoId: string, outer: AbortSignal | undefined): Promise<Completion> {
    // The SDK's own timeout stops at the response headers; ours also covers a body that trickles in.
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const fail = (failure: ProviderFailure): TubesumError =>
      providerError(failure, {
        provider: 'Anthropic',
        model: this.model,
        keySource: this.#keySource,
        signal: outer?.aborted ? outer : request.signal.aborted ? request.signal : undefined,
        videoId,
      });
    let message: unknown;
    try {
      message = await this.#client.messages.create(
        {
          model: this.model,
          max_tokens: request.maxOutputTokens,
          system: request.system,
          messages: [{ role: 'user', content: request.user }],
        },
        { signal: AbortSignal.any([request.signal, timeout]) },
      );
    } catch (error) {
      if (error instanceof TubesumError) throw error;
      if (request.signal.aborted) throw fail({ kind: 'abort', message: '', cause: error });
      if (timeout.aborted) throw fail({ kind: 'timeout', message: `no complete answer within ${this.#timeoutMs} ms`, cause: error });
      throw fail(describeAnthropicError(error));
    }
    const answer = messageSchema.safeParse(message);
    if (!answer.success) {
      throw fail({ kind: 'malformed', message: `unexpected answer: ${String(JSON.stringify(message)).slice(0, 200)}`, cause: answer.error });
    }
    const { content, usage, stop_reason: stopReason } = answer.data;
    return {
      text: content.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : [])).join(''),
      inputTokens: usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0),
      outputTokens: usage.output_tokens,
      truncated: stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded',
    };
  }
}

/** The parts of a Messages API answer we read; anything else is a malformed answer, worth another attempt. */
const messageSchema = z
  .object({
    content: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
    usage: z
      .object({
        input_tokens: z.number(),
        output_tokens: z.number(),
        cache_read_input_tokens: z.number().nullish(),
        cache_creation_input_tokens: z.number().nullish(),
      })
      .loose(),
    stop_reason: z.string().nullish(),
  })
  .loose();

/**
 * What the SDK threw, as a {@link ProviderFailure}. Besides its own error classes, reading the body
 * can fail raw: undici's `TypeError: terminated` when the connection drops mid-body, a `SyntaxError`
 * when a 200 carries cut JSON. Both are transient, not a verdict on the request.
 */
function describeAnthropicError(error: unknown): ProviderFailure {
  if (error instanceof APIUserAbortError) return { kind: 'abort', message: error.message, cause: error };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', message: error.message, cause: error };
  if (error instanceof APIConnectionError) return { kind: 'connection', message: error.message, cause: error };
  if (error instanceof APIError && typeof error.status === 'number') {
    return {
      kind: 'http',
      status: error.status,
      headers: error.headers,
      message: error.apiMessage ?? error.message,
      code: error.errorCode ?? error.type ?? undefined,
      cause: error,
    };
  }
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'abort', message: error.message, cause: error };
  if (error instanceof SyntaxError) return { kind: 'malformed', message: `the answer is not valid JSON (${error.message})`, cause: error };
  if (isConnectionFailure(error)) {
    const cause = error.cause instanceof Error ? error.cause : error;
    return { kind: 'connection', message: `the connection broke off (${cause.message})`, cause: error };
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error), cause: error };
}

/** undici's failures while reading a body: `terminated`, or any error caused by a socket error code. */
function isConnectionFailure(error: unknown): error is Error {
  if (!(error instanceof TypeError)) return false;
  if (error.message === 'terminated' || error.message === 'fetch failed') return true;
  const cause: unknown = error.cause;
  return cause instanceof Error && typeof (cause as { code?: unknown }).code === 'string';
}
