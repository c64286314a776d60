import type { TranscriptSegment } from '../transcripts/transcript-source.js';

/** A sentence rebuilt from caption segments, with the moment it starts. */
export interface Sentence {
  /** Position in the transcript, from 0. */
  index: number;
  text: string;
  /** When the sentence starts, in milliseconds (interpolated inside a segment). */
  startMs: number;
  /** When the last segment the sentence draws from ends, in milliseconds. */
  endMs: number;
  wordCount: number;
}

export interface SplitSentencesOptions {
  /**
   * A sentence is cut after this many words even without punctuation or pause.
   * @default 60 for punctuated transcripts, 32 for unpunctuated (auto captions)
   */
  maxWords?: number | undefined;
  /**
   * In unpunctuated transcripts, a segment boundary ends the sentence once it has this many words.
   * @default 18
   */
  targetWords?: number | undefined;
  /**
   * In unpunctuated transcripts, a silence at least this long between segments ends a sentence
   * of at least 5 words.
   * @default 900
   */
  pauseMs?: number | undefined;
}

const TERMINAL = /[.!?…。！？]["'”’)\]]*$/u;
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'u.s', 'approx', 'no', 'fig', 'inc', 'ltd']);

/**
 * Caption noise such as `[Music]`, `(Applause)`, `♪` and `>>` speaker-change marks; removed
 * before sentences are built.
 */
export function cleanCaptionText(text: string): string {
  return text
    .replace(/\[[^\]]{0,40}\]/g, ' ')
    .replace(/\((?:music|applause|laughter|laughs|inaudible|silence)\)/gi, ' ')
    .replace(/[♪♫]+/g, ' ')
    .replace(/>>+/g, ' ')
    .replace(/([。！？])/gu, '$1 ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the text carries enough sentence punctuation to be split on it. */
export function isPunctuated(words: readonly string[]): boolean {
  if (words.length === 0) return false;
  let enders = 0;
  for (const word of words) if (TERMINAL.test(word)) enders += 1;
  return enders * 40 >= words.length;
}

/**
 * Rebuilds sentences from caption segments. Punctuated transcripts are split on sentence
 * punctuation; auto captions (little or no punctuation) on pauses between segments and on
 * a word budget. Every sentence keeps the time it starts.
 */
export function splitSentences(segments: readonly TranscriptSegment[], options: SplitSentencesOptions = {}): Sentence[] {
  const cleaned: { segment: TranscriptSegment; words: string[] }[] = [];
  for (const segment of segments) {
    const text = cleanCaptionText(segment.text);
    if (text.length > 0) cleaned.push({ segment, words: text.split(' ') });
  }
  const punctuated = isPunctuated(cleaned.flatMap((entry) => entry.words));
  const maxWords = options.maxWords ?? (punctuated ? 60 : 32);
  const targetWords = options.targetWords ?? 18;
  const pauseMs = options.pauseMs ?? 900;

  const sentences: Sentence[] = [];
  let words: string[] = [];
  let startMs = 0;
  let endMs = 0;
  /** True while the words being gathered continue a sentence cut at the word budget. */
  let continued = false;
  const flush = (): void => {
    if (words.length === 0) return;
    if (continued && punctuated && !words[0]!.startsWith('…')) words[0] = `…${words[0]}`;
    sentences.push({ index: sentences.length, text: words.join(' '), startMs, endMs, wordCount: words.length });
    words = [];
  };

  for (let s = 0; s < cleaned.length; s += 1) {
    const { segment, words: segmentWords } = cleaned[s]!;
    const segmentEnd = segment.startMs + Math.max(0, segment.durationMs);
    for (let w = 0; w < segmentWords.length; w += 1) {
      const word = segmentWords[w]!;
      if (words.length === 0) {
        startMs = Math.round(segment.startMs + (Math.max(0, segment.durationMs) * w) / segmentWords.length);
      }
      words.push(word);
      endMs = segmentEnd;
      if (punctuated && endsSentence(word)) {
        flush();
        continued = false;
      } else if (words.length >= maxWords) {
        // A sentence longer than the budget is cut; in punctuated text the cut is shown.
        if (punctuated) words[words.length - 1] = `${word}…`;
        flush();
        continued = punctuated;
      }
    }
    if (!punctuated && words.length > 0) {
      const next = cleaned[s + 1];
      const pause = next === undefined ? Infinity : next.segment.startMs - segmentEnd;
      if (words.length >= targetWords || (pause >= pauseMs && words.length >= 5)) flush();
    }
  }
  flush();
  return sentences;
}

function endsSentence(word: string): boolean {
  if (!TERMINAL.test(word)) return false;
  const bare = word
    .toLowerCase()
    .replace(/["'”’)\]]+$/u, '')
    .replace(/\.$/, '');
  if (word.endsWith('.') && (ABBREVIATIONS.has(bare) || /^\p{L}$/u.test(bare))) return false;
  return true;
}
