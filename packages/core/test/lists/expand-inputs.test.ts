import { describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError } from '../../src/errors.js';
import { expandInputs } from '../../src/lists/expand-inputs.js';
import type { ListExpansion } from '../../src/lists/expand-inputs.js';
import type { VideoListEntry, VideoListReference, VideoListSource } from '../../src/lists/video-list-source.js';
import { YouTubeVideoListSource } from '../../src/lists/youtube-video-list-source.js';
import { YouTubeRequestLimiter } from '../../src/transcripts/youtube/youtube-request-limiter.js';
import { allRecordedRoutes, listRecordingsAvailable, replayFetch } from '../support/list-recordings.js';

const id = (n: number) => `vid${String(n).padStart(8, '0')}`;
const watch = (videoId: string) => `https://www.youtube.com/watch?v=${videoId}`;

/** A list source over fixed lists: PLone… holds videos 1-5, PLtwo… holds 4-8 and a private entry. */
class FixedLists implements VideoListSource {
  readonly asked: VideoListReference[] = [];
  readonly lists: Record<string, VideoListEntry[]> = {
    PLoneoneoneoneoneone: [{ type: 'list', title: 'One', videoCount: 5 }, ...[1, 2, 3, 4, 5].map((n): VideoListEntry => ({ type: 'video', videoId: id(n) }))],
    PLtwotwotwotwotwotwo: [
      { type: 'list', title: 'Two', videoCount: 6 },
      ...[4, 5, 6].map((n): VideoListEntry => ({ type: 'video', videoId: id(n) })),
      { type: 'unavailable', videoId: id(99), title: '[Private video]', reason: 'Private video' },
      ...[7, 8].map((n): VideoListEntry => ({ type: 'video', videoId: id(n) })),
    ],
  };
  async *expand(list: VideoListReference): AsyncGenerator<VideoListEntry> {
    this.asked.push(list);
    if (list.kind !== 'playlist' || this.lists[list.id] === undefined) {
      throw new TubesumError(
        ErrorCode.LIST_UNAVAILABLE,
        `YouTube cannot show ${list.kind === 'playlist' ? `playlist ${list.id}` : 'the channel'}: The playlist does not exist.`,
      );
    }
    yield* this.lists[list.id] as VideoListEntry[];
  }
}

describe('expandInputs', () => {
  it('puts each list’s videos where the list was, and counts duplicates across lists and URLs once', async () => {
    const source = new FixedLists();
    const seen: ListExpansion[] = [];
    const result = await expandInputs([id(2), 'PLoneoneoneoneoneone', id(100), 'PLtwotwotwotwotwotwo'], { source, onList: (list) => seen.push(list) });
    expect(result.videos.map((video) => video.videoId)).toEqual([id(2), id(1), id(3), id(4), id(5), id(100), id(6), id(7), id(8)]);
    expect(result.videos[1]).toEqual({ videoId: id(1), url: watch(id(1)), input: 'PLoneoneoneoneoneone', list: 'playlist PLoneoneoneoneoneone' });
    expect(result.duplicates).toEqual([
      { input: watch(id(2)), videoId: id(2) },
      { input: watch(id(4)), videoId: id(4) },
      { input: watch(id(5)), videoId: id(5) },
    ]);
    expect(result.rejected).toEqual([{ input: watch(id(99)), reason: 'Private video (in playlist "Two")' }]);
    expect(result.lists).toEqual(seen);
    expect(seen.map(({ title, taken, duplicates, unavailable, truncated }) => ({ title, taken, duplicates, unavailable, truncated }))).toEqual([
      { title: 'One', taken: 4, duplicates: 1, unavailable: 0, truncated: false },
      { title: 'Two', taken: 3, duplicates: 2, unavailable: 1, truncated: false },
    ]);
  });

  it('past the cap, stops reading and lists what was not taken', async () => {
    const source = new FixedLists();
    const result = await expandInputs([id(100), 'PLoneoneoneoneoneone', 'PLtwotwotwotwotwotwo'], { source, maxVideos: 3 });
    expect(result.videos.map((video) => video.videoId)).toEqual([id(100), id(1), id(2)]);
    expect(result.lists.map((list) => [list.taken, list.truncated])).toEqual([
      [2, true],
      [0, true],
    ]);
    expect(result.rejected).toEqual([
      { input: watch(id(3)), reason: 'Not taken: the batch is capped at 3 videos (maxVideos); this video and 2 more of playlist "One" were not taken' },
      { input: watch(id(4)), reason: 'Not taken: the batch is capped at 3 videos (maxVideos); this video and 5 more of playlist "Two" were not taken' },
    ]);
  });

  it('a list that cannot be read is rejected with its reason; the rest still runs', async () => {
    const source = new FixedLists();
    const result = await expandInputs(['PLmissingmissingmissing', id(1)], { source });
    expect(result.videos.map((video) => video.videoId)).toEqual([id(1)]);
    expect(result.rejected).toEqual([
      { input: 'PLmissingmissingmissing', reason: 'YouTube cannot show playlist PLmissingmissingmissing: The playlist does not exist.' },
    ]);
    expect(result.lists[0]?.error).toMatchObject({ code: ErrorCode.LIST_UNAVAILABLE });
  });

  it('without a source, lists are rejected as before and nothing is asked', async () => {
    const link = 'https://www.youtube.com/playlist?list=PLoneoneoneoneoneone';
    const result = await expandInputs([link, id(1)]);
    expect(result.videos.map((video) => video.videoId)).toEqual([id(1)]);
    expect(result.rejected).toEqual([{ input: link, reason: 'This is a playlist link; paste the links of its videos' }]);
    expect(result.lists).toEqual([]);
  });

  it('an aborted signal stops before the next list', async () => {
    const source = new FixedLists();
    const controller = new AbortController();
    const promise = expandInputs(['PLoneoneoneoneoneone', 'PLtwotwotwotwotwotwo'], { source, signal: controller.signal, onList: () => controller.abort() });
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(source.asked).toHaveLength(1);
  });
});

describe.skipIf(!listRecordingsAvailable())('expandInputs on recorded YouTube answers', () => {
  const source = () =>
    new YouTubeVideoListSource({
      fetch: replayFetch(allRecordedRoutes('huge', 'notAvailable', 'membersOnlyVideos')).fetch,
      limiter: new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0 }),
    });

  it('a 4,999-video playlist capped at 250, a URL already in it, an unavailable playlist', async () => {
    const result = await expandInputs(
      ['https://youtu.be/djV11Xbc914', 'https://www.youtube.com/playlist?list=PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj', 'PL11111111111111111111111111111111'],
      { source: source(), maxVideos: 250 },
    );
    expect(result.videos).toHaveLength(250);
    expect(result.videos[0]?.videoId).toBe('djV11Xbc914');
    expect(new Set(result.videos.map((video) => video.videoId)).size).toBe(250);
    expect(result.duplicates).toEqual([{ input: watch('djV11Xbc914'), videoId: 'djV11Xbc914' }]);
    const [playlist, missing] = result.lists;
    expect(playlist).toMatchObject({ title: expect.stringContaining('I Wanna Rock'), videoCount: 4999, taken: 249, duplicates: 1, truncated: true });
    expect(missing?.error?.code).toBe(ErrorCode.LIST_UNAVAILABLE);
    expect(result.rejected.map((entry) => entry.reason)).toEqual([
      expect.stringMatching(/^Not taken: the batch is capped at 250 videos \(maxVideos\); this video and 4,748 more of playlist "I Wanna Rock/),
      'YouTube cannot show playlist PL11111111111111111111111111111111: The playlist does not exist.',
    ]);
  });
});
