import { ErrorCode, TubesumError } from '../errors.js';

/** Network failures that mean "this machine cannot reach the service at all", not a hiccup. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (current instanceof AggregateError) for (const each of current.errors) codes.push(...causeCodes(each));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Whether `error` stops the whole batch at once, without another attempt of the item. */
export function pausesAtOnce(error: TubesumError): boolean {
  switch (error.code) {
    case ErrorCode.AUTHENTICATION_FAILED:
    case ErrorCode.SPEND_LIMIT_REACHED:
      return true;
    case ErrorCode.PROVIDER_ERROR:
      // An unknown model (404): every video would fail the same way.
      return error.details?.status === 404;
    case ErrorCode.NETWORK_ERROR:
      return causeCodes(error).some((code) => UNREACHABLE.has(code));
    default:
      return false;
  }
}

/**
 * Why a failure of one item should pause its whole batch instead of failing the item, or undefined
 * when it concerns that item only. Provider-wide failures (a dead key, an exhausted spend limit, an
 * unknown model) and an unreachable service would fail every video alike; a YouTube block that is
 * still there after every retry (and the request limiter's pauses) would too. A storage failure
 * after its retries means the item cannot be recorded. In each case the batch waits for `resume()`
 * once the cause is fixed, and nothing more is spent meanwhile.
 */
export function pauseReasonOf(error: TubesumError): TubesumError | undefined {
  if (error.code === ErrorCode.NETWORK_ERROR && pausesAtOnce(error)) {
    const service = /\bYouTube\b/.test(error.message) ? 'YouTube' : 'A service';
    return new TubesumError(
      ErrorCode.NETWORK_ERROR,
      `${service} cannot be reached from this machine (${error.message}) Check the network or the proxy, then resume the batch.`,
      {
        cause: error,
        retryable: true,
      },
    );
  }
  if (pausesAtOnce(error)) return error;
  if (error.code === ErrorCode.REQUEST_BLOCKED || error.code === ErrorCode.TOO_MANY_REQUESTS || error.code === ErrorCode.STORAGE_ERROR) return error;
  return undefined;
}
