import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError } from '../../src/errors.js';
import { importOptional } from '../../src/lists/load-optional.js';
import type { ExpandListOptions, VideoListEntry, VideoListReference } from '../../src/lists/video-list-source.js';
import { YouTubeVideoListSource } from '../../src/lists/youtube-video-list-source.js';
import { YouTubeRequestLimiter } from '../../src/transcripts/youtube/youtube-request-limiter.js';
import { allRecordedRoutes, listRecordingsAvailable, replayFetch } from '../support/list-recordings.js';
import type { Routes } from '../support/list-recordings.js';
import { HAND_MADE_DELETED, HAND_MADE_PRIVATE, HAND_MADE_VIDEOS, handMadePlaylistAnswer } from './hand-made-playlist.js';
import { failure } from '../support/failure.js';

const HUGE: VideoListReference = { kind: 'playlist', id: 'PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj' };
const MEMBERS_ONLY: VideoListReference = { kind: 'playlist', id: 'UUMOQuLXlFNAeDJMSmuzHU5axw' };
const CREATIVE_COMMONS = 'https://www.youtube.com/user/creativecommons';

/** A limiter without pauses that counts the requests it let through. */
class CountingLimiter extends YouTubeRequestLimiter {
  runs = 0;
  constructor() {
    super({ minIntervalMs: 0, jitterMs: 0 });
  }
  override run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.runs += 1;
    return super.run(task, signal);
  }
}

function setup(extra: Routes = new Map()) {
  const routes = allRecordedRoutes('huge', 'channelVideos', 'membersOnlyVideos', 'notAvailable');
  for (const [key, answer] of extra) routes.set(key, answer);
  const replay = replayFetch(routes);
  const limiter = new CountingLimiter();
  const source = new YouTubeVideoListSource({ fetch: replay.fetch, limiter });
  return { source, limiter, requests: replay.requests };
}

async function collect(iterable: AsyncIterable<VideoListEntry>): Promise<VideoListEntry[]> {
  const entries: VideoListEntry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

const videoIds = (entries: VideoListEntry[]) => entries.flatMap((entry) => (entry.type === 'video' ? [entry.videoId] : []));

async function expandFailure(list: VideoListReference, options: ExpandListOptions = {}, extra?: Routes): Promise<TubesumError> {
  const { source } = setup(extra);
  return failure(collect(source.expand(list, options)));
}

describe('youtubei.js as an optional peer', () => {
  it('a missing package is INVALID_OPTIONS naming what to install', async () => {
    const name = 'tubesum-test-no-such-package';
    const error = await importOptional(() => import(name), 'youtubei.js', '^18.1.0', 'Expanding playlists').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TubesumError);
    expect((error as TubesumError).code).toBe(ErrorCode.INVALID_OPTIONS);
    expect((error as TubesumError).message).toContain('npm install youtubei.js@^18.1.0');
  });

  it('other import failures are not disguised', async () => {
    const broken = new SyntaxError('broken module');
    await expect(importOptional(() => Promise.reject(broken), 'youtubei.js', '^18.1.0', 'x')).rejects.toBe(broken);
  });
});

