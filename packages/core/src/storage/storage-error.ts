import { ErrorCode, TubesumError, isTubesumError } from '../errors.js';

/** The message of any thrown value, on one line. */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node reports a refused connection to a name with several addresses as an AggregateError with no message.
    return [...new Set(error.errors.map(errorMessage))].join('; ');
  }
  if (error instanceof Error) return error.message || error.name || error.constructor.name;
  return String(error);
}

/**
 * A `STORAGE_ERROR` naming what the store was doing and where, with the backend's error as `cause`.
 * A {@link TubesumError} passes through unchanged.
 */
export function storageError(operation: string, where: string, cause: unknown): TubesumError {
  if (isTubesumError(cause)) return cause;
  return new TubesumError(ErrorCode.STORAGE_ERROR, `Could not ${operation} in ${where}: ${errorMessage(cause)}`, { cause });
}
