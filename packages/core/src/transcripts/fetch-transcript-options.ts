import { z } from 'zod';
import { validateOptions } from '../internal/validate-options.js';
import type { FetchTranscriptOptions } from './transcript-source.js';

const schema = z.object({
  signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
  languages: z
    .array(
      z.string({ error: 'a language code such as "en"' }).min(1, { error: 'a language code such as "en"' }).max(35, { error: 'a language code such as "en"' }),
      {
        error: 'an array of language codes such as ["en"]',
      },
    )
    .max(50, { error: 'an array of at most 50 language codes' })
    .optional(),
});

/** Checks the options of one `fetchTranscript` call (a JavaScript caller may pass anything). */
export function validateFetchTranscriptOptions(options: FetchTranscriptOptions): FetchTranscriptOptions {
  validateOptions(schema, options, 'fetchTranscript options');
  return options;
}
