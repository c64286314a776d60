import type { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';

/** Shows a value the way an error message should: short, one line, never a secret-sized blob. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * The issue to report: for a union whose branches all failed, the branch issue that got
 * furthest into the value (`urls.1` rather than `urls` for `['dQw4w9WgXcQ', null]`), when
 * one got past the union itself.
 */
function deepest(issue: z.core.$ZodIssue | undefined): z.core.$ZodIssue | undefined {
  if (issue?.code !== 'invalid_union') return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && first.path.length > 0 && (best === undefined || first.path.length > best.path.length)) best = first;
  }
  return best ? deepest({ ...best, path: [...issue.path, ...best.path] }) : issue;
}

/**
 * Parses `value` with `schema`, or throws an `INVALID_OPTIONS` {@link TubesumError} whose
 * message names the field, what was expected and what arrived:
 * ``Expected `concurrency.transcripts` to be a positive integer, got `0` (BatchProcessor options)``.
 *
 * Each schema states what it expects with `.describe()` or a custom message;
 * otherwise zod's own message is used.
 */
export function validateOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, context: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = deepest(result.error.issues[0]);
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const where = [...(issue?.path ?? []), ...(unknownKey === undefined ? [] : [unknownKey])];
  const path = where.length ? where.map(String).join('.') : context;
  const got = describeValue(valueAt(value, where));
  const said = unknownKey === undefined ? (issue?.message ?? 'a valid value') : 'absent (not an option; check the spelling)';
  // Our schemas state what they expect in lower case ("a positive integer"); zod's own
  // messages are sentences ("Too small: expected number to be >=64").
  const message = /^[a-z`]/.test(said)
    ? `Expected \`${path}\` to be ${said}, got \`${got}\` (${context})`
    : `Invalid \`${path}\`: ${said}; got \`${got}\` (${context})`;
  throw new TubesumError(ErrorCode.INVALID_OPTIONS, message, {
    cause: result.error,
    details: { path, issues: result.error.issues.map((each) => ({ path: each.path.map(String), message: each.message })) },
  });
}
