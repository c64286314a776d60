import { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';

/** A recognised YouTube video. */
export interface ParsedVideoUrl {
  ok: true;
  /** The 11-character YouTube video id. */
  videoId: string;
  /** Canonical `https://www.youtube.com/watch?v=ID`. */
  url: string;
}

/** An input that is not a YouTube video, with a reason a person understands. */
export interface RejectedVideoUrl {
  ok: false;
  /** The input as given; shortened to {@link MAX_DISPLAYED_INPUT_LENGTH} characters plus `…` when longer. */
  input: string;
  reason: string;
}

/** What {@link parseVideoUrl} returns. */
export type ParseVideoUrlResult = ParsedVideoUrl | RejectedVideoUrl;

/** Inputs longer than this are rejected at once, before any parsing. */
export const MAX_VIDEO_URL_LENGTH = 2048;

/** Rejected inputs are echoed back shortened to this many characters (plus `…`). */
export const MAX_DISPLAYED_INPUT_LENGTH = 200;

const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

/** Hosts that serve videos under `/watch`, `/shorts/`, `/embed/`, … (compared exactly, lower case). */
const YOUTUBE_HOSTS: ReadonlySet<string> = new Set([
  'youtube.com',
  'www.youtube.com',
  'm.youtube.com',
  'music.youtube.com',
  'gaming.youtube.com',
  'youtube-nocookie.com',
  'www.youtube-nocookie.com',
  'youtubekids.com',
  'www.youtubekids.com',
  'youtube.googleapis.com',
]);

/** Short-link hosts: the id is the first path segment. */
const SHORT_HOSTS: ReadonlySet<string> = new Set(['youtu.be', 'www.youtu.be']);

/** Path prefixes whose next segment is the video id. */
const ID_PATH_PREFIXES: ReadonlySet<string> = new Set(['shorts', 'embed', 'live', 'v', 'e', 'watch']);

/** Pages that take the video in `?v=`: the watch page and its pop-up player. */
const WATCH_PAGES: ReadonlySet<string> = new Set(['watch', 'watch_popup']);

/**
 * Words YouTube uses where an id would stand, 11 characters long like one: `/embed/videoseries?list=`
 * plays a playlist, `/embed/live_stream?channel=` a channel's current live stream.
 */
const RESERVED_IDS: ReadonlyMap<string, string> = new Map([
  ['videoseries', 'This is a playlist link; paste the links of its videos'],
  ['live_stream', "This is a channel's live stream player, not one video; paste the link of the video"],
]);

/** Path prefixes of channel pages. */
const CHANNEL_PATH_PREFIXES: ReadonlySet<string> = new Set(['channel', 'c', 'user']);

/** Wrappers people and chat apps put around links: `<…>` (Discord), `(…)`, `[…]`, quotes. */
const LEADING_PUNCTUATION = new Set(['<', '(', '[', '{', '"', "'", '`', '«', '“', '‘']);
const TRAILING_PUNCTUATION = new Set(['>', ')', ']', '}', '"', "'", '`', '»', '”', '’', ',', '.', ';', ':', '!', '?', '…']);

/** Whitespace, C0/C1 controls and Unicode format characters (bidi overrides, zero-width, …). */
const INVISIBLE_OR_SPACE = /[\s\p{Cc}\p{Cf}]/u;

const LONE_SURROGATE = /\p{Cs}/gu;
const CONTROL = /\p{Cc}/gu;

/**
 * Shortens an input for echoing back in a result: at most {@link MAX_DISPLAYED_INPUT_LENGTH}
 * characters plus `…`, lone surrogates and control characters replaced by `�`, so results
 * stay small and printable whatever arrived.
 */
export function displayInput(input: string): string {
  const short = input.length > MAX_DISPLAYED_INPUT_LENGTH ? `${input.slice(0, MAX_DISPLAYED_INPUT_LENGTH)}…` : input;
  return short.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '\uFFFD');
}

/** Strips `<…>`, brackets, quotes and trailing sentence punctuation; linear in the input. */
function stripPunctuation(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && LEADING_PUNCTUATION.has(text[start] as string)) start += 1;
  while (end > start && TRAILING_PUNCTUATION.has(text[end - 1] as string)) end -= 1;
  return text.slice(start, end);
}

/** A Markdown link `[title](url)` yields its url. */
function unwrapMarkdownLink(text: string): string {
  const at = text.lastIndexOf('](');
  return at === -1 ? text : text.slice(at + 2);
}

