import { z } from 'zod';
import { validateOptions } from '../internal/validate-options.js';
import type { Summarizer, SummarizeOptions, Summary } from '../summarizers/summarizer.js';
import type { Transcript } from '../transcripts/transcript-source.js';
import { fakeLatency, fakeOptionsShape, nextScriptedFailure } from './fake-transcript-source.js';
import type { FailureScript } from './fake-transcript-source.js';
import { nonNegativeInteger } from '../internal/option-schemas.js';

export interface FakeSummarizerOptions {
  /**
   * Time one summary takes, in milliseconds, or a function of the video id.
   * @default 0
   */
  latencyMs?: number | ((videoId: string) => number);
  /** Scripted failures by video id. */
  failures?: FailureScript;
  /**
   * Model name reported (part of the cache key).
   * @default 'fake-model'
   */
  model?: string;
  /**
   * Size of the Markdown body in characters, to test exports of a given size.
   * @default 0 (a short body)
   */
  bodyChars?: number;
  /** Called at the start of every call, e.g. to log calls across processes. */
  onCall?: (videoId: string) => void;
}

const optionsSchema = z
  .object({
    ...fakeOptionsShape,
    model: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).optional(),
    bodyChars: nonNegativeInteger.optional(),
    onCall: z.custom<(videoId: string) => void>((value) => typeof value === 'function', { error: 'a function' }).optional(),
  })
  .strict();

/**
 * A {@link Summarizer} for tests and benchmarks: a summary built from the first segments
 * after a chosen latency, scripted failures, and counters of the calls.
 */
export class FakeSummarizer implements Summarizer {
  readonly model: string;
  readonly promptVersion = 'fake-1';
  /** Video ids in call order (every attempt). */
  readonly calls: string[] = [];
  /** Options of every call, to check what was passed through. */
  readonly callOptions: SummarizeOptions[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #options: FakeSummarizerOptions;
  readonly #attempts = new Map<string, number>();

  constructor(options: FakeSummarizerOptions = {}) {
    validateOptions(optionsSchema, options, 'FakeSummarizer options');
    this.#options = options;
    this.model = options.model ?? 'fake-model';
  }

  async summarize(transcript: Transcript, options: SummarizeOptions = {}): Promise<Summary> {
    const { videoId } = transcript;
    this.calls.push(videoId);
    this.callOptions.push(options);
    this.#options.onCall?.(videoId);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const latency = this.#options.latencyMs;
      await fakeLatency(typeof latency === 'function' ? latency(videoId) : (latency ?? 0), options.signal, videoId);
      const failure = nextScriptedFailure(this.#options.failures ?? {}, this.#attempts, videoId);
      if (failure) throw failure;
      const keyPoints = transcript.segments.slice(0, 3).map((segment) => ({ text: segment.text, startMs: segment.startMs }));
      const tldr = `Summary of ${transcript.title ?? videoId}.`;
      const filler = this.#options.bodyChars
        ? `\n\n${'Lorem ipsum dolor sit amet. '.repeat(Math.ceil(this.#options.bodyChars / 28)).slice(0, this.#options.bodyChars)}`
        : '';
      return {
        tldr,
        keyPoints,
        markdown: `## TL;DR\n\n${tldr}\n\n## Key points\n\n${keyPoints.map((point) => `- ${point.text}`).join('\n')}${filler}\n`,
        language: options.language ?? transcript.language,
        model: this.model,
        usage: { inputTokens: transcript.segments.length * 20, outputTokens: 50 },
        costUsd: 0,
      };
    } finally {
      this.inFlight -= 1;
    }
  }
}
