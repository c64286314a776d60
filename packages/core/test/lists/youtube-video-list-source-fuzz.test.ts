// Damaged YouTube answers: whatever arrives, an expansion ends with a typed error or with
// well-formed entries, never with another kind of error and never hanging. Cases are seeded:
// a failing seed replays exactly.
import { describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError } from '../../src/errors.js';
import type { VideoListEntry } from '../../src/lists/video-list-source.js';
import { YouTubeVideoListSource } from '../../src/lists/youtube-video-list-source.js';
import { YouTubeRequestLimiter } from '../../src/transcripts/youtube/youtube-request-limiter.js';
import { listRecordingsAvailable, recordedRoutes, replayFetch } from '../support/list-recordings.js';
import { seededRandom } from '../support/seeded-random.js';

const PLAYLIST = 'PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj';
const CODES = new Set<string>(Object.values(ErrorCode));
const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;
/** Keys whose damage matters most: where the videos, the next page and the errors are. */
const TARGETS = [
  'onResponseReceivedActions',
  'continuationItems',
  'playlistVideoRenderer',
  'videoId',
  'continuationCommand',
  'token',
  'metadata',
  'header',
  'title',
  'runs',
  'isPlayable',
  'badges',
];
const JUNK: unknown[] = [null, 0, -1, '', 'x', [], {}, [null], { runs: null }, true, '\u0000', 'A'.repeat(100_000)];

type Damage = 'truncate' | 'garbage' | 'flip' | 'structure';

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Replaces one occurrence of a target key's value somewhere in the answer. */
function damageStructure(text: string, random: () => number): string {
  const root = JSON.parse(text) as unknown;
  const key = pick(random, TARGETS);
  const holders: Array<Record<string, unknown>> = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.hasOwn(value, key)) holders.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) stack.push(child);
  }
  if (holders.length === 0) return JSON.stringify(root);
  const holder = pick(random, holders);
  if (random() < 0.3) delete holder[key];
  else holder[key] = pick(random, JUNK);
  return JSON.stringify(root);
}

function damage(text: string, kind: Damage, random: () => number): string {
  switch (kind) {
    case 'truncate':
      return text.slice(0, Math.floor(random() * (text.length - 1)));
    case 'garbage':
      return pick(random, ['', '<!DOCTYPE html><html>Sorry</html>', 'null', '[]', '"text"', '{"responseContext":{}}', '\u0000\u0001']);
    case 'flip': {
      const chars = [...text.slice(0, 200_000)];
      for (let flips = 0; flips < 20; flips += 1) chars[Math.floor(random() * chars.length)] = pick(random, ['{', '}', '"', ',', ':', 'x', '\\', ']']);
      return chars.join('') + text.slice(200_000);
    }
    case 'structure':
      return damageStructure(text, random);
  }
}

describe.skipIf(!listRecordingsAvailable())('YouTubeVideoListSource on damaged answers', () => {
  const KINDS: Damage[] = ['truncate', 'garbage', 'flip', 'structure'];
  const cases = Array.from({ length: 32 }, (_, seed) => ({ seed, kind: KINDS[seed % KINDS.length] as Damage }));

  it.each(cases)('seed $seed ($kind): a typed error or well-formed entries', async ({ seed, kind }) => {
    const random = seededRandom(seed + 1);
    const routes = recordedRoutes('huge');
    // Damage the first page (the playlist's browse) or the second (the first continuation
    // asked; the key in between is page one's recorded continuation, served inside the browse).
    const keys = [...routes.keys()];
    const target = pick(random, [keys[0], keys[2]] as string[]);
    const original = routes.get(target) as () => string;
    routes.set(target, () => damage(original(), kind, random));
    const { fetch } = replayFetch(routes);
    const source = new YouTubeVideoListSource({ fetch, limiter: new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0 }) });

    const entries: VideoListEntry[] = [];
    let error: unknown;
    try {
      for await (const entry of source.expand({ kind: 'playlist', id: PLAYLIST }, { limit: 150 })) entries.push(entry);
    } catch (caught) {
      error = caught;
    }
    if (error !== undefined) {
      expect(error).toBeInstanceOf(TubesumError);
      expect(CODES.has((error as TubesumError).code)).toBe(true);
      expect((error as TubesumError).message).toContain(PLAYLIST);
    } else {
      // Damage a parser can survive: what came out is still well formed.
      expect(kind === 'truncate' || kind === 'garbage').toBe(false);
      for (const entry of entries) {
        if (entry.type === 'video' || (entry.type === 'unavailable' && entry.videoId !== undefined)) {
          expect(entry.videoId).toMatch(VIDEO_ID);
        }
      }
    }
  });
});
