import type { ChannelContent, VideoListReference } from '../lists/video-list-source.js';

/** What {@link parseListUrl} makes of one input. */
export type ParseListUrlResult =
  /** A playlist or channel to expand. */
  | { type: 'list'; list: VideoListReference }
  /** A list link that is never expanded (mixes, radio), with the reason. */
  | { type: 'refused'; reason: string }
  /** A video link carrying `list=`: the video is taken, the list is not. */
  | { type: 'video-in-list'; listId: string }
  /** Not a list link: {@link parseVideoUrl} decides. */
  | { type: 'other' };

/** Playlist ids people paste bare: user playlists, uploads, favourites, albums. */
const BARE_PLAYLIST_ID = /^(?:PL|UU|FL|OLAK5uy_)[A-Za-z0-9_-]{16,64}$/;
/** Any playlist id in a `list=` parameter. */
const PLAYLIST_ID = /^[A-Za-z0-9_-]{2,80}$/;
const CHANNEL_ID = /^UC[A-Za-z0-9_-]{22}$/;
const HANDLE = /^@[\p{L}\p{N}._·-]{1,100}$/u;
const CHANNEL_NAME = /^[\p{L}\p{N}._-]{1,100}$/u;
const HOSTS: ReadonlySet<string> = new Set([
  'youtube.com',
  'www.youtube.com',
  'm.youtube.com',
  'music.youtube.com',
  'youtube-nocookie.com',
  'www.youtube-nocookie.com',
]);
/** Channel tabs a link may point at, and what they mean. */
const TABS: Readonly<Record<string, ChannelContent>> = { videos: 'videos', shorts: 'shorts', streams: 'live', live: 'live' };

const OPENING = /^[<([{"'`«“‘]+/;
const CLOSING = /[>)\]}"'`»”’,.;:!?…]+$/;

/** The same trimming as {@link parseVideoUrl}: `<…>`, brackets, quotes, Markdown links, trailing punctuation. */
function clean(token: string): string {
  let text = token.trim().replace(OPENING, '').replace(CLOSING, '');
  const at = text.lastIndexOf('](');
  if (at !== -1) text = text.slice(at + 2).replace(CLOSING, '');
  return text;
}

/** Mixes and radio lists are generated from a video and never end. */
function isMix(id: string): boolean {
  return id.startsWith('RD') || id === 'WL' || id === 'LL';
}

function refusedList(id: string): ParseListUrlResult {
  return id === 'WL' || id === 'LL'
    ? { type: 'refused', reason: 'This is a private list of a signed-in account (Watch later, Liked videos); it cannot be read' }
    : { type: 'refused', reason: 'This is a YouTube mix (radio), generated from a video and endless; paste a playlist or the videos instead' };
}

function playlist(id: string): ParseListUrlResult {
  if (isMix(id)) return refusedList(id);
  return { type: 'list', list: { kind: 'playlist', id } };
}

/**
 * Recognises playlist and channel links: `playlist?list=`, `watch?list=` without a video,
 * `embed/videoseries?list=`, `/@handle`, `/channel/UC…`, `/c/…`, `/user/…` (with an
 * optional `/videos`, `/shorts` or `/streams` tab) and bare playlist ids (`PL…`, `UU…`,
 * `OLAK5uy_…`). Mixes (`RD…`) are refused with a reason; `watch?v=X&list=Y` is reported
 * as a video inside a list so the caller takes X alone. Anything else is `other`.
 */
export function parseListUrl(token: string): ParseListUrlResult {
  if (token.length > 2048) return { type: 'other' };
  const text = clean(token);
  if (BARE_PLAYLIST_ID.test(text)) return playlist(text);
  if (/^RD[A-Za-z0-9_-]{11,64}$/.test(text)) return refusedList(text);
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text.replace(/^\/\//, '')}`);
  } catch {
    return { type: 'other' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { type: 'other' };
  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  const listId = url.searchParams.get('list');
  if (host === 'youtu.be' || host === 'www.youtu.be') {
    return listId !== null && PLAYLIST_ID.test(listId) ? { type: 'video-in-list', listId } : { type: 'other' };
  }
  if (!HOSTS.has(host)) return { type: 'other' };
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const first = (segments[0] ?? '').toLowerCase();
  const hasVideo = url.searchParams.has('v') || ['shorts', 'live', 'v', 'e'].includes(first) || (first === 'embed' && segments[1] !== 'videoseries');

  if (listId !== null && PLAYLIST_ID.test(listId)) {
    if (hasVideo) return { type: 'video-in-list', listId };
    if (first === 'playlist' || first === 'watch' || first === 'embed' || first === '') return playlist(listId);
  }
  const tab = (name: string | undefined): ChannelContent | undefined => (name === undefined ? undefined : TABS[name.toLowerCase()]);
  if (HANDLE.test(decodeSegment(segments[0]))) {
    const handle = decodeSegment(segments[0]);
    return channel(`https://www.youtube.com/${handle}`, undefined, tab(segments[1]));
  }
  const name = decodeSegment(segments[1]);
  if (first === 'channel' && CHANNEL_ID.test(name)) {
    return channel(`https://www.youtube.com/channel/${name}`, name, tab(segments[2]));
  }
  if ((first === 'c' || first === 'user') && CHANNEL_NAME.test(name)) {
    return channel(`https://www.youtube.com/${first}/${name}`, undefined, tab(segments[2]));
  }
  return { type: 'other' };
}

function channel(url: string, channelId: string | undefined, content: ChannelContent | undefined): ParseListUrlResult {
  return {
    type: 'list',
    list: { kind: 'channel', url, ...(channelId === undefined ? {} : { channelId }), ...(content === undefined ? {} : { content }) },
  };
}

function decodeSegment(segment: string | undefined): string {
  if (segment === undefined) return '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A stable key for a list, used to count the same list pasted twice once. */
export function listKey(list: VideoListReference): string {
  if (list.kind === 'playlist') return `playlist:${list.id}`;
  return `channel:${(list.channelId ?? list.url).toLowerCase()}:${list.content ?? ''}`;
}
