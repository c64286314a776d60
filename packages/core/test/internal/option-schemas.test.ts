import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode } from '@tubesum/core';
import {
  integerAtLeast,
  integerFrom,
  milliseconds,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  retryOptionsSchema,
  wholeMilliseconds,
} from '@tubesum/core/executor';
import { validateOptions } from '../../src/internal/validate-options.js';

/** The message validateOptions gives for `{ value }`, or undefined when the value passes. */
function messageFor(schema: z.ZodType, value: unknown): string | undefined {
  try {
    validateOptions(z.object({ value: schema }).strict(), { value }, 'test options');
    return undefined;
  } catch (error) {
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS });
    return (error as Error).message;
  }
}

describe('the shared option schemas', () => {
  it.each<[string, z.ZodType, unknown[], unknown[], string]>([
    ['positiveInteger', positiveInteger, [1, 2_000_000], [0, -1, 1.5, '3', Number.NaN, undefined], 'a positive integer'],
    ['nonNegativeInteger', nonNegativeInteger, [0, 7], [-1, 0.5, '0'], 'a non-negative integer'],
    ['nonNegativeNumber', nonNegativeNumber, [0, 0.25, 3], [-0.01, '1'], 'a non-negative number'],
    ['integerAtLeast(1024)', integerAtLeast(1024), [1024, 4096], [1023, 1024.5, null], 'an integer >= 1024'],
    ['integerFrom(1, 20)', integerFrom(1, 20), [1, 20], [0, 21, 2.5, 'x'], 'an integer from 1 to 20'],
    ['milliseconds()', milliseconds(), [0, 12.5], [-1, '10'], 'a number of milliseconds >= 0'],
    ['milliseconds(50)', milliseconds(50), [50, 50.5], [49.9], 'a number of milliseconds >= 50'],
    ['wholeMilliseconds(100)', wholeMilliseconds(100), [100, 60_000], [99, 150.5, true], 'a whole number of milliseconds >= 100'],
  ])('%s says one thing for every way a value fails', (_name, schema, good, bad, expected) => {
    for (const value of good) expect(messageFor(schema, value)).toBeUndefined();
    for (const value of bad)
      expect(messageFor(schema, value)).toMatch(new RegExp(`^Expected \`value\` to be ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, got \``));
  });

  it('checks retry options the same way wherever they are given', () => {
    expect(retryOptionsSchema.parse({ attempts: 3, minDelayMs: 0.5, maxDelayMs: 10 })).toEqual({ attempts: 3, minDelayMs: 0.5, maxDelayMs: 10 });
    expect(() => validateOptions(retryOptionsSchema, { attempts: 21 }, 'retry')).toThrow('Expected `attempts` to be an integer from 1 to 20, got `21` (retry)');
    expect(() => validateOptions(retryOptionsSchema, { delay: 1 }, 'retry')).toThrow('Expected `delay` to be absent');
  });
});