describe.skipIf(!listRecordingsAvailable())('YouTubeVideoListSource on recorded YouTube answers', () => {
  it('follows every continuation of a playlist past 100 videos', async () => {
    const { source, limiter, requests } = setup();
    const entries = await collect(source.expand(HUGE, { limit: 350 }));
    expect(entries[0]).toEqual({
      type: 'list',
      title: 'I Wanna Rock Super Gigantic Playlist 1: Hardrock, AOR, Metal and more !!! 5000 music videos !!!',
      videoCount: 4999,
    });
    const ids = videoIds(entries);
    expect(ids).toHaveLength(350);
    expect(new Set(ids).size).toBe(350);
    // The first video of each recorded page, in list order: pages of 100, 100, 99, 99.
    expect([ids[0], ids[100], ids[200], ids[299]]).toEqual(['8SbUC-UaAxE', 'Qzw6A2WC5Qo', '_RrA-R5VHQs', 'W4XiSFyYRE8']);
    expect(requests.map((request) => request.key?.split(' ')[1]?.split('=')[0])).toEqual(['browseId', 'continuation', 'continuation', 'continuation']);
    // Every request went through the limiter and carried a signal.
    expect(limiter.runs).toBe(requests.length);
    expect(requests.every((request) => request.signal instanceof AbortSignal)).toBe(true);
  });

  it('reads no page past the one holding the last video wanted', async () => {
    const { source, requests } = setup();
    expect(videoIds(await collect(source.expand(HUGE, { limit: 100 })))).toHaveLength(100);
    expect(requests).toHaveLength(1);
  });

  it('expands a channel tab named by a /user/ link, across a continuation', async () => {
    const { source, requests } = setup();
    const entries = await collect(source.expand({ kind: 'channel', url: CREATIVE_COMMONS, content: 'videos' }, { limit: 45 }));
    expect(entries[0]).toEqual({ type: 'list', title: 'Creative Commons' });
    const ids = videoIds(entries);
    expect(ids).toHaveLength(45);
    expect(ids[0]).toBe('BD-LB23rRBE');
    expect(requests.map((request) => request.path)).toEqual(['/youtubei/v1/navigation/resolve_url', '/youtubei/v1/browse', '/youtubei/v1/browse']);
    expect(requests[1]?.body).toMatchObject({ browseId: 'UCTwECeGqMZee77BjdoYtI2Q' });
  });

  it('expands a channel to its uploads playlist (UU…) by default', async () => {
    const uploads: Routes = new Map([['browse browseId=VLUUTwECeGqMZee77BjdoYtI2Q', () => handMadePlaylistAnswer('Uploads from Creative Commons')]]);
    const { source, requests } = setup(uploads);
    const entries = await collect(source.expand({ kind: 'channel', url: CREATIVE_COMMONS }));
    expect(entries[0]).toEqual({ type: 'list', title: 'Uploads from Creative Commons' });
    expect(requests.map((request) => request.key)).toEqual([`navigation/resolve_url url=${CREATIVE_COMMONS}`, 'browse browseId=VLUUTwECeGqMZee77BjdoYtI2Q']);
  });

  it.each([
    [{ kind: 'playlist', id: 'PL11111111111111111111111111111111' } as const, 'The playlist does not exist.'],
    [{ kind: 'playlist', id: 'INVALID_ID' } as const, 'This playlist type is unviewable.'],
  ])('a list YouTube will not show is LIST_UNAVAILABLE naming it (%o)', async (list, reason) => {
    const error = await expandFailure(list);
    expect(error.code).toBe(ErrorCode.LIST_UNAVAILABLE);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`YouTube cannot show playlist ${list.id}: ${reason}`);
    expect(error.details).toEqual({ list: `playlist ${list.id}`, reason });
  });

  it('a channel link that leads nowhere is LIST_UNAVAILABLE', async () => {
    const error = await expandFailure({ kind: 'channel', url: 'https://www.youtube.com/@no-such-channel' });
    expect(error.code).toBe(ErrorCode.LIST_UNAVAILABLE);
    expect(error.message).toContain('channel @no-such-channel');
  });

  it('lists members-only entries as unavailable, with the reason, never as videos', async () => {
    const { source } = setup();
    const entries: VideoListEntry[] = [];
    // The recording holds the first page of 100 only; stop there.
    for await (const entry of source.expand(MEMBERS_ONLY)) {
      entries.push(entry);
      if (entries.length === 101) break;
    }
    expect(entries[0]).toEqual({ type: 'list', title: 'Members-only videos', videoCount: 263 });
    const rest = entries.slice(1);
    expect(rest).toHaveLength(100);
    expect(rest.every((entry) => entry.type === 'unavailable' && entry.reason.startsWith('Members-only video'))).toBe(true);
    expect(rest[0]).toMatchObject({ videoId: 'BfTLbsKXmYM', title: 'KALENDER 2026 selber gestalten in Echtzeit! MAI-AUGUST' });
  });

  it('lists private and deleted entries as unavailable (hand-made page), even one youtubei.js cannot parse', async () => {
    const id = 'PLhandMadePrivateAndDeleted01';
    const { source } = setup(new Map([[`browse browseId=VL${id}`, () => handMadePlaylistAnswer('Hand-made')]]));
    const entries = await collect(source.expand({ kind: 'playlist', id }));
    expect(videoIds(entries)).toEqual([...HAND_MADE_VIDEOS]);
    expect(entries.filter((entry) => entry.type === 'unavailable')).toEqual([
      { type: 'unavailable', videoId: HAND_MADE_PRIVATE, title: '[Private video]', reason: 'Private video' },
      { type: 'unavailable', videoId: HAND_MADE_DELETED, title: '[Deleted video]', reason: 'Deleted video' },
    ]);
  });

  it('cancelling during the expansion stops it at once, with no further request and no listener left', async () => {
    const { source, requests } = setup();
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const entry of source.expand(HUGE, { signal: controller.signal })) {
        if (entry.type !== 'video') continue;
        seen.push(entry.videoId);
        if (seen.length === 150) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TubesumError);
    expect((error as TubesumError).code).toBe(ErrorCode.CANCELLED);
    expect(seen).toHaveLength(150);
    expect(requests).toHaveLength(2);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an abort while a request waits in the limiter ends the expansion', async () => {
    const { source } = setup();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await collect(source.expand(HUGE, { signal: controller.signal })).catch((caught: unknown) => caught);
    expect((error as TubesumError).code).toBe(ErrorCode.CANCELLED);
  });

  it('429 is TOO_MANY_REQUESTS and reported to the limiter', async () => {
    const limiter = new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0, blockedThreshold: 1, blockedPauseMs: 60_000 });
    const source = new YouTubeVideoListSource({ fetch: async () => new Response('slow down', { status: 429 }), limiter });
    const error = await collect(source.expand(HUGE)).catch((caught: unknown) => caught);
    expect((error as TubesumError).code).toBe(ErrorCode.TOO_MANY_REQUESTS);
    expect((error as TubesumError).retryable).toBe(true);
    expect(limiter.pauseRemainingMs).toBeGreaterThan(0);
  });

  it('validates its arguments at the boundary', () => {
    const { source } = setup();
    expect(() => source.expand({ kind: 'playlist', id: 'bad id!' })).toThrow(/Expected `id` to be a playlist id/);
    expect(() => source.expand(HUGE, { limit: -1 })).toThrow(/`limit`/);
    expect(() => new YouTubeVideoListSource({ channelContent: 'music' as never })).toThrow(/`channelContent`/);
  });
});
