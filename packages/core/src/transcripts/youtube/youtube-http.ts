import { cancelledError, ErrorCode, TubesumError } from '../../errors.js';
import { untilAborted } from '../../internal/abort.js';
import { readTextBody } from '../../internal/read-text-body.js';
import { describeError } from './youtube-errors.js';
import type { YouTubeRequestLimiter } from './youtube-request-limiter.js';

/** The `fetch` signature {@link YouTubeTranscriptSource} calls. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A whole answer of YouTube: the body is already read (within the time and size limits). */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** One request to YouTube for one video. */
export interface YouTubeRequest {
  url: string;
  init: RequestInit;
  /** What is asked for, for messages: `player API`, `watch page`, `caption file`, `oEmbed`. */
  what: string;
  videoId: string;
  signal: AbortSignal | undefined;
}

/** How every request of a {@link YouTubeTranscriptSource} is made. */
export interface YouTubeHttpOptions {
  fetch: FetchFunction;
  limiter: YouTubeRequestLimiter;
  requestTimeoutMs: number;
  maxResponseBytes: number;
}

/**
 * One paced, timed, size-capped request: it waits its turn at the limiter, then fetches and
 * reads the body inside the time limit. Fails with `CANCELLED` (the caller's signal), `TIMEOUT`,
 * `UNEXPECTED_RESPONSE` (a body over the size cap) or `NETWORK_ERROR`.
 */
export function youtubeRequest(options: YouTubeHttpOptions, request: YouTubeRequest): Promise<HttpAnswer> {
  const { signal, videoId } = request;
  return options.limiter
    .run(() => timedRequest(options, request), signal)
    .catch((error: unknown) => {
      if (signal?.aborted) throw cancelledError(signal, videoId);
      throw error;
    });
}

async function timedRequest(options: YouTubeHttpOptions, { url, init, what, videoId, signal }: YouTubeRequest): Promise<HttpAnswer> {
  const { requestTimeoutMs, maxResponseBytes } = options;
  const controller = new AbortController();
  const timeout = new TubesumError(ErrorCode.TIMEOUT, `YouTube did not answer the ${what} request for ${videoId} within ${requestTimeoutMs} ms.`, {
    videoId,
    details: { source: 'youtube', request: what },
  });
  const onAbort = () => controller.abort(cancelledError(signal, videoId));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(timeout), requestTimeoutMs);
  try {
    const work = (async () => {
      const response = await options.fetch(url, { ...init, signal: controller.signal });
      const body = await readTextBody(
        response,
        maxResponseBytes,
        () =>
          new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's ${what} answer for ${videoId} is larger than ${maxResponseBytes} bytes.`, {
            videoId,
            details: { source: 'youtube', request: what },
          }),
      );
      return { status: response.status, headers: response.headers, body };
    })();
    return await untilAborted(work, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    if (error instanceof TubesumError) throw error;
    throw new TubesumError(ErrorCode.NETWORK_ERROR, `Could not reach YouTube (${what} request for ${videoId}): ${describeError(error)}.`, {
      videoId,
      cause: error,
      details: { source: 'youtube', request: what },
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
