import { z } from 'zod';

// The number schemas every options validator shares (core's and, through `@tubesum/core/executor`,
// `@tubesum/bullmq`'s). Each states what it expects in the words `validateOptions` puts after
// "Expected `field` to be": one wording per idea, whichever check (type, integer, bounds) failed.

/** A number that is a whole number, with one message for every way it can fail. */
function integer(expected: string) {
  return z.number({ error: expected }).int({ error: expected });
}

/** `1`, `2`, …: "a positive integer". Chain `.max()` with its own message, or use {@link integerFrom}. */
export const positiveInteger = integer('a positive integer').positive({ error: 'a positive integer' });

/** `0`, `1`, …: "a non-negative integer". */
export const nonNegativeInteger = integer('a non-negative integer').min(0, { error: 'a non-negative integer' });

/** Any number from 0 up, fractions allowed (a price): "a non-negative number". */
export const nonNegativeNumber = z.number({ error: 'a non-negative number' }).min(0, { error: 'a non-negative number' });

/** An integer of at least `min`: "an integer >= 1024". */
export function integerAtLeast(min: number) {
  const expected = `an integer >= ${min}`;
  return integer(expected).min(min, { error: expected });
}

/** An integer from `min` to `max`, both included: "an integer from 1 to 20". */
export function integerFrom(min: number, max: number) {
  const expected = `an integer from ${min} to ${max}`;
  return integer(expected).min(min, { error: expected }).max(max, { error: expected });
}

/** A duration of at least `min` milliseconds, fractions allowed (a delay): "a number of milliseconds >= 0". */
export function milliseconds(min = 0) {
  const expected = `a number of milliseconds >= ${min}`;
  return z.number({ error: expected }).min(min, { error: expected });
}

/**
 * A duration in whole milliseconds of at least `min`, for what takes integers only (Redis `PX`, SQLite's
 * busy timeout): "a whole number of milliseconds >= 100".
 */
export function wholeMilliseconds(min = 0) {
  const expected = `a whole number of milliseconds >= ${min}`;
  return integer(expected).min(min, { error: expected });
}

/** `RetryOptions` (`retry` of the processor, and of an executor's workers): attempts and the delays between them. */
export const retryOptionsSchema = z
  .object({
    attempts: integerFrom(1, 20).optional(),
    minDelayMs: milliseconds().optional(),
    maxDelayMs: milliseconds().optional(),
  })
  .strict();
