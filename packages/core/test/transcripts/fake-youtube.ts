import { readFileSync } from 'node:fs';
import { YouTubeRequestLimiter } from '../../src/transcripts/youtube/youtube-request-limiter.js';
import { sharedFixture, skipWithoutSharedFixtures } from '../support/shared-fixtures.js';

/**
 * A real YouTube answer recorded by another project, read from `../shared/fixtures/youtube/`
 * (never committed here). Suites calling it are wrapped in
 * `describe.skipIf(skipWithoutRecordedYouTube())`.
 */
export function recorded(name: string): string {
  return sharedFixture(`youtube/${name}`);
}

/** Whether suites that serve recorded YouTube answers skip (with a notice) on this machine. */
export function skipWithoutRecordedYouTube(): boolean {
  return skipWithoutSharedFixtures('the tests serving recorded YouTube answers');
}

/** A caption file tubesum wrote by hand, in packages/core/test/fixtures/youtube/ (committed). */
export function handWritten(name: string): string {
  return readFileSync(new URL(`../fixtures/youtube/${name}`, import.meta.url), 'utf8');
}

/** The segments of the recorded `transcript.xml`, clean and in milliseconds (markup and the empty cue gone). */
export const RECORDED_SEGMENTS = [
  { startMs: 0, durationMs: 1540, text: 'Hey, this is just a test' },
  { startMs: 1540, durationMs: 4160, text: 'this is not the original transcript' },
  { startMs: 5700, durationMs: 3239, text: 'just something shorter, I made up for testing' },
];

/** A request the fake YouTube saw. */
export interface SeenRequest {
  route: Route;
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal | undefined;
}

export type Route = 'player' | 'watch' | 'captions' | 'oembed';
export type Handler = (request: SeenRequest) => Response | Promise<Response>;

/** A `fetch` that answers like YouTube from handlers chosen by URL, and records every request. */
export function fakeYouTube(handlers: Partial<Record<Route, Handler>>) {
  const requests: SeenRequest[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const route: Route | undefined =
      url.pathname === '/youtubei/v1/player'
        ? 'player'
        : url.pathname === '/watch'
          ? 'watch'
          : url.pathname === '/api/timedtext'
            ? 'captions'
            : url.pathname === '/oembed'
              ? 'oembed'
              : undefined;
    if (url.hostname !== 'www.youtube.com' || route === undefined) throw new Error(`unexpected request to ${url.href}`);
    const request: SeenRequest = {
      route,
      url,
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
      signal: init.signal ?? undefined,
    };
    requests.push(request);
    const handler = handlers[route];
    if (!handler) return new Response('Not Found', { status: 404 });
    return handler(request);
  };
  return { fetch, requests, routes: () => requests.map((request) => request.route) };
}

export function text(body: string, status = 200, headers: Record<string, string> = {}): Handler {
  return () => new Response(body, { status, headers });
}

/** A fetch failure the way undici reports a connection reset: `TypeError('fetch failed')`, cause code `ECONNRESET`. */
export function connectionResetError(message = 'fetch failed'): TypeError {
  return new TypeError(message, { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
}

/** A request whose connection is reset before any answer. */
export function connectionReset(): Handler {
  return () => {
    throw connectionResetError();
  };
}

/** A request that never gets an answer and ignores its signal. */
export function hang(): Handler {
  return () => new Promise<Response>(() => undefined);
}

/** A limiter that does not slow tests down. */
export function fastLimiter(): YouTubeRequestLimiter {
  return new YouTubeRequestLimiter({ concurrency: 8, minIntervalMs: 0, jitterMs: 0, blockedPauseMs: 0 });
}

/** A player response (parsed fixture) with its caption URLs stripped of `exp=xpe`. */
export function withoutPoToken(body: string): string {
  return body.replace(/(&|\\u0026)exp=xpe/g, '');
}
