import type { Transcript } from '../transcripts/transcript-source.js';

/** How long a summary should be. */
export type SummaryLength = 'short' | 'standard' | 'detailed';

/** A point of the summary tied to a moment of the video. */
export interface KeyPoint {
  text: string;
  /** Where in the video this point is made, in milliseconds. */
  startMs: number;
}

/** A section of a long video. */
export interface Chapter {
  title: string;
  startMs: number;
  summary: string;
}

/** Tokens a call consumed, as the provider reported them. */
export interface TokenUsage {
  /** Every prompt token, prompt-cache reads and writes included. */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache (billed at a tenth of the input price for most models). */
  cacheReadInputTokens?: number;
  /** Of `inputTokens`, those written to the provider's prompt cache (billed at 1.25 × the input price). */
  cacheCreationInputTokens?: number;
}

/** What every summarizer returns. */
export interface Summary {
  /** One or two sentences. */
  tldr: string;
  keyPoints: KeyPoint[];
  /** Present for long videos. */
  chapters?: Chapter[];
  /** The whole summary as Markdown (TL;DR, key points with timestamp links, chapters). */
  markdown: string;
  /** Language the summary is written in. */
  language: string;
  /** The model that wrote it (`claude-haiku-4-5`, `llama3.1:8b`, `extractive`). */
  model: string;
  usage: TokenUsage;
  /**
   * Estimated price paid in US dollars, when the price of the model is known: list prices, cache
   * reads and writes at their own rates, halved when the summary went through a Message Batch.
   */
  costUsd?: number;
  /** True when the summary was made through the provider's batch API (Anthropic's Message Batches), at half the price. */
  batchApi?: boolean;
  /** True when the summary was picked from the transcript's own sentences. */
  extractive?: boolean;
  /** True when part of the transcript could not be summarized; never set silently. */
  partial?: boolean;
}

/** Options for one {@link Summarizer.summarize} call. */
export interface SummarizeOptions {
  /** Aborts the request in flight; the summarizer rejects with a `CANCELLED` error. */
  signal?: AbortSignal | undefined;
  /** @default 'standard' */
  length?: SummaryLength | undefined;
  /** Output language; the transcript's language when omitted. */
  language?: string | undefined;
  /** Extra instructions from the caller, added to ours (never replacing them). */
  instructions?: string | undefined;
  /**
   * Aborted when the caller gives the summary up for good (a cancelled job), as opposed to `signal`
   * alone, which also stops for a pause or a close: a batching summarizer then cancels the provider
   * batch it waits on once nobody else waits on it.
   */
  cancelSignal?: AbortSignal | undefined;
  /** Called while the summary waits on a provider batch (see {@link SummarizerBatching}). */
  onProviderBatch?: ((wait: ProviderBatchWait) => void) | undefined;
}

/** A summary waiting on a provider batch: only "processing" is known until the batch ends. */
export interface ProviderBatchWait {
  /** `Anthropic`. */
  provider: string;
  /** `collecting`: held to be sent with others (at most the batch window); `submitted`: in a provider batch. */
  phase: 'collecting' | 'submitted';
  /** The provider's batch id, once submitted. */
  batchId?: string;
  /** ISO 8601 time the provider batch was created. */
  submittedAt?: string;
  /** How long such a batch usually takes, in milliseconds (Anthropic: most end within an hour). */
  typicalMs: number;
}

/**
 * Present on a summarizer that sends its requests in provider batches (Anthropic's Message
 * Batches: half the price, results within hours). The processor then lets many summaries wait at
 * once and gives each the batch's time instead of its per-attempt timeout.
 */
export interface SummarizerBatching {
  /** Summaries worth waiting at once: the processor raises its summary concurrency to this. */
  readonly maxWaiting: number;
  /** Longest one summary may wait for its batch, in milliseconds (the summary stage's timeout). */
  readonly timeoutMs: number;
}

/**
 * Turns a transcript into a {@link Summary}. Implementations throw a
 * {@link TubesumError} with a summarizer code (`RATE_LIMITED`, `AUTHENTICATION_FAILED`, …)
 * and must NOT retry themselves: the batch processor decides retries.
 */
export interface Summarizer {
  /** The model id; part of the summary cache key. */
  readonly model: string;
  /** Changes whenever the prompt changes, so cached summaries from an older prompt are not reused. */
  readonly promptVersion: string;
  /** Set when summaries go through a provider's batch API; absent for request/response summarizers. */
  readonly batching?: SummarizerBatching | undefined;
  summarize(transcript: Transcript, options?: SummarizeOptions): Promise<Summary>;
}
