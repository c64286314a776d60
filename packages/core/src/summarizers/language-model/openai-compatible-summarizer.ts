import { z } from 'zod';
import type { Transcript } from '../../transcripts/transcript-source.js';
import { llmOptionShape } from './anthropic-summarizer.js';
import { estimateTokens } from './estimate-tokens.js';
import { summarizeWithLanguageModel, type Completion, type CompletionRequest } from './language-model-summary.js';
import { validateOptions } from '../../internal/validate-options.js';
import type { PriceTable } from './prices.js';
import { PROMPT_VERSION } from './prompt.js';
import { providerError, type ProviderFailure } from './provider-error.js';
import type { SummarizeOptions, Summarizer, Summary } from '../summarizer.js';
import { integerAtLeast } from '../../internal/option-schemas.js';

/** Options of {@link OpenAICompatibleSummarizer}. */
export interface OpenAICompatibleSummarizerOptions {
  /**
   * The API root that serves `/chat/completions`: `http://localhost:11434/v1` (Ollama),
   * `http://localhost:8000/v1` (vLLM), `http://localhost:1234/v1` (LM Studio),
   * `https://openrouter.ai/api/v1`, `https://api.openai.com/v1`.
   */
  baseURL: string;
  /** The model name the server knows (`llama3.1:8b`, `gpt-4o-mini`, …). */
  model: string;
  /**
   * Tokens the model is run with, prompt and answer together. State it: Ollama silently cuts
   * prompts longer than its context (`num_ctx`), so transcripts are split to fit this.
   */
  contextTokens: number;
  /**
   * Sent as `Authorization: Bearer …`. Local servers need none; no environment variable is
   * read, so a key meant for one provider is never sent to another.
   * @default undefined (no Authorization header)
   */
  apiKey?: string | undefined;
  /**
   * Most tokens the model may write for one request (`max_tokens`).
   * @default min(2048, contextTokens / 4)
   */
  maxOutputTokens?: number | undefined;
  /**
   * Windows of a long transcript summarized at the same time. Local servers usually run
   * one request at a time, so more only queues.
   * @default 1
   */
  chunkConcurrency?: number | undefined;
  /**
   * Prices in USD per million tokens by model id, for `costUsd`; without one `costUsd` is absent.
   * @default {}
   */
  prices?: PriceTable | undefined;
  /**
   * Longest wait for one response, in milliseconds; a `TIMEOUT` error after it.
   * @default 600_000
   */
  timeoutMs?: number | undefined;
  /**
   * Ask for a JSON answer with `response_format: { type: 'json_object' }` (OpenAI, Ollama,
   * vLLM support it; some servers reject it).
   * @default false
   */
  jsonMode?: boolean | undefined;
  /**
   * Extra headers for every request (`HTTP-Referer` for OpenRouter, a gateway's key).
   * @default {}
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * The `fetch` every request goes through (proxies, tests).
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch | undefined;
}

const optionsSchema = z
  .object({
    baseURL: z.url(),
    model: z.string().min(1),
    contextTokens: integerAtLeast(1024),
    apiKey: z.string().min(1).optional(),
    jsonMode: z.boolean().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    ...llmOptionShape,
  })
  .strict();

const answerSchema = z
  .object({
    choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }).loose(), finish_reason: z.string().nullish() }).loose()).min(1),
    usage: z.object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() }).loose().nullish(),
  })
  .loose();

/**
 * Summaries from any server that speaks the OpenAI chat-completions API: Ollama, vLLM,
 * LM Studio, OpenRouter, OpenAI. Requests go out with plain `fetch`, one HTTP attempt per
 * call (the batch processor decides retries), and error bodies of every server's shape are
 * read so that "context too long" is recognised and handled by chunking.
 */
export class OpenAICompatibleSummarizer implements Summarizer {
  readonly model: string;
  readonly promptVersion = PROMPT_VERSION;
  readonly #endpoint: string;
  readonly #provider: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof globalThis.fetch;
  readonly #timeoutMs: number;
  readonly #jsonMode: boolean;
  readonly #hasKey: boolean;
  readonly #settings: { contextTokens: number; maxOutputTokens: number; chunkConcurrency: number; prices: PriceTable };

