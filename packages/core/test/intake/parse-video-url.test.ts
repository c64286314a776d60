import { describe, expect, it } from 'vitest';
import { ErrorCode, TubesumError, parseVideoUrl } from '@tubesum/core';
import { describeValue } from '../../src/intake/parse-video-url.js';

const ID = 'dQw4w9WgXcQ';
const CANONICAL = `https://www.youtube.com/watch?v=${ID}`;

describe('parseVideoUrl accepts every form a user pastes', () => {
  const accepted: Array<[string, string, string?]> = [
    ['watch', `https://www.youtube.com/watch?v=${ID}`],
    ['http', `http://www.youtube.com/watch?v=${ID}`],
    ['upper-case scheme and host', `HTTPS://WWW.YOUTUBE.COM/watch?v=${ID}`],
    ['www-less', `https://youtube.com/watch?v=${ID}`],
    ['scheme-less', `youtube.com/watch?v=${ID}`],
    ['scheme-less www', `www.youtube.com/watch?v=${ID}`],
    ['protocol-relative', `//www.youtube.com/watch?v=${ID}`],
    ['mobile', `https://m.youtube.com/watch?v=${ID}`],
    ['music', `https://music.youtube.com/watch?v=${ID}&feature=share`],
    ['v not first', `https://www.youtube.com/watch?app=desktop&v=${ID}`],
    ['t= parameter', `https://www.youtube.com/watch?v=${ID}&t=42s`],
    ['list= parameter', `https://www.youtube.com/watch?v=${ID}&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=3`],
    ['fragment', `https://www.youtube.com/watch?v=${ID}#t=30`],
    ['youtu.be', `https://youtu.be/${ID}`],
    ['youtu.be with si=', `https://youtu.be/${ID}?si=AbCdEfGh12345678`],
    ['youtu.be with t=', `youtu.be/${ID}?t=120`],
    ['shorts', `https://www.youtube.com/shorts/${ID}`],
    ['shorts with feature=', `https://youtube.com/shorts/${ID}?feature=share`],
    ['shorts trailing slash', `https://youtube.com/shorts/${ID}/`],
    ['embed', `https://www.youtube.com/embed/${ID}?start=10`],
    ['nocookie embed', `https://www.youtube-nocookie.com/embed/${ID}`],
    ['nocookie www-less', `https://youtube-nocookie.com/embed/${ID}`],
    ['live', `https://www.youtube.com/live/${ID}?si=abc`],
    ['v/', `https://www.youtube.com/v/${ID}?version=3`],
    ['host with trailing dot', `https://www.youtube.com./watch?v=${ID}`],
    ['host with port', `https://www.youtube.com:443/watch?v=${ID}`],
    ['bare id', ID],
    ['bare id with - and _', 'a-b_c-d_e-f', 'a-b_c-d_e-f'],
    ['Discord <…> wrapping', `<https://youtu.be/${ID}>`],
    ['trailing comma', `https://youtu.be/${ID},`],
    ['trailing period', `https://www.youtube.com/watch?v=${ID}.`],
    ['closing paren', `(see https://youtu.be/${ID})`.slice(5)],
    ['parens and period', `(https://youtu.be/${ID}).`],
    ['quotes', `"https://youtu.be/${ID}"`],
    ['bare id with period', `${ID}.`],
    ['surrounding spaces', `  https://youtu.be/${ID}  `],
    ['Markdown link', `[Never gonna](https://youtu.be/${ID})`],
    ['scheme-less host with port', `www.youtube.com:443/watch?v=${ID}`],
    ['e/', `https://www.youtube.com/e/${ID}`],
    ['watch_popup', `https://www.youtube.com/watch_popup?v=${ID}`],
    ['attribution_link', `https://www.youtube.com/attribution_link?a=x&u=/watch%3Fv%3D${ID}%26feature%3Dshare`],
    ['YouTube Kids', `https://www.youtubekids.com/watch?v=${ID}`],
    ['YouTube Kids www-less', `youtubekids.com/watch?v=${ID}`],
    ['consent page', `https://consent.youtube.com/m?continue=${encodeURIComponent(`https://www.youtube.com/watch?v=${ID}&feature=share`)}&gl=DE`],
    ['consent page to an http link', `https://consent.youtube.com/m?continue=${encodeURIComponent(`http://www.youtube.com/watch?v=${ID}`)}`],
    ['consent page to youtu.be', `https://consent.youtube.com/m?continue=${encodeURIComponent(`https://youtu.be/${ID}`)}`],
    ['googleapis /v/', `https://youtube.googleapis.com/v/${ID}`],
    ['vnd.youtube:', `vnd.youtube:${ID}`],
    ['vnd.youtube://', `vnd.youtube://${ID}?t=10`],
    ['upper-case id prefix', `https://www.youtube.com/EMBED/${ID}`],
    ['gaming', `https://gaming.youtube.com/watch?v=${ID}`],
    ['www.youtu.be', `https://www.youtu.be/${ID}`],
    ['https: without slashes', `https:www.youtube.com/watch?v=${ID}`],
    ['http: without slashes', `http:youtu.be/${ID}`],
    ['home page with v=', `https://www.youtube.com/?v=${ID}`],
    ['watch/ID', `https://www.youtube.com/watch/${ID}`],
    ['scheme-less with a colon in the query', `youtube.com/watch?v=${ID}&note=a:b`],
    ['exactly 2048 characters', `https://youtu.be/${ID}?x=`.padEnd(2048, 'a')],
  ];

  it.each(accepted)('%s', (_name, input, expectedId = ID) => {
    const result = parseVideoUrl(input);
    expect(result).toEqual({
      ok: true,
      videoId: expectedId,
      url: `https://www.youtube.com/watch?v=${expectedId}`,
    });
  });

  // Each wrapper people and chat apps put around a link or id, on its own.
  it.each(['<>', '()', '[]', '{}', '""', "''", '``', '«»', '“”', '‘’'])('strips the wrapper %s', (pair) => {
    expect(parseVideoUrl(`${pair[0]}${ID}${pair[1]}`)).toMatchObject({ ok: true, videoId: ID });
  });

  it.each(['>', ')', ']', '}', '"', "'", '`', '»', '”', '’', ',', '.', ';', ':', '!', '?', '…'])('strips a trailing %s', (mark) => {
    expect(parseVideoUrl(`${ID}${mark}`)).toMatchObject({ ok: true, videoId: ID });
  });

  it('returns the canonical url', () => {
    const result = parseVideoUrl(`https://m.youtube.com/shorts/${ID}?si=1`);
    expect(result.ok && result.url).toBe(CANONICAL);
  });
});

describe('parseVideoUrl rejects with a reason a person understands', () => {
  const rejected: Array<[string, string, RegExp]> = [
    ['look-alike suffix host', `https://youtube.com.evil.com/watch?v=${ID}`, /Not a YouTube link: youtube\.com\.evil\.com/],
    ['look-alike prefix host', `https://evilyoutube.com/watch?v=${ID}`, /Not a YouTube link: evilyoutube\.com/],
    ['look-alike youtu.be', `https://youtu.be.evil.com/${ID}`, /Not a YouTube link/],
    ['userinfo trick', `https://youtube.com@evil.com/watch?v=${ID}`, /Not a YouTube link: evil\.com/],
    ['Cyrillic look-alike', `https://yоutube.com/watch?v=${ID}`, /Not a YouTube link: xn--/],
    ['other site', 'https://example.com/video', /Not a YouTube link: example\.com/],
    ['scheme-less other site', 'vimeo.com/12345', /Not a YouTube link: vimeo\.com/],
    ['javascript:', 'javascript:alert(1)', /Only http and https links are accepted, not javascript:/],
    ['ftp:', `ftp://youtube.com/watch?v=${ID}`, /Only http and https links are accepted, not ftp:/],
    ['data:', 'data:text/html;base64,AAAA', /Only http and https/],
    ['file:', `file:///etc/passwd`, /Only http and https/],
    ['id too short', 'https://youtu.be/abc', /"abc" is not a YouTube video id/],
    ['id too long', `https://www.youtube.com/watch?v=${ID}X`, /is not a YouTube video id/],
    ['id with bad characters', 'https://www.youtube.com/watch?v=dQw4w9WgXc!', /is not a YouTube video id/],
    ['id with encoded space', 'https://www.youtube.com/watch?v=dQw4w9WgXc%20', /is not a YouTube video id/],
    ['bare 10 chars', 'dQw4w9WgXc', /Not a YouTube link or video id/],
    ['bare 12 chars', 'dQw4w9WgXcQQ', /Not a YouTube link or video id/],
    ['watch without v', 'https://www.youtube.com/watch', /^This YouTube watch link has no video id$/],
    ['youtu.be without id', 'https://youtu.be/', /This youtu\.be link has no video id/],
    ['shorts without id', 'https://www.youtube.com/shorts/', /^This YouTube \/shorts\/ link has no video id$/],
    ['long bad id, shortened', `https://youtu.be/${'a'.repeat(40)}`, new RegExp(`^"${'a'.repeat(30)}…" is not a YouTube video id`)],
    ['30-character bad id, whole', `https://youtu.be/${'a'.repeat(30)}`, new RegExp(`^"${'a'.repeat(30)}" is not a YouTube video id`)],
    ['host and port only', 'www.youtube.com:443', /does not point to a video/],
    ['scheme followed by digits and letters', 'skype:5a', /Only http and https links are accepted, not skype:/],
    ['v= on a page that is no player', `https://www.youtube.com/results?search_query=x&v=${ID}`, /does not point to a video \(\/results\)/],
    ['home page with an empty v=', 'https://www.youtube.com/?v=', /^This YouTube link has no video id$/],
    ['scheme-less host without a path', 'example.com', /^Not a YouTube link: example\.com$/],
    ['2049 characters', `https://youtu.be/${ID}?x=`.padEnd(2049, 'a'), /Too long to be a YouTube link/],
    ['playlist', 'https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG', /playlist link; paste the links of its videos/],
    ['watch with list only', 'https://www.youtube.com/watch?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG', /playlist link/],
    ['embed videoseries', 'https://www.youtube.com/embed/videoseries?list=PLx0', /playlist link/],
    ['v videoseries', 'https://www.youtube.com/v/videoseries?list=PLx0', /playlist link/],
    ['e videoseries', 'https://www.youtube.com/e/videoseries?list=PLx0', /playlist link/],
    ['nocookie videoseries', 'https://www.youtube-nocookie.com/embed/VideoSeries?list=PLx0', /playlist link/],
    ['embed live_stream', 'https://www.youtube.com/embed/live_stream?channel=UCBJycsmduvYEL83R_U4JriQ', /live stream player, not one video/],
    [
      'attribution_link to a full URL',
      `https://www.youtube.com/attribution_link?u=https%3A%2F%2Fevil.com%2Fwatch%3Fv%3D${ID}`,
      /attribution link does not name/,
    ],
    ['attribution_link to another host', `https://www.youtube.com/attribution_link?u=//evil.com/watch%3Fv%3D${ID}`, /attribution link does not name/],
    ['attribution_link without u', 'https://www.youtube.com/attribution_link?a=x', /attribution link does not name/],
    ['attribution_link to a channel', 'https://www.youtube.com/attribution_link?u=/@mkbhd', /channel link/],
    [
      'consent page to another site',
      `https://consent.youtube.com/m?continue=${encodeURIComponent(`https://evil.com/watch?v=${ID}`)}`,
      /consent page does not lead to a YouTube video/,
    ],
    [
      'consent page to a look-alike',
      `https://consent.youtube.com/m?continue=${encodeURIComponent(`https://youtube.com.evil.com/watch?v=${ID}`)}`,
      /consent page does not lead/,
    ],
    [
      'consent page to a non-web scheme',
      `https://consent.youtube.com/m?continue=${encodeURIComponent(`javascript:alert(1)//youtube.com`)}`,
      /consent page does not lead/,
    ],
    ['consent page without continue', 'https://consent.youtube.com/m?gl=DE', /consent page does not lead/],
    ['consent page with a continue that is no URL', 'https://consent.youtube.com/m?continue=not%20a%20link', /consent page does not lead/],
    [
      'consent page to ftp on YouTube',
      `https://consent.youtube.com/m?continue=${encodeURIComponent(`ftp://www.youtube.com/watch?v=${ID}`)}`,
      /consent page does not lead/,
    ],
    ['attribution_link below a path', `https://www.youtube.com/attribution_link/x?u=/watch%3Fv%3D${ID}`, /does not point to a video/],
    [
      'attribution_link inside attribution_link',
      `https://www.youtube.com/attribution_link?u=/attribution_link%3Fu%3D/watch%253Fv%253D${ID}`,
      /attribution link does not name/,
    ],
    [
      'consent page to a playlist',
      `https://consent.youtube.com/m?continue=${encodeURIComponent('https://www.youtube.com/playlist?list=PLx0')}`,
      /playlist link/,
    ],
    [
      'nested redirect pages',
      `https://consent.youtube.com/m?continue=${encodeURIComponent(`https://www.youtube.com/attribution_link?u=/watch%3Fv%3D${ID}`)}`,
      /attribution link does not name/,
    ],
    [
      'consent inside consent',
      `https://consent.youtube.com/m?continue=${encodeURIComponent(`https://consent.youtube.com/m?continue=https://youtu.be/${ID}`)}`,
      /consent page does not lead/,
    ],
    ['vnd.youtube: bad id', 'vnd.youtube:abc', /"abc" is not a YouTube video id/],
    ['vnd.youtube: no id', 'vnd.youtube://', /This vnd\.youtube: link has no video id/],
    ['dotted unknown scheme', 'com.example.app:watch/1', /Only http and https links are accepted, not com\.example\.app:/],
    ['web+ scheme', `web+youtube:${ID}`, /Only http and https links are accepted, not web\+youtube:/],
    ['mailto', 'mailto:someone@youtube.com', /Only http and https links are accepted, not mailto:/],
    ['handle', 'https://www.youtube.com/@mkbhd', /channel link \(@mkbhd\); paste the links of its videos/],
    ['handle videos tab', 'youtube.com/@mkbhd/videos', /channel link/],
    ['channel id', 'https://www.youtube.com/channel/UCBJycsmduvYEL83R_U4JriQ', /channel link \(\/channel\/…\)/],
    ['custom url', 'https://www.youtube.com/c/mkbhd', /channel link/],
    ['user', 'https://www.youtube.com/user/marquesbrownlee', /channel link/],
    ['home page', 'https://www.youtube.com/', /does not point to a video/],
    ['feed', 'https://www.youtube.com/feed/subscriptions', /does not point to a video \(\/feed\/subscriptions\)/],
    ['empty', '', /Empty input/],
    ['only punctuation', '<>,.', /Empty input/],
    ['inner space', `https://youtu.be/ ${ID}`, /spaces or invisible characters/],
    ['inner newline', `https://youtu.be/dQw4w\n9WgXcQ`, /spaces or invisible characters/],
    ['NUL byte', `https://youtu.be/${ID}\u0000`, /spaces or invisible characters/],
    ['bidi override', `https://youtu.be/\u202E${ID}`, /spaces or invisible characters/],
    ['plain word', 'hello', /Not a YouTube link or video id: "hello"/],
    ['broken url', 'https://', /Not a valid link/],
    ['too long', `https://youtu.be/${ID}?x=${'a'.repeat(3000)}`, /Too long to be a YouTube link \(3,0\d\d characters; at most 2048\)/],
  ];

  it.each(rejected)('%s', (_name, input, reason) => {
    const result = parseVideoUrl(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
  });

  it('echoes a rejected input of exactly 200 characters whole', () => {
    const input = 'https://example.com/'.padEnd(200, 'x');
    expect(parseVideoUrl(input)).toMatchObject({ ok: false, input });
  });

  it('echoes a rejected input back, shortened to 200 characters plus an ellipsis', () => {
    const long = `https://example.com/${'x'.repeat(5000)}`;
    const result = parseVideoUrl(long);
    expect(result).toEqual({ ok: false, input: `${long.slice(0, 200)}…`, reason: expect.any(String) });
    const short = parseVideoUrl('https://example.com/a');
    expect(short.ok === false && short.input).toBe('https://example.com/a');
  });

  it('rejects a 10 MB input at once without parsing it', () => {
    const result = parseVideoUrl(`https://youtu.be/${'('.repeat(10_000_000)}`);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.input.length).toBe(201);
  });

  it('makes the echoed input printable (lone surrogates and controls replaced)', () => {
    const result = parseVideoUrl('\uD800abc\u0001');
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.input).toBe('\uFFFDabc\uFFFD');
  });

  it.each([
    [undefined, /Expected `input` to be a string, got `undefined`/],
    [null, /got `null`/],
    [42, /got number `42`/],
    [['https://youtu.be/x'], /got an array/],
    [true, /got boolean `true`/],
    [{}, /got a value of type object/],
  ])('throws INVALID_OPTIONS for %j', (value, message) => {
    let caught: unknown;
    try {
      parseVideoUrl(value as unknown as string);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TubesumError);
    expect((caught as TubesumError).code).toBe(ErrorCode.INVALID_OPTIONS);
    expect((caught as TubesumError).message).toMatch(message);
  });
});

describe('describeValue', () => {
  it('names a string, shortened to 40 characters', () => {
    expect(describeValue('abc')).toBe('the string "abc"');
    expect(describeValue('x'.repeat(50))).toBe(`the string "${'x'.repeat(40)}…"`);
  });

  it('names undefined and values of other types', () => {
    expect(describeValue(undefined)).toBe('`undefined`');
    expect(describeValue(10n)).toBe('bigint `10`');
    expect(describeValue(Symbol('s'))).toBe('a value of type symbol');
    expect(describeValue(() => 1)).toBe('a value of type function');
  });
});
