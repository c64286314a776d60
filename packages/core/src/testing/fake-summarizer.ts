import { z } from 'zod';
import { validateOptions } from '../internal/validate-options.js';
import { renderSummaryMarkdown } from '../summarizers/render-summary-markdown.js';
import type { Chapter, Summarizer, SummarizeOptions, Summary } from '../summarizers/summarizer.js';
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
   * Characters of summary prose besides the TL;DR and the key points, as chapters of at most 500
   * characters (each with a title and a time), to test exports of a
   * given size: `markdown`, a summary's file in an export and its entry in `batch.json` each
   * grow by about this much, as with a real summary that long.
   * @default 0 (no chapters)
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

/** Characters of prose in each chapter of a fake summary of `bodyChars` characters. */
const FAKE_CHAPTER_CHARS = 500;

const FILLER = 'Lorem ipsum dolor sit amet. ';

/** `chars` characters of filler prose as chapters a minute apart, at most {@link FAKE_CHAPTER_CHARS} each. */
function fillerChapters(chars: number): Chapter[] {
  const text = FILLER.repeat(Math.ceil(chars / FILLER.length)).slice(0, chars);
  const chapters: Chapter[] = [];
  for (let start = 0; start < text.length; start += FAKE_CHAPTER_CHARS) {
    chapters.push({ title: `Part ${chapters.length + 1}`, startMs: chapters.length * 60_000, summary: text.slice(start, start + FAKE_CHAPTER_CHARS) });
  }
  return chapters;
}

/**
 * A {@link Summarizer} for tests and benchmarks: a summary built from the first segments
 * after a chosen latency, scripted failures, and counters of the calls. Its `markdown` is
 * rendered from its sections, as every summarizer of tubesum does.
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
      const chapters = fillerChapters(this.#options.bodyChars ?? 0);
      const content = { tldr: `Summary of ${transcript.title ?? videoId}.`, keyPoints, ...(chapters.length === 0 ? {} : { chapters }) };
      return {
        ...content,
        markdown: renderSummaryMarkdown(videoId, content),
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
