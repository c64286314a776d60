import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, YouTubeRequestLimiter, YouTubeVideoListSource } from '@tubesum/core';
import type { BatchProcessor, FetchFunction, ListExpansion } from '@tubesum/core';
import { allRecordedRoutes, listRecordingsAvailable, replayFetch } from '../support/list-recordings.js';
import { setup } from './helpers.js';

const PLAYLIST = 'https://www.youtube.com/playlist?list=PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj';

const open: BatchProcessor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((processor) => processor.close()));
});

function listSource(fetch?: FetchFunction) {
  return new YouTubeVideoListSource({
    fetch: fetch ?? replayFetch(allRecordedRoutes('huge', 'notAvailable')).fetch,
    limiter: new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0 }),
  });
}

describe('BatchProcessor: a video link inside a playlist', () => {
  it('takes the video alone, with a note, and never reads the list', async () => {
    const lists = {
      expand(): AsyncIterable<never> {
        throw new Error('the list must not be read');
      },
    };
    const { processor } = setup({ lists });
    open.push(processor);
    const input = 'https://www.youtube.com/watch?v=jNQXAC9IVRw&list=PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj';
    const job = await processor.submit({ userId: 'alice', urls: input });
    expect(job.total).toBe(1);
    expect(job).not.toHaveProperty('lists');
    expect(job.notes).toEqual([{ input, videoId: 'jNQXAC9IVRw', note: expect.stringContaining('Only this video was taken') }]);
  });
});

describe('BatchProcessor without a list source', () => {
  it('rejects a playlist link as before', async () => {
    const { processor } = setup();
    open.push(processor);
    await expect(processor.submit({ userId: 'alice', urls: PLAYLIST })).rejects.toMatchObject({ code: ErrorCode.INVALID_URL });
  });
});

describe.skipIf(!listRecordingsAvailable())('BatchProcessor with a list source (recorded YouTube answers)', () => {
  it('submit() expands the playlist before the job is stored; the job and its ZIP say where each video came from', async () => {
    const { processor } = setup({ lists: listSource(), maxVideos: 120 });
    open.push(processor);
    const reported: ListExpansion[] = [];
    const job = await processor.submit({
      userId: 'alice',
      urls: ['https://youtu.be/jNQXAC9IVRw', PLAYLIST, 'https://www.youtube.com/playlist?list=PL11111111111111111111111111111111'],
      onList: (expansion) => reported.push(expansion),
    });
    expect(job.total).toBe(120);
    expect(job.lists).toEqual(reported);
    expect(job.lists?.[0]).toMatchObject({
      kind: 'playlist',
      list: 'playlist PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj',
      videoCount: 4999,
      taken: 119,
      truncated: true,
    });
    expect(job.lists?.[1]?.error?.code).toBe(ErrorCode.LIST_UNAVAILABLE);
    expect(job.rejected.map((entry) => entry.reason)).toEqual([
      expect.stringContaining('Not taken: the batch is capped at 120 videos'),
      'YouTube cannot show playlist PL11111111111111111111111111111111: The playlist does not exist.',
    ]);

    const items = await processor.items(job.id, { userId: 'alice' });
    expect(items[0]).not.toHaveProperty('list');
    expect(items[1]).toMatchObject({ videoId: '8SbUC-UaAxE', input: PLAYLIST, list: 'playlist PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj' });

    await processor.waitFor(job.id, job);
    const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: 'alice' }));
    const index = await zip.file('index.md')?.async('string');
    expect(index).toContain('## Playlists and channels');
    expect(index).toContain('from playlist "I Wanna Rock Super Gigantic Playlist 1');
    const manifest = JSON.parse((await zip.file('batch.json')?.async('string')) ?? '{}') as { lists: ListExpansion[]; items: Array<{ list?: string }> };
    expect(manifest.lists).toHaveLength(2);
    expect(manifest.items[1]?.list).toBe('playlist PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj');
  });

  it('cancelling submit() during the expansion stores nothing', async () => {
    const controller = new AbortController();
    const replay = replayFetch(allRecordedRoutes('huge'));
    let requests = 0;
    const fetch: FetchFunction = (input, init) => {
      requests += 1;
      if (requests === 2) controller.abort();
      return replay.fetch(input, init);
    };
    const { processor, store } = setup({ lists: listSource(fetch) });
    open.push(processor);
    await expect(processor.submit({ userId: 'alice', urls: PLAYLIST, signal: controller.signal })).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(await store.listJobIds('alice')).toEqual([]);
    expect(requests).toBe(2);
  });
});
