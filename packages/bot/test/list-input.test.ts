import { YouTubeRequestLimiter, YouTubeVideoListSource, createMemoryStore } from '@tubesum/core';
import { describe, expect, it } from 'vitest';
import { listRecordingsAvailable, allRecordedRoutes, replayFetch } from '../../core/test/support/list-recordings.js';
import { messageText, run, unzip, urls, useFakeDiscord } from './helpers.js';

const PLAYLIST = 'https://www.youtube.com/playlist?list=PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj';

describe.skipIf(!listRecordingsAvailable())('/batch run with a playlist link (recorded YouTube answers)', () => {
  const discord = useFakeDiscord();

  it('expands the playlist up to the per-batch limit and says so in its first progress message', async () => {
    const lists = new YouTubeVideoListSource({
      fetch: replayFetch(allRecordedRoutes('huge', 'notAvailable')).fetch,
      limiter: new YouTubeRequestLimiter({ minIntervalMs: 0, jitterMs: 0 }),
    });
    const fake = discord.fake;
    await discord.start({ store: createMemoryStore(), lists, env: { TUBESUM_MAX_URLS_PER_BATCH: '5' } });
    const { token } = fake.sendCommand({
      name: 'batch',
      options: run(urls(`${PLAYLIST}\nhttps://www.youtube.com/playlist?list=PL11111111111111111111111111111111`)),
    });

    // The deferred reply is empty; the first message with content is the first progress message.
    const first = await fake.waitFor(
      () => messageText(fake.originalMessage(token)).trim() !== '' && fake.originalMessage(token),
      15_000,
      'the first progress message',
    );
    const text = messageText(first);
    expect(text).toContain('📃 Playlist "I Wanna Rock Super Gigantic Playlist 1');
    expect(text).toContain(': 5 videos (capped at the per-batch limit; the rest was not taken)');
    expect(text).toContain('⚠️ Playlist `PL11111111111111111111111111111111` could not be read: YouTube cannot show playlist');

    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 15_000, 'the ZIP');
    expect(messageText(final)).toContain('of 5.');
    const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
    const index = Object.entries(files).find(([name]) => name.endsWith('index.md'))?.[1];
    expect(index).toContain('## Playlists and channels');
    expect(index).toContain('8SbUC-UaAxE');
  });
});