  constructor(options: OpenAICompatibleSummarizerOptions) {
    const parsed = validateOptions(optionsSchema, options ?? {}, 'OpenAICompatibleSummarizer options');
    this.model = parsed.model;
    const root = parsed.baseURL.replace(/\/+$/, '');
    this.#endpoint = `${root}/chat/completions`;
    this.#provider = `The OpenAI-compatible server at ${root}`;
    this.#hasKey = parsed.apiKey !== undefined;
    this.#headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...parsed.headers,
      ...(parsed.apiKey ? { authorization: `Bearer ${parsed.apiKey}` } : {}),
    };
    this.#fetch = parsed.fetch ?? globalThis.fetch;
    this.#timeoutMs = parsed.timeoutMs ?? 600_000;
    this.#jsonMode = parsed.jsonMode ?? false;
    this.#settings = {
      contextTokens: parsed.contextTokens,
      maxOutputTokens: parsed.maxOutputTokens ?? Math.min(2048, Math.floor(parsed.contextTokens / 4)),
      chunkConcurrency: parsed.chunkConcurrency ?? 1,
      prices: parsed.prices ?? {},
    };
  }

  summarize(transcript: Transcript, options: SummarizeOptions = {}): Promise<Summary> {
    return summarizeWithLanguageModel(transcript, options, {
      provider: this.#provider,
      model: this.model,
      ...this.#settings,
      complete: (request) => this.#complete(request, transcript.videoId, options.signal),
    });
  }

  async #complete(request: CompletionRequest, videoId: string, outer: AbortSignal | undefined): Promise<Completion> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    const context = {
      provider: this.#provider,
      model: this.model,
      keySource: this.#hasKey ? 'The API key passed as `apiKey`' : undefined,
      videoId,
    };
    const fail = (failure: ProviderFailure) =>
      providerError(failure, {
        ...context,
        signal: outer?.aborted ? outer : request.signal.aborted ? request.signal : undefined,
      });

    let response: Response;
    let raw: string;
    try {
      response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers: this.#headers,
        signal,
        body: JSON.stringify({
          model: this.model,
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
          max_tokens: request.maxOutputTokens,
          stream: false,
          ...(this.#jsonMode ? { response_format: { type: 'json_object' } } : {}),
        }),
      });
      raw = await response.text();
    } catch (error) {
      if (request.signal.aborted) throw fail({ kind: 'abort', message: '', cause: error });
      if (timeout.aborted) throw fail({ kind: 'timeout', message: `no answer within ${this.#timeoutMs} ms`, cause: error });
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw fail({ kind: 'connection', message: cause instanceof Error ? cause.message : String(cause), cause: error });
    }

    const body = safeJson(raw);
    if (!response.ok) {
      const { message, code } = errorFields(body, raw);
      throw fail({ kind: 'http', status: response.status, headers: response.headers, message, code, cause: body ?? raw });
    }
    const answer = answerSchema.safeParse(body);
    if (!answer.success) {
      const what = body === undefined ? 'the answer is not valid JSON' : 'unexpected answer';
      throw fail({ kind: 'malformed', message: `${what}: ${raw.slice(0, 200)}`, cause: answer.error });
    }
    const choice = answer.data.choices[0]!;
    const text = choice.message.content ?? '';
    return {
      text,
      inputTokens: answer.data.usage?.prompt_tokens ?? estimateTokens(request.system + request.user),
      outputTokens: answer.data.usage?.completion_tokens ?? estimateTokens(text),
      truncated: choice.finish_reason === 'length',
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Error bodies differ: `{error: {message, code}}` (OpenAI, Ollama), `{error: "…"}`, `{object: "error", message}` (vLLM). */
function errorFields(body: unknown, raw: string): { message: string; code?: string } {
  const record = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  const inner = record?.['error'];
  if (typeof inner === 'string') return { message: inner };
  const source = inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : record;
  const message = typeof source?.['message'] === 'string' ? source['message'] : raw.slice(0, 300);
  const code = typeof source?.['code'] === 'string' ? source['code'] : typeof source?.['type'] === 'string' ? source['type'] : undefined;
  return code ? { message, code } : { message };
}
