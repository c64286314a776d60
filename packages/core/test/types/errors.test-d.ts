// Error codes are a public contract (they are stored with items and exported to batch.json): these
// tests fail to compile when a code is renamed, added or removed, or when TubesumError changes shape.
import { describe, expectTypeOf, it } from 'vitest';
import { ErrorCode, TubesumError, isTubesumError } from '@tubesum/core';
import type { SerializedError, TubesumErrorOptions } from '@tubesum/core';

describe('ErrorCode', () => {
  it('is the union of its values, each spelled as its key', () => {
    expectTypeOf<ErrorCode>().toEqualTypeOf<
      | 'INVALID_URL'
      | 'INVALID_OPTIONS'
      | 'LIST_UNAVAILABLE'
      | 'VIDEO_UNAVAILABLE'
      | 'VIDEO_UNPLAYABLE'
      | 'AGE_RESTRICTED'
      | 'TRANSCRIPTS_DISABLED'
      | 'NO_TRANSCRIPT_IN_LANGUAGE'
      | 'REQUEST_BLOCKED'
      | 'TOO_MANY_REQUESTS'
      | 'PO_TOKEN_REQUIRED'
      | 'EMPTY_TRANSCRIPT'
      | 'RATE_LIMITED'
      | 'OVERLOADED'
      | 'AUTHENTICATION_FAILED'
      | 'CONTEXT_TOO_LONG'
      | 'SPEND_LIMIT_REACHED'
      | 'PROVIDER_ERROR'
      | 'TIMEOUT'
      | 'CANCELLED'
      | 'STORAGE_ERROR'
      | 'NOT_FOUND'
      | 'NETWORK_ERROR'
      | 'UNEXPECTED_RESPONSE'
      | 'EXPORT_TOO_LARGE'
      | 'BATCH_EXPIRED'
    >();
    expectTypeOf<{ [Code in keyof typeof ErrorCode]: (typeof ErrorCode)[Code] }>().toEqualTypeOf<{ readonly [Code in ErrorCode]: Code }>();
  });
});

describe('TubesumError', () => {
  it('carries the facts as typed fields', () => {
    expectTypeOf<TubesumError>().toExtend<Error>();
    expectTypeOf<TubesumError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<TubesumError['retryable']>().toEqualTypeOf<boolean>();
    expectTypeOf<TubesumError['retryAfterMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<TubesumError['videoId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TubesumError['toJSON']>().returns.toEqualTypeOf<SerializedError>();
    expectTypeOf<SerializedError>().toExtend<{ code: ErrorCode; message: string; retryable: boolean }>();
  });

  it('is made from a code, a message and options; a code outside ErrorCode does not compile', () => {
    expectTypeOf(TubesumError).constructorParameters.toEqualTypeOf<[code: ErrorCode, message: string, options?: TubesumErrorOptions]>();
    // @ts-expect-error: not an ErrorCode
    new TubesumError('NOT_A_CODE', 'message');
  });

  it('is narrowed by isTubesumError, with a code or without', () => {
    const error: unknown = new Error('x');
    if (isTubesumError(error)) expectTypeOf(error).toEqualTypeOf<TubesumError>();
    if (isTubesumError(error, ErrorCode.RATE_LIMITED)) expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
    // @ts-expect-error: not an ErrorCode
    isTubesumError(error, 'RATE_LIMTED');
  });
});
