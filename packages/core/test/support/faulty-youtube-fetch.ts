import type { FetchFunction } from '../../src/transcripts/youtube/youtube-http.js';
import { connectionResetError } from '../transcripts/fake-youtube.js';
import { chaosSeed, seededRandomFor } from './seeded-random.js';

/**
 * The transient faults YouTube (or the network on the way) produces:
 * - `server-error`: an HTTP 500, 502 or 503 with an HTML error page, the request never answered;
 * - `connection-reset`: the connection is reset, before the answer (`fetch` rejects with
 *   `TypeError('fetch failed')` whose cause has code `ECONNRESET`, as undici does) or while the
 *   body streams (reading it rejects with `TypeError('terminated')`, same cause);
 * - `truncated-body`: the real answer's status and headers with a strict prefix of its body,
 *   as a connection closed early leaves it.
 */
export type YouTubeFault = 'server-error' | 'connection-reset' | 'truncated-body';

export const YOUTUBE_FAULTS: readonly YouTubeFault[] = ['server-error', 'connection-reset', 'truncated-body'];

export interface FaultyYouTubeFetchOptions {
  /** Share of requests that meet a fault, from 0 to 1. */
  rate: number;
  /**
   * Seed of the run. The fault of a request depends only on the seed, the request (method, URL,
   * body) and how many identical requests came before it, not on the order in which concurrent
   * requests arrive, so a run replays from its seed.
   * @default {@link chaosSeed}: `CHAOS_SEED` from the environment, else random; printed as `chaos seed=<n>`
   */
  seed?: number;
  /**
   * Which faults to inject, drawn with equal odds.
   * @default all of {@link YOUTUBE_FAULTS}
   */
  faults?: readonly YouTubeFault[];
}

/** A request the faulty fetch saw, with the fault it met (if any). */
export interface FaultRecord {
  method: string;
  url: string;
  fault: YouTubeFault | undefined;
}

/**
 * Wraps a YouTube `fetch` (usually `fakeYouTube(...).fetch`) so that a seeded share of its
 * requests fail transiently. Every request and its fault are recorded.
 *
 * @example
 * const faulty = faultyYouTubeFetch(fakeYouTube({ player, captions }).fetch, { rate: 0.3 });
 * new YouTubeTranscriptSource({ fetch: faulty.fetch, limiter: fastLimiter() });
 */
export function faultyYouTubeFetch(inner: FetchFunction, options: FaultyYouTubeFetchOptions) {
  const { rate, faults = YOUTUBE_FAULTS } = options;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`Expected \`rate\` to be a number from 0 to 1, got \`${String(rate)}\``);
  if (faults.length === 0) throw new Error('Expected `faults` to name at least one fault, got `[]`');
  const seed = options.seed ?? chaosSeed(`faulty YouTube fetch, ${Math.round(rate * 100)}% faults`);
  const seen = new Map<string, number>();
  const records: FaultRecord[] = [];

  const fetch: FetchFunction = async (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init.method ?? 'GET';
    const key = `${method} ${url} ${typeof init.body === 'string' ? init.body : ''}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const random = seededRandomFor(seed, `${key} #${occurrence}`);
    const fault = random() < rate ? faults[Math.floor(random() * faults.length)] : undefined;
    records.push({ method, url, fault });

    if (fault === 'server-error') return serverError([500, 502, 503][Math.floor(random() * 3)] as number);
    if (fault === 'connection-reset' && random() < 0.5) throw connectionResetError();
    const response = await inner(input, init);
    if (fault === undefined) return response;
    const body = await response.text();
    // A strict, non-empty prefix: an empty caption body means something else to YouTube (PO token).
    const cut = Math.max(1, Math.min(body.length - 1, Math.floor(random() * body.length)));
    const part = body.length < 2 ? '' : body.slice(0, cut);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    if (fault === 'truncated-body') {
      if (body.length < 2) return serverError(503);
      return new Response(part, { status: response.status, headers });
    }
    // A reset while the body streams: headers and part of the body arrive, then reading fails.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(part));
        controller.error(connectionResetError('terminated'));
      },
    });
    return new Response(stream, { status: response.status, headers });
  };

  return {
    fetch,
    seed,
    /** Every request in arrival order, with its fault. */
    records,
    /** How many requests met each fault. */
    injected(): Record<YouTubeFault, number> {
      const counts: Record<YouTubeFault, number> = { 'server-error': 0, 'connection-reset': 0, 'truncated-body': 0 };
      for (const record of records) if (record.fault) counts[record.fault] += 1;
      return counts;
    },
  };
}

function serverError(status: number): Response {
  return new Response(`<!DOCTYPE html><html><body><h1>${status} Server Error</h1></body></html>`, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  });
}
