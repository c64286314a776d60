import { z } from 'zod';
import { ErrorCode, TubesumError, cancelledError } from '../../errors.js';
import type { Transcript } from '../../transcripts/transcript-source.js';
import { rankSentences } from './rank-sentences.js';
import { renderSummaryMarkdown } from '../render-summary-markdown.js';
import { splitSentences, type Sentence } from '../split-sentences.js';
import type { Chapter, KeyPoint, SummarizeOptions, Summarizer, Summary, SummaryLength } from '../summarizer.js';
import { validateOptions } from '../../internal/validate-options.js';
import { validateSummarizeInput } from '../summarize-input.js';
import { stripUndefined } from '../../internal/strip-undefined.js';
import { integerFrom, positiveInteger, wholeMilliseconds } from '../../internal/option-schemas.js';

/** Options of {@link ExtractiveSummarizer}. */
export interface ExtractiveSummarizerOptions {
  /**
   * How many key points each length gives (the TL;DR sentences come on top).
   * @default { short: 3, standard: 6, detailed: 12 }
   */
  keyPoints?: Partial<Record<SummaryLength, number>> | undefined;
  /**
   * Videos at least this long get chapters, in milliseconds.
   * @default 1_200_000 (20 minutes)
   */
  chapterMinDurationMs?: number | undefined;
  /**
   * The length a chapter aims for, in milliseconds; a video gets between 3 and 12 chapters.
   * @default 600_000 (10 minutes)
   */
  chapterTargetMs?: number | undefined;
}

const DEFAULT_KEY_POINTS: Record<SummaryLength, number> = { short: 3, standard: 6, detailed: 12 };
const TLDR_SENTENCES: Record<SummaryLength, number> = { short: 1, standard: 2, detailed: 2 };

const optionsSchema = z
  .object({
    keyPoints: z
      .object({
        short: integerFrom(0, 100).optional(),
        standard: integerFrom(0, 100).optional(),
        detailed: integerFrom(0, 100).optional(),
      })
      .strict()
      .optional(),
    chapterMinDurationMs: wholeMilliseconds().optional(),
    chapterTargetMs: positiveInteger.optional(),
  })
  .strict();

/**
 * Offline summaries without a key: picks the transcript's most central sentences
 * (TextRank over TF-IDF similarity) and returns them with the moment each is spoken.
 * Deterministic: the same transcript always gives the same summary. It cannot translate:
 * the summary is in the transcript's language whatever `language` asks for.
 */
export class ExtractiveSummarizer implements Summarizer {
  readonly model = 'extractive';
  readonly promptVersion = 'extractive-1';
  readonly #keyPoints: Record<SummaryLength, number>;
  readonly #chapterMinDurationMs: number;
  readonly #chapterTargetMs: number;

  constructor(options: ExtractiveSummarizerOptions = {}) {
    const parsed = validateOptions(optionsSchema, options ?? {}, 'ExtractiveSummarizer options');
    this.#keyPoints = { ...DEFAULT_KEY_POINTS, ...stripUndefined(parsed.keyPoints ?? {}) };
    this.#chapterMinDurationMs = parsed.chapterMinDurationMs ?? 1_200_000;
    this.#chapterTargetMs = parsed.chapterTargetMs ?? 600_000;
  }

  async summarize(transcript: Transcript, options: SummarizeOptions = {}): Promise<Summary> {
    validateSummarizeInput(transcript, options);
    if (options.signal?.aborted) throw cancelledError(options.signal, transcript.videoId);
    const length = options.length ?? 'standard';
    const sentences = splitSentences(transcript.segments);
    if (sentences.length === 0) {
      throw new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, `The transcript of ${transcript.videoId} holds no text to summarize.`, {
        videoId: transcript.videoId,
      });
    }
    const ranking = rankSentences(sentences.map((sentence) => sentence.text));
    const order = sentences.map((sentence) => sentence.index).sort((a, b) => ranking.scores[b]! - ranking.scores[a]! || a - b);

    // Greedy pick, best first, skipping sentences that repeat one already picked.
    const wanted = TLDR_SENTENCES[length] + this.#keyPoints[length];
    const picked: number[] = [];
    for (const index of order) {
      if (picked.length >= wanted) break;
      if (picked.some((other) => ranking.similarity(index, other) > 0.5)) continue;
      picked.push(index);
    }
    const tldrIndexes = picked.slice(0, TLDR_SENTENCES[length]).sort((a, b) => a - b);
    // A transcript too short to give more than the TL;DR still gets its key points, with their times.
    const rest = picked.slice(TLDR_SENTENCES[length]);
    const keyPointIndexes = (rest.length > 0 ? rest : picked).sort((a, b) => a - b);

    const tldr = tldrIndexes.map((index) => asSentence(sentences[index]!.text)).join(' ');
    const keyPoints: KeyPoint[] = keyPointIndexes.map((index) => ({
      text: asSentence(sentences[index]!.text),
      startMs: sentences[index]!.startMs,
    }));

    const durationMs = videoDurationMs(transcript, sentences);
    const chapters = durationMs >= this.#chapterMinDurationMs ? this.#chapters(sentences, ranking, durationMs) : undefined;

    const content = { tldr, keyPoints, ...(chapters ? { chapters } : {}), extractive: true };
    return {
      ...content,
      markdown: renderSummaryMarkdown(transcript.videoId, content),
      language: transcript.language,
      model: this.model,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
    };
  }

  /** Equal time windows; each chapter is titled by its distinctive terms and summed up by its best sentence. */
  #chapters(sentences: readonly Sentence[], ranking: ReturnType<typeof rankSentences>, durationMs: number): Chapter[] {
    const count = Math.min(12, Math.max(3, Math.round(durationMs / this.#chapterTargetMs)));
    const windowMs = durationMs / count;
    const windows: number[][] = Array.from({ length: count }, () => []);
    for (const sentence of sentences) {
      windows[Math.min(count - 1, Math.floor(sentence.startMs / windowMs))]!.push(sentence.index);
    }
    const chapters: Chapter[] = [];
    for (const window of windows) {
      if (window.length === 0) continue;
      let best = window[0]!;
      for (const index of window) if (ranking.scores[index]! > ranking.scores[best]!) best = index;
      const terms = ranking.topTerms(window, 3);
      chapters.push({
        title: terms.length > 0 ? chapterTitle(terms) : `Part ${chapters.length + 1}`,
        startMs: sentences[window[0]!]!.startMs,
        summary: asSentence(sentences[best]!.text),
      });
    }
    return chapters;
  }
}

function videoDurationMs(transcript: Transcript, sentences: readonly Sentence[]): number {
  const fromCaptions = sentences[sentences.length - 1]?.endMs ?? 0;
  return Math.max(fromCaptions, (transcript.durationSeconds ?? 0) * 1000);
}

/** `['memory', 'cache', 'latency']` -> `Memory, cache and latency`. */
function chapterTitle(terms: readonly string[]): string {
  const words = terms.length > 1 ? `${terms.slice(0, -1).join(', ')} and ${terms[terms.length - 1]!}` : terms[0]!;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Starts with a capital letter and ends with punctuation, as auto captions do not. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…。！？]["'”’)\]]*$/u.test(capitalised) ? capitalised : `${capitalised}.`;
}
