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
  inputTokens: number;
  outputTokens: number;
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
  /** Estimated cost in US dollars, when the price of the model is known. */
  costUsd?: number;
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
  summarize(transcript: Transcript, options?: SummarizeOptions): Promise<Summary>;
}
