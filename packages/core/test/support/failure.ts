import { expect } from 'vitest';
import { TubesumError } from '../../src/errors.js';

/** The TubesumError `promise` rejects with; the test fails if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<TubesumError> {
  const error: unknown = await promise.then(
    (value: unknown) => ({ resolvedWith: value }),
    (caught: unknown) => caught,
  );
  expect(error, 'expected a rejection with a TubesumError').toBeInstanceOf(TubesumError);
  return error as TubesumError;
}
