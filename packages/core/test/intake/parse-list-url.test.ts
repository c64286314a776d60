import { describe, expect, it } from 'vitest';
import { parseListUrl } from '../../src/intake/parse-list-url.js';
import { parseUrlList } from '../../src/intake/parse-url-list.js';

const PL = 'PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj';
const UC = 'UCTwECeGqMZee77BjdoYtI2Q';
const VIDEO = 'dQw4w9WgXcQ';

describe('parseListUrl', () => {
  it.each([
    [`https://www.youtube.com/playlist?list=${PL}`, { kind: 'playlist', id: PL }],
    [`youtube.com/playlist?list=${PL}&si=abc`, { kind: 'playlist', id: PL }],
    [`<https://m.youtube.com/playlist?list=${PL}>,`, { kind: 'playlist', id: PL }],
    [
      `https://music.youtube.com/playlist?list=OLAK5uy_kxYcq8ixsa6dCCp5lMg0ZxPqDO6dGgqE0`,
      { kind: 'playlist', id: 'OLAK5uy_kxYcq8ixsa6dCCp5lMg0ZxPqDO6dGgqE0' },
    ],
    [`https://www.youtube.com/watch?list=${PL}`, { kind: 'playlist', id: PL }],
    [`https://www.youtube.com/embed/videoseries?list=${PL}`, { kind: 'playlist', id: PL }],
    [PL, { kind: 'playlist', id: PL }],
    ['UUTwECeGqMZee77BjdoYtI2Q', { kind: 'playlist', id: 'UUTwECeGqMZee77BjdoYtI2Q' }],
    ['https://www.youtube.com/@creativecommons', { kind: 'channel', url: 'https://www.youtube.com/@creativecommons' }],
    ['https://www.youtube.com/@creativecommons/shorts', { kind: 'channel', url: 'https://www.youtube.com/@creativecommons', content: 'shorts' }],
    ['https://www.youtube.com/@creativecommons/streams', { kind: 'channel', url: 'https://www.youtube.com/@creativecommons', content: 'live' }],
    [`https://www.youtube.com/channel/${UC}`, { kind: 'channel', url: `https://www.youtube.com/channel/${UC}`, channelId: UC }],
    [`https://www.youtube.com/channel/${UC}/videos`, { kind: 'channel', url: `https://www.youtube.com/channel/${UC}`, channelId: UC, content: 'videos' }],
    ['https://www.youtube.com/c/creativecommons', { kind: 'channel', url: 'https://www.youtube.com/c/creativecommons' }],
    ['https://www.youtube.com/user/creativecommons', { kind: 'channel', url: 'https://www.youtube.com/user/creativecommons' }],
  ])('%s is a list', (input, list) => {
    expect(parseListUrl(input)).toEqual({ type: 'list', list });
  });

  it.each([
    `https://www.youtube.com/watch?v=${VIDEO}&list=RD${VIDEO}`,
    `https://www.youtube.com/playlist?list=RD${VIDEO}`,
    `RDMM${VIDEO}`,
    'https://www.youtube.com/playlist?list=WL',
  ])('%s is refused with a reason', (input) => {
    const result = parseListUrl(input);
    if (input.includes('watch?v=')) {
      // A video opened from a mix is that video.
      expect(result).toEqual({ type: 'video-in-list', listId: `RD${VIDEO}` });
      return;
    }
    expect(result.type).toBe('refused');
  });

  it.each([
    [`https://www.youtube.com/watch?v=${VIDEO}&list=${PL}&index=3`, PL],
    [`https://youtu.be/${VIDEO}?list=${PL}`, PL],
    [`https://www.youtube.com/shorts/${VIDEO}?list=${PL}`, PL],
  ])('%s is a video inside a list', (input, listId) => {
    expect(parseListUrl(input)).toEqual({ type: 'video-in-list', listId });
  });

  it.each([
    VIDEO,
    `https://youtu.be/${VIDEO}`,
    'https://example.com/playlist?list=PL1234567890123456',
    'https://www.youtube.com.evil.com/@someone',
    'https://www.youtube.com/feed/subscriptions',
    'PLAYLIST',
    'x'.repeat(3000),
  ])('%s is not a list', (input) => {
    expect(parseListUrl(input)).toEqual({ type: 'other' });
  });
});

describe('parseUrlList with lists', () => {
  it('keeps lists apart, with their place in the input, when asked to', () => {
    const result = parseUrlList(
      [`https://youtu.be/${VIDEO}`, `https://www.youtube.com/playlist?list=${PL}`, 'https://www.youtube.com/@creativecommons', 'jNQXAC9IVRw'],
      {
        lists: true,
      },
    );
    expect(result.videos.map((video) => video.videoId)).toEqual([VIDEO, 'jNQXAC9IVRw']);
    expect(result.lists).toEqual([
      { input: `https://www.youtube.com/playlist?list=${PL}`, list: { kind: 'playlist', id: PL }, position: 1 },
      { input: 'https://www.youtube.com/@creativecommons', list: { kind: 'channel', url: 'https://www.youtube.com/@creativecommons' }, position: 1 },
    ]);
    expect(result.rejected).toEqual([]);
  });

  it('rejects lists with the reason when no list source is configured, as before', () => {
    const result = parseUrlList(`https://www.youtube.com/playlist?list=${PL}`);
    expect(result.lists).toEqual([]);
    expect(result.rejected).toEqual([
      { input: `https://www.youtube.com/playlist?list=${PL}`, reason: 'This is a playlist link; paste the links of its videos' },
    ]);
  });

  it('the same list twice is read once', () => {
    const result = parseUrlList([PL, `https://www.youtube.com/playlist?list=${PL}`], { lists: true });
    expect(result.lists).toHaveLength(1);
    expect(result.rejected).toEqual([{ input: `https://www.youtube.com/playlist?list=${PL}`, reason: 'This list is already in the batch; it is read once' }]);
  });

  it('watch?v=X&list=Y is the video X alone, with a note', () => {
    const input = `https://www.youtube.com/watch?v=${VIDEO}&list=${PL}`;
    const result = parseUrlList(input, { lists: true });
    expect(result.videos.map((video) => video.videoId)).toEqual([VIDEO]);
    expect(result.lists).toEqual([]);
    expect(result.notes).toEqual([
      { input, videoId: VIDEO, note: `Only this video was taken, not the list ${PL} it was opened from; paste the playlist link to take the whole list` },
    ]);
  });

  it('refuses mixes with a reason, with or without a list source', () => {
    for (const options of [{}, { lists: true }]) {
      const result = parseUrlList(`https://www.youtube.com/playlist?list=RD${VIDEO}`, options);
      expect(result.rejected).toEqual([
        {
          input: `https://www.youtube.com/playlist?list=RD${VIDEO}`,
          reason: 'This is a YouTube mix (radio), generated from a video and endless; paste a playlist or the videos instead',
        },
      ]);
    }
  });
});
