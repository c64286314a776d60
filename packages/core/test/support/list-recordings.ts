// Replays the recorded innertube answers of ../shared/fixtures/youtube-lists/ (see PROVENANCE.md
// there) through an injected `fetch`, routed by the request body. The recordings are
// third-party data and are never copied into this repository: they are read from the
// shared folder beside the worktree, and the tests that need them are skipped with a
// visible notice where it is absent (a user's clone), and required when CI=true.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_FIXTURES, skipWhenMissing } from './shared-fixtures.js';

/** The folder of recorded list answers, found by the one helper that locates `shared/fixtures/`. */
export const LIST_RECORDINGS = `${join(SHARED_FIXTURES ?? 'shared/fixtures', 'youtube-lists')}/`;

/**
 * Whether the recordings are here. Absent: prints a notice and returns false, so the
 * caller skips; absent under CI=true: throws, since CI must run these tests.
 */
export function listRecordingsAvailable(): boolean {
  return !skipWhenMissing(
    SHARED_FIXTURES === undefined || !existsSync(`${LIST_RECORDINGS}PROVENANCE.md`) ? undefined : SHARED_FIXTURES,
    'the tests on recorded YouTube lists',
  );
}

/** One recorded exchange in NewPipe's format. */
interface Mock {
  request: { httpMethod: string; url: string; dataToSend?: number[] | null };
  response: { responseCode: number; responseBody: string };
}

/** A request the replay saw. */
export interface ReplayedRequest {
  path: string;
  body: Record<string, unknown>;
  /** Key it was routed by; undefined when nothing was recorded for it. */
  key: string | undefined;
  signal: AbortSignal | undefined;
}

/** Routes: request key -> answer body (text, produced on demand so only one page lives at a time). */
export type Routes = Map<string, () => string>;

function readMock(folder: string, file: string): Mock {
  return JSON.parse(readFileSync(`${LIST_RECORDINGS}${folder}/${file}`, 'utf8')) as Mock;
}

function requestBody(mock: Mock): Record<string, unknown> {
  const bytes = mock.request.dataToSend ?? [];
  return bytes.length === 0 ? {} : (JSON.parse(Buffer.from(bytes.map((byte) => byte & 255)).toString('utf8')) as Record<string, unknown>);
}

/** The key a request is routed by: its endpoint and what it asks for, without the client context. */
export function routeKey(path: string, body: Record<string, unknown>): string {
  const endpoint = path.replace(/^\/youtubei\/v1\//, '');
  if (typeof body.continuation === 'string') return `${endpoint} continuation=${body.continuation}`;
  if (typeof body.url === 'string') return `${endpoint} url=${body.url}`;
  const params = typeof body.params === 'string' ? ` params=${decodeURIComponent(body.params)}` : '';
  return `${endpoint} browseId=${String(body.browseId)}${params}`;
}

/**
 * The routes of one recorded folder. A playlist's `browse` was recorded masked with
 * `$fields=sidebar,header,microformat,alerts` and its videos came in the next answer;
 * youtubei.js asks a plain `browse`, so that key answers the page-one answer with the masked
 * answer's header, sidebar, microformat and alerts (an error alert alone when there are no videos).
 */
export function recordedRoutes(folder: string): Routes {
  const routes: Routes = new Map();
  const files = readdirSync(`${LIST_RECORDINGS}${folder}`)
    .filter((name) => /^generated_mock_\d+\.json$/.test(name))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));
  for (const [position, file] of files.entries()) {
    const mock = readMock(folder, file);
    if (mock.request.httpMethod !== 'POST') continue;
    const url = new URL(mock.request.url);
    const body = requestBody(mock);
    if (url.searchParams.has('$fields')) {
      // NewPipe added `params` (a view option) that youtubei.js does not send: route by the browse id alone.
      const key = routeKey(url.pathname, { browseId: body.browseId });
      const next = files[position + 1];
      routes.set(key, () => {
        const masked = JSON.parse(readMock(folder, file).response.responseBody) as Record<string, unknown>;
        const firstPage = next === undefined ? undefined : readMock(folder, next);
        if (firstPage === undefined || Array.isArray(masked.alerts) || typeof requestBody(firstPage).continuation !== 'string') {
          return JSON.stringify(masked);
        }
        const page = JSON.parse(firstPage.response.responseBody) as Record<string, unknown>;
        return JSON.stringify({ ...page, header: masked.header, sidebar: masked.sidebar, microformat: masked.microformat });
      });
    } else {
      const key = routeKey(url.pathname, body);
      if (!routes.has(key)) routes.set(key, () => readMock(folder, file).response.responseBody);
    }
  }
  return routes;
}

/** The `fetch` youtubei.js is given in tests: answers recorded routes, 404 for anything else, and logs every request. */
export function replayFetch(routes: Routes) {
  const requests: ReplayedRequest[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const text = typeof init.body === 'string' ? init.body : input instanceof Request ? await input.clone().text() : '';
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = {};
    }
    const key = routeKey(url.pathname, body);
    const answer = routes.get(key);
    const signal = init.signal ?? undefined;
    requests.push({ path: url.pathname, body, key: answer ? key : undefined, signal });
    signal?.throwIfAborted();
    if (!answer) return new Response('{"error":{"code":404}}', { status: 404, headers: { 'content-type': 'application/json' } });
    return new Response(answer(), { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' } });
  };
  return { fetch, requests };
}

/** Routes of several folders together. */
export function allRecordedRoutes(...folders: string[]): Routes {
  const routes: Routes = new Map();
  for (const folder of folders) for (const [key, answer] of recordedRoutes(folder)) routes.set(key, answer);
  return routes;
}
