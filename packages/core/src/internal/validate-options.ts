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
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.map(String).join('.') : context;
  const got = describeValue(valueAt(value, issue?.path ?? []));
  const said = issue?.message ?? 'a valid value';
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
