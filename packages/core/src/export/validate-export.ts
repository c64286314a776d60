// Validation of what callers hand to the export: a job snapshot and its entries.
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';
import type { ItemStatus, JobStatus } from '../records.js';

// Every status, checked against the types: a new status that the export did not list failed the
// export of every job in it (a paused job could not be exported before 'paused' was listed here).
const ITEM_STATUSES = { pending: true, running: true, done: true, failed: true, cancelled: true } satisfies Record<ItemStatus, true>;
const JOB_STATUSES = { running: true, paused: true, done: true, cancelled: true } satisfies Record<JobStatus, true>;
const STATUSES = Object.keys(ITEM_STATUSES) as [ItemStatus, ...ItemStatus[]];

export const jobSchema = z.looseObject({
  id: z.string(),
  createdAt: z.string(),
  status: z.enum(Object.keys(JOB_STATUSES) as [JobStatus, ...JobStatus[]]),
  total: z.number(),
  options: z.looseObject({}),
  rejected: z.array(z.object({ input: z.string(), reason: z.string() })),
  duplicates: z.array(z.object({ input: z.string(), videoId: z.string() })),
  costUsd: z.number().nonnegative().optional(),
});

const itemSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  videoId: z.string(),
  url: z.string(),
  input: z.string(),
  status: z.enum(STATUSES),
  costUsd: z.number().nonnegative().optional(),
});

/** A bad time from a summarizer (NaN) shows as 0:00 rather than failing the whole export. */
const timeSchema = z.union([z.number(), z.nan()]);

const summaryRecordSchema = z.looseObject({
  transcriptLanguage: z.string(),
  createdAt: z.string(),
  summary: z.looseObject({
    tldr: z.string(),
    markdown: z.string(),
    language: z.string(),
    model: z.string(),
    keyPoints: z.array(z.looseObject({ text: z.string(), startMs: timeSchema })),
    chapters: z.array(z.looseObject({ title: z.string(), startMs: timeSchema, summary: z.string() })).optional(),
  }),
});

export const entrySchema = z.looseObject({ item: itemSchema, summary: summaryRecordSchema.optional() });

export function invalid(path: string, expected: string, value: unknown): TubesumError {
  const got =
    value === null
      ? '`null`'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'string'
          ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
          : typeof value === 'number' || typeof value === 'boolean'
            ? `\`${String(value)}\``
            : typeof value === 'undefined'
              ? '`undefined`'
              : `a value of type ${typeof value}`;
  return new TubesumError(ErrorCode.INVALID_OPTIONS, `Expected \`${path}\` to be ${expected}, got ${got}`);
}

/** Validates `value`, or throws `INVALID_OPTIONS` naming the first bad field, what it should be and what arrived. */
export function check(schema: z.ZodType, value: unknown, path: string, expected: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0];
  if (issue === undefined || issue.path.length === 0) throw invalid(path, expected, value);
  let at: unknown = value;
  for (const key of issue.path) at = (at as Record<PropertyKey, unknown> | undefined)?.[key];
  const wanted =
    issue.code === 'invalid_type'
      ? `a${/^[aeiou]/.test(issue.expected) ? 'n' : ''} ${issue.expected}`
      : issue.code === 'invalid_value'
        ? `one of ${issue.values.map((each) => JSON.stringify(each)).join(', ')}`
        : issue.message;
  const field = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
  throw invalid(`${path}${field}`, wanted, at);
}
