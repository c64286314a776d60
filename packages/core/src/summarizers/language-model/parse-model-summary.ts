import { z } from 'zod';
import { ErrorCode, TubesumError } from '../../errors.js';

/** `75`, `"75"`, `"1:15"`, `"01:02:05"` -> seconds. */
const seconds = z.union([
  z.number().finite().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^\d+(?::\d{1,2}){0,2}(?:\.\d+)?$/)
    .transform((value) => value.split(':').reduce((total, part) => total * 60 + Number(part), 0)),
]);

const keyPoint = z.object({ text: z.string().trim().min(1), seconds });

const summarySchema = z.object({
  tldr: z.string().trim().min(1),
  keyPoints: z.array(keyPoint),
  chapters: z.array(z.object({ title: z.string().trim().min(1), seconds, summary: z.string().trim().default('') })).nullish(),
});

const partSchema = z.object({
  title: z.string().trim().default(''),
  tldr: z.string().trim().min(1),
  keyPoints: z.array(keyPoint),
});

export type ModelSummary = z.output<typeof summarySchema>;
export type ModelPartSummary = z.output<typeof partSchema>;

/**
 * Reads the model's JSON answer: tolerates code fences and text around the object.
 * A malformed answer is a retryable `PROVIDER_ERROR` (a second try usually succeeds).
 */
export function parseModelSummary(text: string, provider: string): ModelSummary {
  return parseWith(summarySchema, text, provider);
}

/** Like {@link parseModelSummary} for the summary of one part of a long transcript. */
export function parseModelPartSummary(text: string, provider: string): ModelPartSummary {
  return parseWith(partSchema, text, provider);
}

function parseWith<Schema extends z.ZodType>(schema: Schema, text: string, provider: string): z.output<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(extractJsonObject(text));
  } catch (cause) {
    throw malformed(provider, text, 'it is not JSON', cause);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw malformed(provider, text, `\`${issue?.path.join('.') || 'answer'}\` ${issue?.message ?? 'is invalid'}`, result.error);
  }
  return result.data;
}

/** The text between the first `{` and the last `}`, after removing Markdown code fences. */
export function extractJsonObject(text: string): string {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start === -1 || end < start) throw new SyntaxError('no JSON object in the answer');
  return unfenced.slice(start, end + 1);
}

function malformed(provider: string, text: string, reason: string, cause: unknown): TubesumError {
  return new TubesumError(ErrorCode.PROVIDER_ERROR, `${provider} answered with a summary we could not read: ${reason}.`, {
    retryable: true,
    cause,
    details: { reason: 'malformed-answer', excerpt: text.slice(0, 200) },
  });
}
