import { describe, expect, it } from 'vitest';
import { ErrorCode, MAX_LIST_INPUTS, TubesumError, parseUrlList } from '@tubesum/core';

const A = 'dQw4w9WgXcQ';
const B = 'jNQXAC9IVRw';
const C = '9bZkp7q19f0';
const url = (id: string) => `https://www.youtube.com/watch?v=${id}`;

describe('parseUrlList splits pasted text', () => {
  const separators: Array<[string, string]> = [
    ['newlines', `${A}\n${B}\n${C}`],
    ['CRLF', `${A}\r\n${B}\r\n${C}\r\n`],
    ['spaces and tabs', `  ${A}\t${B}   ${C} `],
    ['commas', `${A},${B}, ${C}`],
    ['semicolons', `${A};${B} ; ${C};`],
    ['Markdown bullets', `- ${A}\n* ${B}\n+ ${C}`],
    ['numbering', `1. ${A}\n2) ${B}\n10. ${C}`],
    ['bullets with links', `- <https://youtu.be/${A}>\n- https://www.youtube.com/shorts/${B}?feature=share\n- youtube.com/watch?v=${C}&t=3`],
    ['mixed', [`1. ${A}`, `https://youtu.be/${B}, ${C}`].join('\r\n')],
  ];

  it.each(separators)('%s', (_name, text) => {
    const result = parseUrlList(text);
    expect(result.videos.map((video) => video.videoId)).toEqual([A, B, C]);
    expect(result.rejected).toEqual([]);
  });

  it('skips numbering up to nine digits; a longer number is an input', () => {
    const result = parseUrlList(`123456789. ${A}\n1234567890. ${B}\n3)x`);
    expect(result.videos.map((video) => video.videoId)).toEqual([A, B]);
    expect(result.rejected.map((rejected) => rejected.input)).toEqual(['1234567890.', '3)x']);
  });

  it('accepts an array of strings, each split in turn', () => {
    const result = parseUrlList([`- ${A}`, `https://youtu.be/${B}; ${C}`]);
    expect(result.videos).toEqual([
      { videoId: A, url: url(A), input: A },
      { videoId: B, url: url(B), input: `https://youtu.be/${B}` },
      { videoId: C, url: url(C), input: C },
    ]);
  });

  it('keeps order and reports duplicates by video id, not by text', () => {
    const result = parseUrlList(
      [`https://youtu.be/${A}`, 'https://example.com/x', B, `https://www.youtube.com/watch?v=${A}&t=5`, `<${B}>`, 'hello'].join('\n'),
    );
    expect(result).toEqual({
      videos: [
        { videoId: A, url: url(A), input: `https://youtu.be/${A}` },
        { videoId: B, url: url(B), input: B },
      ],
      duplicates: [
        { input: `https://www.youtube.com/watch?v=${A}&t=5`, videoId: A },
        { input: `<${B}>`, videoId: B },
      ],
      rejected: [
        { input: 'https://example.com/x', reason: 'Not a YouTube link: example.com' },
        { input: 'hello', reason: 'Not a YouTube link or video id: "hello"' },
      ],
      lists: [],
      notes: [],
    });
  });

  it('rejects playlists and channels in a list without stopping it', () => {
    const result = parseUrlList(`https://www.youtube.com/playlist?list=PL1\nhttps://www.youtube.com/@someone\n${A}`);
    expect(result.videos.map((video) => video.videoId)).toEqual([A]);
    expect(result.rejected.map((entry) => entry.reason)).toEqual([
      'This is a playlist link; paste the links of its videos',
      'This is a channel link (@someone); paste the links of its videos',
    ]);
  });
});

