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
   * grow by about this much, as with a real summary that long. The prose is made of common
   * words in an order of its own for each video, so that it compresses about as well as prose.
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

/** Words of the filler prose: common enough to read like prose, varied enough to compress like it. */
const WORDS = (
  'the of and to in is that it was for on are with as his they at be this from have or by one had not but what all were when we there can ' +
  'an your which their said if do will each about how up out them then she many some so these would other into has more her two like him ' +
  'see time could no make than first been its who now people my made over did down only way find use may water long little very after ' +
  'words called just where most know get through back much before go good new write our used me man too any day same right look think ' +
  'also around another came come work three word must because does part even place well such here take why things help put years different ' +
  'away again off went old number great tell men say small every found still between name should home big give air line set own under ' +
  'read last never us left end along while might next sound below saw something thought both few those always looked show large often ' +
  'together asked house world going want school important until form food keep children feet land side without boy once animals life enough'
).split(' ');

/** `chars` characters of prose, the same for the same `seed`: sentences of words drawn from {@link WORDS}. */
function fillerText(chars: number, seed: string): string {
  let state = 2_166_136_261;
  for (let at = 0; at < seed.length; at += 1) state = Math.imul(state ^ seed.charCodeAt(at), 16_777_619);
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  let text = '';
  while (text.length < chars) {
    const words = Array.from({ length: 6 + Math.floor(next() * 12) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    text += `${words.join(' ').replace(/^./, (first) => first.toUpperCase())}. `;
  }
  return text.slice(0, chars);
}

/** `chars` characters of prose about `videoId` as chapters a minute apart, at most {@link FAKE_CHAPTER_CHARS} each. */
function fillerChapters(chars: number, videoId: string): Chapter[] {
  const text = fillerText(chars, videoId);
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
      const chapters = fillerChapters(this.#options.bodyChars ?? 0, videoId);
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
