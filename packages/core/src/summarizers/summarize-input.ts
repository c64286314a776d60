import { z } from 'zod';
import { validateOptions } from '../internal/validate-options.js';
import type { Transcript } from '../transcripts/transcript-source.js';
import type { SummarizeOptions } from './summarizer.js';

const time = z.number({ error: 'a number of milliseconds' });

const inputSchema = z.object({
  transcript: z.looseObject(
    {
      videoId: z.string({ error: 'a video id' }).min(1, { error: 'a video id' }),
      language: z.string({ error: 'a language code such as "en"' }),
      segments: z.array(z.looseObject({ startMs: time, durationMs: time, text: z.string({ error: 'a string' }) }), {
        error: 'an array of { startMs, durationMs, text }',
      }),
      title: z.string({ error: 'a string' }).optional(),
      channel: z.string({ error: 'a string' }).optional(),
      durationSeconds: z.number({ error: 'a number of seconds' }).optional(),
    },
    { error: 'a transcript { videoId, language, segments }' },
  ),
  options: z.object(
    {
      signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
      length: z.enum(['short', 'standard', 'detailed'], { error: 'one of `short`, `standard`, `detailed`' }).optional(),
      language: z
        .string({ error: 'a language code such as "en"' })
        .min(1, { error: 'a language code such as "en"' })
        .max(35, { error: 'a language code such as "en"' })
        .optional(),
      instructions: z.string({ error: 'a string' }).max(4000, { error: 'a string of at most 4000 characters' }).optional(),
    },
    { error: 'an options object' },
  ),
});

/**
 * Checks the arguments of one `summarize` call, so a JavaScript caller's mistake is an
 * `INVALID_OPTIONS` naming the field rather than a `TypeError` or a silently odd summary.
 */
export function validateSummarizeInput(transcript: Transcript, options: SummarizeOptions): void {
  validateOptions(inputSchema, { transcript, options }, 'summarize()');
}
