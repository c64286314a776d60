import type { Summary } from './summarizer.js';
import { escapeInline, oneLine, prose } from '../internal/markdown-text.js';
import { timestampLabel, timestampUrl } from '../youtube-links.js';

/** The parts of a {@link Summary} that its Markdown is made from. */
export type SummaryContent = Pick<Summary, 'tldr' | 'keyPoints' | 'chapters' | 'extractive' | 'partial'>;

export interface RenderSummaryMarkdownOptions {
  /** Explains what is missing when the summary is partial. */
  partialNote?: string | undefined;
  /**
   * Markdown written in place of the sections when the summary has none (no TL;DR, key points
   * or chapters): a custom summarizer's own text. Written as is.
   */
  freeForm?: string | undefined;
}

/**
 * The one renderer of a summary as Markdown (the summarizers' `summary.markdown` and the summary
 * files of an export): TL;DR, key points with timestamp links into the video, chapters. No title
 * heading: whoever embeds it (an export, a message) adds its own. A model's text is untrusted:
 * prose keeps its own emphasis but no raw HTML, chapter titles are inert, every item is one line.
 */
export function renderSummaryMarkdown(videoId: string, summary: SummaryContent, options: RenderSummaryMarkdownOptions = {}): string {
  const link = (ms: number): string => `[${timestampLabel(ms)}](${timestampUrl(videoId, ms)})`;
  const lines: string[] = [];
  if (summary.partial) {
    lines.push(`> **Partial summary:** ${options.partialNote ?? 'part of the transcript could not be summarized.'}`, '');
  }
  const chapters = summary.chapters ?? [];
  if (oneLine(summary.tldr) === '' && summary.keyPoints.length === 0 && chapters.length === 0) {
    if (options.freeForm !== undefined) lines.push(options.freeForm.trim(), '');
  } else {
    if (oneLine(summary.tldr) !== '') lines.push('## TL;DR', '', prose(summary.tldr), '');
    if (summary.keyPoints.length > 0) {
      lines.push('## Key points', '');
      for (const point of summary.keyPoints) lines.push(`- ${link(point.startMs)} ${prose(point.text)}`);
      lines.push('');
    }
    if (chapters.length > 0) {
      lines.push('## Chapters', '');
      for (const chapter of chapters) {
        lines.push(`### ${link(chapter.startMs)} ${escapeInline(chapter.title)}`, '');
        if (oneLine(chapter.summary) !== '') lines.push(prose(chapter.summary), '');
      }
    }
  }
  if (summary.extractive) {
    lines.push('_Extractive summary: sentences picked from the transcript, not rewritten._', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
