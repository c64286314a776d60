/**
 * The contract of a video list source: something that turns a playlist or a channel into
 * the videos it holds. {@link YouTubeVideoListSource} is the YouTube one; a test or an app
 * can bring its own (a fixed list, another site) by implementing one method.
 */

/** Which uploads of a channel to take. */
export type ChannelContent = 'all' | 'videos' | 'shorts' | 'live';

/** A list to expand, as {@link parseUrlList} recognises it. */
export type VideoListReference =
  | {
      kind: 'playlist';
      /** The playlist id (`PL…`, `UU…`, `OLAK5uy_…`, …), without the `VL` browse prefix. */
      id: string;
    }
  | {
      kind: 'channel';
      /** `UC…` when the link names it; otherwise resolved from `url`. */
      channelId?: string | undefined;
      /** Canonical link of the channel, e.g. `https://www.youtube.com/@handle`. */
      url: string;
      /** The tab the link points at (`/@handle/shorts`), if any. */
      content?: ChannelContent | undefined;
    };

/** Options of {@link VideoListSource.expand}. */
export interface ExpandListOptions {
  /** Stops the expansion: the iterable throws `CANCELLED` and no further request starts. */
  signal?: AbortSignal | undefined;
  /**
   * Stop after this many entries of type `video`; no page past the one holding the last is read.
   * @default no limit
   */
  limit?: number | undefined;
  /**
   * For a channel, which uploads: `all` (its uploads playlist), or only `videos`, `shorts`
   * or `live` streams. A tab named by the link (`/@handle/shorts`) wins.
   * @default 'all'
   */
  channelContent?: ChannelContent | undefined;
}

/** What {@link VideoListSource.expand} yields, in list order. */
export type VideoListEntry =
  | {
      /** Yielded once, first: what the list is. */
      type: 'list';
      /** Title of the playlist or name of the channel. */
      title: string;
      /** The number of videos the list says it holds, when it says so. */
      videoCount?: number | undefined;
    }
  | {
      /** A video that can be summarized. */
      type: 'video';
      videoId: string;
      title?: string | undefined;
    }
  | {
      /** An entry that cannot be taken (private, deleted, members-only), with the reason. */
      type: 'unavailable';
      videoId?: string | undefined;
      title?: string | undefined;
      reason: string;
    };

/**
 * Expands a playlist or channel into its videos.
 *
 * An implementation reads pages lazily (one page of answers held at a time), honours
 * `signal` before and during every request, and stops once `limit` videos were yielded.
 * A list that does not exist or cannot be viewed throws a `TubesumError` (`LIST_UNAVAILABLE`)
 * naming it.
 */
export interface VideoListSource {
  expand(list: VideoListReference, options?: ExpandListOptions): AsyncIterable<VideoListEntry>;
}

/** How a list reads in messages: `playlist PLxxxx`, `channel @handle`. */
export function describeList(list: VideoListReference): string {
  if (list.kind === 'playlist') return `playlist ${list.id}`;
  return `channel ${list.channelId ?? list.url.replace(/^https:\/\/www\.youtube\.com\//, '')}`;
}
