// The `fetch` youtubei.js is given while a list is expanded: every request paced by the
// YouTube request limiter, bound to the expansion's signal and a time limit, its body read
// in full (size-capped) inside that time limit, and its failures typed.
import { cancelledError, ErrorCode, TubesumError } from '../errors.js';
import { untilAborted } from '../internal/abort.js';
import { readTextBody } from '../internal/read-text-body.js';
import type { FetchFunction } from '../transcripts/youtube/youtube-http.js';
import type { YouTubeRequestLimiter } from '../transcripts/youtube/youtube-request-limiter.js';

export interface ListHttpOptions {
  fetch: FetchFunction;
  limiter: YouTubeRequestLimiter;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  /** The expansion's signal. */
  signal: AbortSignal | undefined;
  /** Names the list in error messages: `playlist PLxxxx`. */
  what: string;
}

/** A `fetch` for youtubei.js that goes through the limiter and throws typed errors. */
export function createListFetch(options: ListHttpOptions): FetchFunction {
  const { limiter, signal } = options;
  return (input, init) =>
    limiter
      .run(() => timedRequest(options, input, init), signal)
      .catch((error: unknown) => {
        if (signal?.aborted) throw cancelledError(signal);
        throw error;
      });
}

async function timedRequest(options: ListHttpOptions, input: string | URL | Request, init: RequestInit | undefined): Promise<Response> {
  const { signal, requestTimeoutMs, what, limiter } = options;
  const controller = new AbortController();
  const timeout = new TubesumError(ErrorCode.TIMEOUT, `YouTube did not answer a request for ${what} within ${requestTimeoutMs} ms.`, {
    details: { source: 'youtube', list: what },
  });
  const onAbort = () => controller.abort(cancelledError(signal));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(timeout), requestTimeoutMs);
  try {
    const work = (async () => {
      const response = await options.fetch(input, { ...init, signal: controller.signal });
      const body = await readTextBody(
        response,
        options.maxResponseBytes,
        () =>
          new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `A YouTube answer for ${what} is larger than ${options.maxResponseBytes} bytes.`, {
            details: { source: 'youtube', list: what },
          }),
      );
      return { response, body };
    })();
    const { response, body } = await untilAborted(work, controller.signal);
    if (response.status === 429) {
      limiter.reportBlocked();
      throw new TubesumError(ErrorCode.TOO_MANY_REQUESTS, `YouTube answered 429 (too many requests) while reading ${what}; retry later or use a proxy.`, {
        details: { source: 'youtube', list: what, status: 429 },
      });
    }
    if (!response.ok) {
      throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube answered HTTP ${response.status} while reading ${what}.`, {
        retryable: response.status >= 500,
        details: { source: 'youtube', list: what, status: response.status },
      });
    }
    limiter.reportSuccess();
    return new Response(body, { status: response.status, headers: response.headers });
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    if (error instanceof TubesumError) throw error;
    throw new TubesumError(
      ErrorCode.NETWORK_ERROR,
      `Could not reach YouTube while reading ${what}: ${error instanceof Error ? error.message : String(error)}.`,
      {
        cause: error,
        details: { source: 'youtube', list: what },
      },
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
