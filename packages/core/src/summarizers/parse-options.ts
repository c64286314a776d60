import type { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';

/**
 * Validates an options object at the boundary; on failure throws `INVALID_OPTIONS` whose
 * message names the field, what was expected and what arrived.
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, input: unknown, owner: string): z.output<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'options';
  const received = describe(valueAt(input, issue?.path ?? []));
  throw new TubesumError(
    ErrorCode.INVALID_OPTIONS,
    `${owner}: expected \`${path}\` ${issue ? expectation(issue) : 'to be valid'}, got ${received}.`,
    { details: { issues: result.error.issues.map((entry) => ({ path: entry.path.join('.'), message: entry.message })) } },
  );
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `to have no unknown keys (${issue.keys.join(', ')})`;
  return `to match: ${issue.message}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `\`${JSON.stringify(value).slice(0, 80)}\``;
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return '`undefined`';
  try {
    return `\`${String(JSON.stringify(value)).slice(0, 80)}\``;
  } catch {
    return `\`${String(value)}\``;
  }
}
