// Reading one innertube `browse` page of a playlist or channel tab: youtubei.js parses the
// items and the continuation; the raw answer is read for what youtubei.js does not expose
// (YouTube's error alerts, members-only badges, entries it could not parse).
import type { Helpers, Mixins } from 'youtubei.js';
import type { Youtubei } from './load-optional.js';
import type { VideoListEntry } from './video-list-source.js';

type Feed = Mixins.Feed;

/** One page as the expansion uses it. */
export interface ListPage {
  /** Videos and unavailable entries, in list order. */
  entries: Array<Exclude<VideoListEntry, { type: 'list' }>>;
  /** Token of the next page; undefined on the last page. */
  continuation: string | undefined;
}

/** What the raw answer says about each video entry. */
interface RawEntry {
  /** A playlist entry (listed even when youtubei.js could not parse it), not a video shown elsewhere on the page. */
  inPlaylist: boolean;
  membersOnly: boolean;
  playable: boolean;
  title: string | undefined;
}

const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;
/** Raw renderers that are one video entry of a list. */
const RAW_VIDEO_RENDERERS = new Set(['playlistVideoRenderer', 'videoRenderer', 'gridVideoRenderer', 'reelItemRenderer']);
/** Deep enough for every list shape seen; bounds the walk on a hostile answer. */
const MAX_DEPTH = 40;

/** YouTube's `ERROR` alert text, e.g. "The playlist does not exist.", if the answer has one. */
export function errorAlertOf(data: unknown): string | undefined {
  const alerts = (data as { alerts?: unknown } | null)?.alerts;
  if (!Array.isArray(alerts)) return undefined;
  for (const alert of alerts) {
    const renderer = (alert as { alertRenderer?: { type?: unknown; text?: unknown } } | null)?.alertRenderer;
    if (renderer?.type === 'ERROR') return textOf(renderer.text) ?? 'YouTube refused the list';
  }
  return undefined;
}

/** `{ simpleText }` or `{ runs: [{ text }] }` as a string. */
function textOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { simpleText, runs } = value as { simpleText?: unknown; runs?: unknown };
  if (typeof simpleText === 'string') return simpleText;
  if (Array.isArray(runs)) return runs.map((run) => String((run as { text?: unknown } | null)?.text ?? '')).join('');
  return undefined;
}

function hasMembersOnlyBadge(renderer: Record<string, unknown>): boolean {
  const badges = renderer.badges;
  if (!Array.isArray(badges)) return false;
  return badges.some((badge) => {
    const style = (badge as { metadataBadgeRenderer?: { style?: unknown } } | null)?.metadataBadgeRenderer?.style;
    return typeof style === 'string' && style.includes('MEMBERS_ONLY');
  });
}

/** The video entries of a raw answer by id, with what youtubei.js's items do not carry. */
export function rawEntriesOf(data: unknown): Map<string, RawEntry> {
  const entries = new Map<string, RawEntry>();
  const stack: Array<{ value: unknown; depth: number }> = [{ value: data, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) continue;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) stack.push({ value: value[index], depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (RAW_VIDEO_RENDERERS.has(key) && typeof child === 'object' && child !== null) {
        const renderer = child as Record<string, unknown>;
        if (typeof renderer.videoId === 'string' && VIDEO_ID.test(renderer.videoId) && !entries.has(renderer.videoId)) {
          entries.set(renderer.videoId, {
            inPlaylist: key === 'playlistVideoRenderer',
            membersOnly: hasMembersOnlyBadge(renderer),
            playable: renderer.isPlayable !== false,
            title: textOf(renderer.title) ?? textOf(renderer.headline),
          });
        }
        continue;
      }
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return entries;
}

/** Why an entry cannot be taken, from what the list shows of it. */
function unavailableReason(raw: RawEntry | undefined, title: string | undefined): string | undefined {
  if (raw?.membersOnly) return 'Members-only video: only members of the channel can watch it';
  if (title === '[Private video]') return 'Private video';
  if (title === '[Deleted video]') return 'Deleted video';
  if (raw && !raw.playable) return 'This video cannot be played';
  return undefined;
}

/** The video id and title of a parsed item, for every item shape lists use. */
function videoOf(yt: Youtubei, node: Helpers.YTNode): { videoId: string; title: string | undefined } | undefined {
  const { YTNodes: Nodes } = yt;
  if (node.is(Nodes.PlaylistVideo) || node.is(Nodes.Video) || node.is(Nodes.GridVideo) || node.is(Nodes.CompactVideo)) {
    return { videoId: node.id, title: node.title.toString() };
  }
  if (node.is(Nodes.ReelItem)) return { videoId: node.id, title: node.title.toString() };
  if (node.is(Nodes.LockupView)) {
    if (node.content_type !== 'VIDEO' && node.content_type !== 'SHORT') return undefined;
    return { videoId: node.content_id, title: node.metadata?.title.toString() };
  }
  if (node.is(Nodes.ShortsLockupView)) {
    const videoId = (node.on_tap_endpoint.payload as { videoId?: unknown } | undefined)?.videoId;
    return typeof videoId === 'string' ? { videoId, title: node.overlay_metadata.primary_text?.toString() } : undefined;
  }
  return undefined;
}

/** The token of the next page, chosen as youtubei.js does: the first continuation outside the header. */
function continuationOf(yt: Youtubei, feed: Feed): string | undefined {
  const { YTNodes: Nodes } = yt;
  const header: readonly Helpers.YTNode[] = feed.page.header_memo?.getType(Nodes.ContinuationItem) ?? [];
  for (const item of feed.memo.getType(Nodes.ContinuationItem)) {
    if (header.includes(item)) continue;
    const token = (item.endpoint.payload as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

/**
 * The entries and next token of one page. Entries youtubei.js could not parse but the raw
 * answer holds are listed as unavailable rather than dropped.
 */
export function readListPage(yt: Youtubei, feed: Feed, data: unknown): ListPage {
  const raw = rawEntriesOf(data);
  const entries: ListPage['entries'] = [];
  const seen = new Set<string>();
  for (const node of feed.videos) {
    const video = videoOf(yt, node);
    if (video === undefined || !VIDEO_ID.test(video.videoId) || seen.has(video.videoId)) continue;
    seen.add(video.videoId);
    const title = video.title === undefined || video.title === '' ? raw.get(video.videoId)?.title : video.title;
    const reason = unavailableReason(raw.get(video.videoId), title);
    entries.push(
      reason === undefined
        ? { type: 'video', videoId: video.videoId, ...(title === undefined ? {} : { title }) }
        : { type: 'unavailable', videoId: video.videoId, ...(title === undefined ? {} : { title }), reason },
    );
  }
  for (const [videoId, entry] of raw) {
    if (seen.has(videoId) || !entry.inPlaylist) continue;
    entries.push({
      type: 'unavailable',
      videoId,
      ...(entry.title === undefined ? {} : { title: entry.title }),
      reason: unavailableReason(entry, entry.title) ?? 'This entry of the list could not be read',
    });
  }
  return { entries, continuation: continuationOf(yt, feed) };
}

/** "4,999 videos" -> 4999; "No videos" -> 0; anything else -> undefined. */
export function parseVideoCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^no videos?$/i.test(text.trim())) return 0;
  const match = /^([\d,.\s]+)\s+videos?$/i.exec(text.trim());
  if (!match) return undefined;
  const count = Number((match[1] as string).replace(/[,.\s]/g, ''));
  return Number.isSafeInteger(count) ? count : undefined;
}