describe('parseUrlList on hostile input', () => {
  it.each([
    ['empty string', ''],
    ['only whitespace and separators', ' \r\n\t,,;; \n'],
    ['only bullets', '-\n*\n1.\n2)'],
    ['empty array', [] as string[]],
    ['array of empty strings', ['', '', '']],
  ])('%s gives an empty result', (_name, text) => {
    expect(parseUrlList(text)).toEqual({ videos: [], duplicates: [], rejected: [], lists: [], notes: [] });
  });

  it('100,000 junk lines: every one rejected, in order', () => {
    const lines = Array.from({ length: 100_000 }, (_, index) => `junk-${index}.example/${index}`);
    lines.push(A);
    const result = parseUrlList(lines.join('\n'));
    expect(result.videos.map((video) => video.videoId)).toEqual([A]);
    expect(result.rejected).toHaveLength(100_000);
    expect(result.rejected[99_999]).toEqual({ input: 'junk-99999.example/99999', reason: 'Not a YouTube link: junk-99999.example' });
  });

  it('a 10 MB single line is one short rejection', () => {
    const result = parseUrlList(`https://youtu.be/${'a'.repeat(10 * 1024 * 1024)}`);
    expect(result.videos).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.input).toHaveLength(201);
    expect(result.rejected[0]?.reason).toMatch(/^Too long to be a YouTube link \(10,485,77\d characters/);
  });

  it('a 10 MB line of separators and short junk stops reading at the input limit', () => {
    const text = 'ab,'.repeat(3_500_000) + A;
    const result = parseUrlList(text);
    expect(result.videos).toEqual([]);
    expect(result.rejected).toHaveLength(MAX_LIST_INPUTS + 1);
    expect(result.rejected.at(-1)).toEqual({
      input: 'ab',
      reason: `Too many inputs: only the first 200,000 are read; this one and ${(3_500_000 - MAX_LIST_INPUTS).toLocaleString('en-US')} more after it were ignored`,
    });
  });

  it('binary bytes, NUL and invalid UTF-16 are rejected with printable inputs', () => {
    const bytes = new Uint8Array(4096);
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 97 + 13) % 256;
    const binary = new TextDecoder('latin1').decode(bytes);
    const text = `${binary}\n\u0000\u0000${A}\u0000\n\uD800\uDFFF\uDC00 ${'\uD83D'.repeat(300)}\n${B}`;
    const result = parseUrlList(text);
    expect(result.videos.map((video) => video.videoId)).toEqual([B]);
    expect(result.rejected.length).toBeGreaterThan(3);
    for (const entry of result.rejected) {
      expect(entry.input.length).toBeLessThanOrEqual(201);
      expect(entry.input).not.toMatch(/\p{Cc}/u);
      expect(entry.input).not.toMatch(/\p{Cs}/u);
      expect(entry.reason.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [undefined, 'Expected `text` to be a string or an array of strings, got `undefined`'],
    [42, 'Expected `text` to be a string or an array of strings, got number `42`'],
    [{ urls: [] }, 'Expected `text` to be a string or an array of strings, got a value of type object'],
    [[A, 7], 'Expected `text[1]` to be a string, got number `7`'],
  ])('throws INVALID_OPTIONS for %j', (value, message) => {
    let caught: unknown;
    try {
      parseUrlList(value as unknown as string);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TubesumError);
    expect((caught as TubesumError).code).toBe(ErrorCode.INVALID_OPTIONS);
    expect((caught as TubesumError).message).toBe(message);
  });
});

describe('parseUrlList with playlists and channels', () => {
  const playlist = 'https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf';
  const channel = 'https://www.youtube.com/@veritasium';

  it('rejects lists with a reason by default, and returns them in `lists`, in place, with `lists: true`', () => {
    const plain = parseUrlList(`dQw4w9WgXcQ ${playlist} ${channel}`);
    expect(plain.lists).toEqual([]);
    expect(plain.rejected.map((entry) => entry.input)).toEqual([playlist, channel]);
    expect(plain.rejected.every((entry) => entry.reason.length > 0)).toBe(true);

    const listed = parseUrlList(`dQw4w9WgXcQ ${playlist} jNQXAC9IVRw ${channel}`, { lists: true });
    expect(listed.rejected).toEqual([]);
    expect(listed.videos.map((video) => video.videoId)).toEqual(['dQw4w9WgXcQ', 'jNQXAC9IVRw']);
    expect(listed.lists.map((entry) => [entry.input, entry.position])).toEqual([
      [playlist, 1],
      [channel, 2],
    ]);
    expect(listed.lists[0]?.list).toMatchObject({ kind: 'playlist' });
  });

  it('reads the same list once, and says so for the repeat', () => {
    const result = parseUrlList([playlist, `${playlist}&si=abc`], { lists: true });
    expect(result.lists).toHaveLength(1);
    expect(result.rejected).toEqual([{ input: `${playlist}&si=abc`, reason: 'This list is already in the batch; it is read once' }]);
  });

  it('refuses mixes even with `lists: true`, with a reason', () => {
    const mix = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=RDdQw4w9WgXcQ&start_radio=1';
    for (const options of [{}, { lists: true }]) {
      const result = parseUrlList(`https://www.youtube.com/playlist?list=RDdQw4w9WgXcQ`, options);
      expect(result.lists).toEqual([]);
      expect(result.rejected).toHaveLength(1);
      expect(result.rejected[0]?.reason).toMatch(/mix|radio/i);
    }
    // A video opened from a mix is still that one video.
    expect(parseUrlList(mix).videos.map((video) => video.videoId)).toEqual(['dQw4w9WgXcQ']);
  });

  it('takes only the video of `watch?v=X&list=Y`, with a note naming the list', () => {
    const input = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf';
    for (const options of [{}, { lists: true }]) {
      const result = parseUrlList(input, options);
      expect(result.videos.map((video) => video.videoId)).toEqual(['dQw4w9WgXcQ']);
      expect(result.lists).toEqual([]);
      expect(result.notes).toEqual([
        {
          input,
          videoId: 'dQw4w9WgXcQ',
          note: 'Only this video was taken, not the list PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf it was opened from; paste the playlist link to take the whole list',
        },
      ]);
    }
    // The same video again is a duplicate, with no second note.
    expect(parseUrlList([input, 'dQw4w9WgXcQ']).notes).toHaveLength(1);
  });

  it('refuses bad options and a bad entry of an array, naming them', () => {
    expect(() => parseUrlList('x', { lists: 'yes' as never })).toThrow(/`lists`.*a boolean/);
    expect(() => parseUrlList('x', 'lists' as never)).toThrow(/an options object \{ lists\? \}/);
    expect(() => parseUrlList(['a', 7 as never, 'b'])).toThrow(/Expected `text\[1\]` to be a string, got/);
    expect(() => parseUrlList([7 as never, 'b'])).toThrow(/Expected `text\[0\]` to be a string/);
    expect(() => parseUrlList(42 as never)).toThrow(/Expected `text` to be a string or an array of strings/);
  });
});
