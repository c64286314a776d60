import { createHash } from 'node:crypto';
import type { Summarizer } from '../summarizers/summarizer.js';
import type { Transcript } from '../transcripts/transcript-source.js';
import type { JobOptions } from '../records.js';

/** Cache key of a transcript: the video and the languages asked for. */
export function transcriptCacheKey(videoId: string, languages: readonly string[] | undefined): string {
  return `transcript:v1:${videoId}:${languages?.join(',') ?? 'default'}`;
}

/**
 * Cache key of a summary: everything that changes it (video, transcript language, model, prompt
 * version, length, output language, instructions), so the same work is never paid for twice and a
 * change of any of them makes a new summary.
 */
export function summaryCacheKey(
  videoId: string,
  transcript: Pick<Transcript, 'language'>,
  summarizer: Pick<Summarizer, 'model' | 'promptVersion'>,
  options: JobOptions,
): string {
  const parts = {
    videoId,
    transcriptLanguage: transcript.language,
    model: summarizer.model,
    promptVersion: summarizer.promptVersion,
    length: options.length ?? 'standard',
    language: options.language ?? null,
    instructions: options.instructions ?? null,
  };
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  return `summary:v1:${videoId}:${digest}`;
}