function reject(input: string, reason: string): RejectedVideoUrl {
  return { ok: false, input: displayInput(input), reason };
}

function accept(videoId: string): ParsedVideoUrl {
  return { ok: true, videoId, url: `https://www.youtube.com/watch?v=${videoId}` };
}

function short(text: string, max = 60): string {
  return displayInput(text.length > max ? `${text.slice(0, max)}…` : text);
}

function checkId(input: string, candidate: string | null | undefined, where: string): ParseVideoUrlResult {
  if (candidate === null || candidate === undefined || candidate === '') {
    return reject(input, `This ${where} link has no video id`);
  }
  if (!VIDEO_ID.test(candidate)) {
    return reject(input, `"${short(candidate, 30)}" is not a YouTube video id (an id is exactly 11 letters, digits, - or _)`);
  }
  return accept(candidate);
}

const inputSchema = z.string();

/**
 * Recognises one YouTube video link or bare video id.
 *
 * Accepts `watch?v=`, `watch_popup?v=`, `youtu.be/`, `shorts/`, `embed/`, `live/`, `v/`, `e/`
 * links on `youtube.com` (with or without `www.`, `m.`, `music.`), `youtube-nocookie.com`,
 * `youtubekids.com` and `youtube.googleapis.com`; YouTube's redirect pages that name one video
 * (`/attribution_link?u=/watch%3Fv%3D…`, `consent.youtube.com/m?continue=<a YouTube video link>`);
 * the app's `vnd.youtube:ID`;
 * over http or https or without a scheme, with any extra parameters (`t=`, `list=`, `si=`, …),
 * wrapped in `<…>` as Discord does or followed by punctuation; and bare 11-character ids.
 * Hosts are compared exactly (`youtube.com.evil.com` is not YouTube). Playlists (also
 * `/embed/videoseries`), channels and their live-stream player (`/embed/live_stream?channel=`)
 * without a video, other sites, other schemes and malformed ids are rejected
 * with a reason a person understands. Inputs over {@link MAX_VIDEO_URL_LENGTH} characters
 * are rejected without being parsed.
 *
 * @example
 * parseVideoUrl('<https://youtu.be/dQw4w9WgXcQ?si=x>,')
 * // { ok: true, videoId: 'dQw4w9WgXcQ', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }
 * @throws {TubesumError} `INVALID_OPTIONS` when `input` is not a string.
 */
export function parseVideoUrl(input: string): ParseVideoUrlResult {
  if (!inputSchema.safeParse(input).success) {
    throw new TubesumError(ErrorCode.INVALID_OPTIONS, `Expected \`input\` to be a string, got ${describeValue(input)}`);
  }
  return parseToken(input);
}

