import type { TranscriptSegment } from '../../transcripts/transcript-source.js';
import { cleanCaptionText } from '../split-sentences.js';
import { estimateTokens } from './estimate-tokens.js';

/** Caption segments merged into a line of the prompt, with the time it starts. */
export interface TranscriptLine {
  startMs: number;
  text: string;
}

/** A stretch of the transcript that is summarized on its own when the whole does not fit. */
export interface TranscriptWindow {
  /** Position among the windows, from 0. */
  index: number;
  lines: TranscriptLine[];
  startMs: number;
  /** Start of the first line after this window, or the end of the video. */
  endMs: number;
}

export interface TranscriptLinesOptions {
  /** A line spans at most this much time. @default 20_000 */
  maxLineMs?: number | undefined;
  /** A line holds at most this many words. @default 60 */
  maxLineWords?: number | undefined;
}

/**
 * Merges caption segments into lines of up to ~20 s, so that one `[mm:ss]` timestamp
 * stands for a few sentences: timestamps stay useful and cost few tokens.
 */
export function transcriptLines(segments: readonly TranscriptSegment[], options: TranscriptLinesOptions = {}): TranscriptLine[] {
  const maxLineMs = options.maxLineMs ?? 20_000;
  const maxLineWords = options.maxLineWords ?? 60;
  const lines: TranscriptLine[] = [];
  let words: string[] = [];
  let startMs = 0;
  for (const segment of segments) {
    const text = cleanCaptionText(segment.text);
    if (text.length === 0) continue;
    if (words.length > 0 && (segment.startMs - startMs >= maxLineMs || words.length >= maxLineWords)) {
      lines.push({ startMs, text: words.join(' ') });
      words = [];
    }
    if (words.length === 0) startMs = segment.startMs;
    words.push(text);
  }
  if (words.length > 0) lines.push({ startMs, text: words.join(' ') });
  return lines;
}

/**
 * Cuts lines into consecutive windows of at most `maxTokens` estimated tokens each (a
 * single line longer than that is cut on words). Cuts fall on line starts, so every window
 * begins at a real timestamp.
 */
export function chunkTranscript(lines: readonly TranscriptLine[], maxTokens: number, endMs: number): TranscriptWindow[] {
  const budget = Math.max(1, Math.floor(maxTokens));
  const pieces: TranscriptLine[] = [];
  for (const line of lines) {
    if (estimateTokens(line.text) + 4 <= budget) {
      pieces.push(line);
      continue;
    }
    let words: string[] = [];
    for (const word of line.text.split(' ')) {
      if (words.length > 0 && estimateTokens(`${words.join(' ')} ${word}`) + 4 > budget) {
        pieces.push({ startMs: line.startMs, text: words.join(' ') });
        words = [];
      }
      words.push(word);
    }
    if (words.length > 0) pieces.push({ startMs: line.startMs, text: words.join(' ') });
  }

  const windows: TranscriptWindow[] = [];
  let current: TranscriptLine[] = [];
  let used = 0;
  const close = (nextStartMs: number): void => {
    if (current.length === 0) return;
    windows.push({ index: windows.length, lines: current, startMs: current[0]!.startMs, endMs: nextStartMs });
    current = [];
    used = 0;
  };
  for (const piece of pieces) {
    const cost = estimateTokens(piece.text) + 4; // "[mm:ss] " and the newline
    if (current.length > 0 && used + cost > budget) close(piece.startMs);
    current.push(piece);
    used += cost;
  }
  close(Math.max(endMs, pieces[pieces.length - 1]?.startMs ?? 0));
  return windows;
}
