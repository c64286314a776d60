import type { Summary } from './summarizer.js';
import { timestampLabel, timestampUrl } from '../youtube-links.js';

/** The parts of a {@link Summary} that its Markdown is made from. */
export type SummaryContent = Pick<Summary, 'tldr' | 'keyPoints' | 'chapters' | 'extractive' | 'partial'>;

export interface RenderSummaryMarkdownOptions {
  /** Explains what is missing when the summary is partial. */
  partialNote?: string | undefined;
}

/**
 * Renders a summary as Markdown: TL;DR, key points with timestamp links into the video,
 * chapters. No title heading: whoever embeds it (an export, a message) adds its own.
 */
export function renderSummaryMarkdown(
  videoId: string,
  summary: SummaryContent,
  options: RenderSummaryMarkdownOptions = {},
): string {
  const link = (ms: number): string => `[${timestampLabel(ms)}](${timestampUrl(videoId, ms)})`;
  const lines: string[] = [];
  if (summary.partial) {
    lines.push(`> **Partial summary:** ${options.partialNote ?? 'part of the transcript could not be summarized.'}`, '');
  }
  lines.push('## TL;DR', '', oneLine(summary.tldr), '');
  if (summary.keyPoints.length > 0) {
    lines.push('## Key points', '');
    for (const point of summary.keyPoints) lines.push(`- ${link(point.startMs)} ${oneLine(point.text)}`);
    lines.push('');
  }
  if (summary.chapters && summary.chapters.length > 0) {
    lines.push('## Chapters', '');
    for (const chapter of summary.chapters) {
      lines.push(`### ${link(chapter.startMs)} ${oneLine(chapter.title)}`, '', oneLine(chapter.summary), '');
    }
  }
  if (summary.extractive) {
    lines.push('_Extractive summary: sentences picked from the transcript, not rewritten._', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Collapses whitespace so a model's or a caption's line breaks cannot break the list layout. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