/** {@link parseVideoUrl} without the argument check; used by `parseUrlList` per token. */
export function parseToken(input: string): ParseVideoUrlResult {
  if (input.length > MAX_VIDEO_URL_LENGTH) {
    return reject(input, `Too long to be a YouTube link (${input.length.toLocaleString('en-US')} characters; at most ${MAX_VIDEO_URL_LENGTH})`);
  }
  const text = stripPunctuation(unwrapMarkdownLink(stripPunctuation(input.trim())));
  if (text === '') return reject(input, 'Empty input: expected a YouTube link or video id');
  if (INVISIBLE_OR_SPACE.test(text)) {
    return reject(input, 'Contains spaces or invisible characters: expected one YouTube link or video id');
  }
  if (VIDEO_ID.test(text)) return accept(text);

  const lower = text.toLowerCase();
  let href: string;
  if (lower.startsWith('http://') || lower.startsWith('https://')) {
    href = text;
  } else if (text.startsWith('//')) {
    href = `https:${text}`;
  } else {
    // A scheme, unless what follows the colon is a port (`youtube.com:443/watch?v=…`).
    const scheme = /^([a-z][a-z0-9+.-]*):(?!\d+(?:[/?#]|$))/.exec(lower);
    if (scheme !== null && (scheme[1] === 'http' || scheme[1] === 'https')) {
      href = text; // `https:youtube.com/…`: the URL parser mends it
    } else if (scheme !== null && scheme[1] === 'vnd.youtube') {
      // The YouTube app's own links: `vnd.youtube:ID`, `vnd.youtube://ID?t=10`.
      const id = text.slice(scheme[0].length).replace(/^\/\//, '').split(/[/?#]/)[0];
      return checkId(input, id, 'vnd.youtube:');
    } else if (scheme !== null) {
      return reject(input, `Only http and https links are accepted, not ${short(scheme[1] as string, 20)}:`);
    } else if (!text.includes('.') && !text.includes('/')) {
      return reject(input, `Not a YouTube link or video id: "${short(text, 40)}"`);
    } else {
      href = `https://${text}`;
    }
  }
  return parseHref(input, href, true);
}

/**
 * Reads a video out of an http(s) link. `unwrap` allows one level of `/attribution_link?u=`,
 * never more (consent pages only ever lead to YouTube's video hosts, see {@link consentPage}).
 */
function parseHref(input: string, href: string, unwrap: boolean): ParseVideoUrlResult {
  // Every caller hands over an http(s) link: the schemes were checked before.
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return reject(input, 'Not a valid link');
  }
  const host = hostOf(url);
  const segments = url.pathname.split('/').filter((segment) => segment !== '');

  if (SHORT_HOSTS.has(host)) return checkPathId(input, segments[0], 'youtu.be');
  if (host === 'consent.youtube.com') return consentPage(input, url);
  // An http(s) URL always has a host.
  if (!YOUTUBE_HOSTS.has(host)) return reject(input, `Not a YouTube link: ${short(host)}`);

  const first = (segments[0] ?? '').toLowerCase();
  const videoParameter = url.searchParams.get('v');
  if (WATCH_PAGES.has(first) && segments.length === 1) {
    if (videoParameter === null && url.searchParams.has('list')) return playlist(input);
    return checkId(input, videoParameter, 'YouTube watch');
  }
  if (first === 'attribution_link' && segments.length === 1) {
    // `u` is a path on YouTube (`/watch?v=…`); a full URL there would be a redirect to anywhere.
    const target = url.searchParams.get('u');
    if (unwrap && target !== null && target.startsWith('/') && !target.startsWith('//')) {
      return parseHref(input, `https://www.youtube.com${target}`, false);
    }
    return reject(input, 'This attribution link does not name a YouTube video page (expected u=/watch?v=…)');
  }
  if (first === 'playlist') return playlist(input);
  if (ID_PATH_PREFIXES.has(first)) return checkPathId(input, segments[1], `YouTube /${first}/`);
  if (first === '' && videoParameter !== null) return checkId(input, videoParameter, 'YouTube');
  if (first.startsWith('@')) {
    return reject(input, `This is a channel link (${short(segments[0] as string, 40)}); paste the links of its videos`);
  }
  if (CHANNEL_PATH_PREFIXES.has(first)) {
    return reject(input, `This is a channel link (/${first}/…); paste the links of its videos`);
  }
  return reject(input, `This YouTube link does not point to a video (${short(url.pathname, 40)})`);
}

/** An id in a path segment: a reserved word there (`videoseries`, `live_stream`) is not a video. */
function checkPathId(input: string, candidate: string | undefined, where: string): ParseVideoUrlResult {
  const reserved = candidate === undefined ? undefined : RESERVED_IDS.get(candidate.toLowerCase());
  return reserved === undefined ? checkId(input, candidate, where) : reject(input, reserved);
}

/**
 * The cookie-consent page YouTube puts before a link: the video is in `continue`, if that is an
 * http(s) link to YouTube's own video hosts. Never a second consent page, so unwrapped only once.
 */
function consentPage(input: string, url: URL): ParseVideoUrlResult {
  const target = url.searchParams.get('continue');
  const inner = target !== null && URL.canParse(target) ? new URL(target) : undefined;
  if (inner !== undefined && (inner.protocol === 'https:' || inner.protocol === 'http:')) {
    const host = hostOf(inner);
    if (YOUTUBE_HOSTS.has(host) || SHORT_HOSTS.has(host)) return parseHref(input, inner.href, false);
  }
  return reject(input, 'This YouTube consent page does not lead to a YouTube video (its continue= is not a YouTube video link)');
}

/** The host name without a trailing dot (`www.youtube.com.` is `www.youtube.com`). */
function hostOf(url: URL): string {
  return url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
}

function playlist(input: string): RejectedVideoUrl {
  return reject(input, 'This is a playlist link; paste the links of its videos');
}

/** Names what arrived, for `INVALID_OPTIONS` messages: `number 3`, `null`, `array`. */
export function describeValue(value: unknown): string {
  if (value === null) return '`null`';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string "${short(value, 40)}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} \`${String(value)}\``;
  }
  return typeof value === 'undefined' ? '`undefined`' : `a value of type ${typeof value}`;
}
