// Expanding a 1,000-video playlist from recorded YouTube answers, in a fresh process so its
// peak memory is its own. Usage: node --expose-gc --import tsx bench/list-expand-scenario.ts time|memory
// -> prints one JSON line of results. `time` never forces a GC; `memory` forces one before each
// page request and records the live heap there.
//
// Four pages (398 videos) of the playlist were recorded (../shared/fixtures/youtube-lists/huge,
// see its PROVENANCE.md). Pages 5-10 are recorded pages 2-4 served again with their video ids
// renamed (so every video is new) and the continuation tokens chained; the tenth page ends the
// list. The pages are prepared before the timed run, so the run measures the expansion alone.
import { YouTubeRequestLimiter, YouTubeVideoListSource } from '@tubesum/core';
import { recordedRoutes } from '../packages/core/test/support/list-recordings.js';

export interface ListExpandResult {
  /** Time of a first expansion that reads one page: importing youtubei.js, the session, one page. */
  firstUseMs: number;
  videos: number;
  pages: number;
  wallMs: number;
  /** Peak resident memory of the process, in MB. */
  maxRssMb: number;
  /** Size of the largest raw page answer, in MB (UTF-16 in memory: twice this). */
  pageMb: number;
  /** Live heap after a GC at each page request (from the second), minus the second's, in MB (`memory` mode). */
  heapGrowthMb: number[];
  /** Average time of a bare `JSON.parse` of one page, in ms: the floor of reading a page. */
  parseMs: number;
}

const PAGES = Number(process.env.BENCH_LIST_PAGES ?? 11);
const VIDEOS = Number(process.env.BENCH_LIST_VIDEOS ?? 1000);
const mode = process.argv[2] === 'memory' ? 'memory' : 'time';
const gc = mode === 'memory' ? (globalThis as { gc?: () => void }).gc : undefined;
if (mode === 'memory' && gc === undefined) throw new Error('memory mode needs node --expose-gc');

const routes = recordedRoutes('huge');
const keys = [...routes.keys()];
const answer = (key: string | undefined) => (routes.get(key as string) as () => string)();
// keys: [0] the playlist's browse (page one), [1] page one's own recorded request, [2..4] pages 2-4.
const firstPage = answer(keys[0]);
const laterPages = [answer(keys[2]), answer(keys[3]), answer(keys[4])];

/** The token of the page's continuation, as recorded. */
function tokenOf(text: string): string {
  const match = /"continuationCommand":\{"token":"([^"]+)"/.exec(text);
  if (!match?.[1]) throw new Error('a recorded page without a continuation');
  return match[1];
}

/** Page `n` (1-based) with ids renamed for its cycle and its continuation pointing to page n + 1. */
function page(n: number): string {
  const text = n === 1 ? firstPage : (laterPages[(n - 2) % 3] as string);
  const cycle = n === 1 ? 0 : Math.floor((n - 2) / 3);
  const renamed = cycle === 0 ? text : text.replace(/"videoId":"([A-Za-z0-9_-]{11})"/g, (_, id: string) => `"videoId":"${id.slice(0, 9)}_${cycle}"`);
  if (n < PAGES) return renamed.replaceAll(tokenOf(text), `bench-page-${n + 1}`);
  // The last page: no continuation.
  const data = JSON.parse(renamed) as { onResponseReceivedActions: Array<{ appendContinuationItemsAction: { continuationItems: unknown[] } }> };
  const items = data.onResponseReceivedActions[0]?.appendContinuationItemsAction.continuationItems ?? [];
  items.splice(-1, 1);
  return JSON.stringify(data);
}

const pages = Array.from({ length: PAGES }, (_, index) => page(index + 1));
const pageMb = Math.max(...pages.map((text) => text.length)) / 1e6;
const parseStarted = performance.now();
for (const text of pages) JSON.parse(text);
const parseMs = (performance.now() - parseStarted) / pages.length;

let heap: number[] = [];
const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
  const body = JSON.parse(String(init.body ?? '{}')) as { browseId?: string; continuation?: string };
  const n = body.browseId !== undefined ? 1 : Number(/^bench-page-(\d+)$/.exec(body.continuation ?? '')?.[1]);
  // Between two pages: what the expansion still holds of the pages before.
  if (gc) {
    gc();
    heap.push(process.memoryUsage().heapUsed);
  } else heap.push(0);
  const text = pages[n - 1];
  if (text === undefined) return new Response('{}', { status: 404 });
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
};

const source = new YouTubeVideoListSource({ fetch, limiter: new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0 }) });
const list = { kind: 'playlist', id: 'PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj' } as const;

// First use: youtubei.js is imported and compiled; measured apart from the pages.
let started = performance.now();
for await (const entry of source.expand(list, { limit: 1 })) void entry;
const firstUseMs = performance.now() - started;
heap = [];

started = performance.now();
let videos = 0;
for await (const entry of source.expand(list, { limit: VIDEOS })) {
  if (entry.type === 'video') videos += 1;
}
const wallMs = performance.now() - started;
const baseline = heap[1] ?? heap[0] ?? 0;
const result: ListExpandResult = {
  firstUseMs,
  videos,
  pages: heap.length,
  wallMs,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  pageMb,
  heapGrowthMb: mode === 'memory' ? heap.slice(1).map((bytes) => (bytes - baseline) / 1e6) : [],
  parseMs,
};
console.log(JSON.stringify(result));
