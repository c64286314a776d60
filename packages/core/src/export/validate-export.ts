// Validation of what callers hand to the export: a job snapshot and its entries.
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';
import type { ItemStatus, JobSnapshot, JobStatus } from '../records.js';
import { upgradeStoredJobState } from '../upgrade-stored-job-state.js';

// Every status, checked against the types: a new status that the export did not list failed the
// export of every job in it (a paused job could not be exported before 'paused' was listed here).
const ITEM_STATUSES = { pending: true, running: true, done: true, failed: true, cancelled: true } satisfies Record<ItemStatus, true>;
const JOB_STATUSES = { running: true, paused: true, done: true, failed: true, cancelled: true } satisfies Record<JobStatus, true>;
const STATUSES = Object.keys(ITEM_STATUSES) as [ItemStatus, ...ItemStatus[]];

const jobSchema = z.looseObject({
  id: z.string(),
  createdAt: z.string(),
  status: z.enum(Object.keys(JOB_STATUSES) as [JobStatus, ...JobStatus[]]),
  total: z.number(),
  counts: z.looseObject({ failed: z.number().int().nonnegative() }),
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

/**
 * The job handed to an export, validated (`INVALID_OPTIONS` naming the first bad field), in today's
 * words: a snapshot from an earlier version that says `done` with failed items is exported as `failed`.
 */
export function checkJob(job: JobSnapshot): JobSnapshot {
  check(jobSchema, job, 'job', 'a job snapshot');
  return upgradeStoredJobState(job);
}

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

// What `entrySchema` accepts, checked by hand: an export checks every entry, and zod took about 8 µs
// an entry (a sixth of a 10,000-video export). Never looser than the schema (a test checks that on
// generated entries): what this rejects goes to the schema, which accepts it or names the bad field.
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isTime = (value: unknown) => typeof value === 'number' && (Number.isFinite(value) || Number.isNaN(value));
const isCost = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
const isKeyPoint = (value: unknown) => isRecord(value) && isString(value.text) && isTime(value.startMs);
const isChapter = (value: unknown) => isRecord(value) && isString(value.title) && isTime(value.startMs) && isString(value.summary);

function isItem(item: unknown): boolean {
  return (
    isRecord(item) &&
    Number.isSafeInteger(item.index) &&
    (item.index as number) >= 0 &&
    isString(item.videoId) &&
    isString(item.url) &&
    isString(item.input) &&
    isString(item.status) &&
    Object.hasOwn(ITEM_STATUSES, item.status) &&
    isCost(item.costUsd)
  );
}

function isSummaryRecord(record: unknown): boolean {
  if (!isRecord(record) || !isString(record.transcriptLanguage) || !isString(record.createdAt)) return false;
  const { summary } = record;
  return (
    isRecord(summary) &&
    isString(summary.tldr) &&
    isString(summary.markdown) &&
    isString(summary.language) &&
    isString(summary.model) &&
    Array.isArray(summary.keyPoints) &&
    summary.keyPoints.every(isKeyPoint) &&
    (summary.chapters === undefined || (Array.isArray(summary.chapters) && summary.chapters.every(isChapter)))
  );
}

/** Whether `entry` is surely what {@link entrySchema} accepts (false: ask the schema). */
export function isExportEntry(entry: unknown): boolean {
  return isRecord(entry) && isItem(entry.item) && (entry.summary === undefined || isSummaryRecord(entry.summary));
}

/** Validates one export entry, or throws `INVALID_OPTIONS` naming its first bad field (see {@link check}). */
export function checkEntry(entry: unknown, path: string): void {
  if (!isExportEntry(entry)) check(entrySchema, entry, path, 'an object { item, summary? }');
}

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
