import { z } from 'zod';
import { cancelledError, ErrorCode, TubesumError } from '../errors.js';
import { validateOptions } from '../internal/validate-options.js';
import type { SerializedError } from '../errors.js';
import { parseUrlList } from '../intake/parse-url-list.js';
import type { DuplicateInput, InputNote, ListInput, RejectedInput, VideoInput } from '../intake/parse-url-list.js';
import { displayInput } from '../intake/parse-video-url.js';
import { describeList } from './video-list-source.js';
import type { ChannelContent, VideoListSource } from './video-list-source.js';
import { positiveInteger } from '../internal/option-schemas.js';

/** How many videos a batch with lists takes, unless told otherwise. */
export const DEFAULT_MAX_VIDEOS = 500;

/** What became of one playlist or channel of the input. */
export interface ListExpansion {
  /** What the user typed for it. */
  input: string;
  kind: 'playlist' | 'channel';
  /** `playlist PLxxxx`, `channel @handle`: how the list is named in messages and on each item (`ItemRecord.list`). */
  list: string;
  /** Title of the playlist or name of the channel, once read. */
  title?: string;
  /** The number of videos the list says it holds, when it says so. */
  videoCount?: number;
  /** Videos of this list added to the batch. */
  taken: number;
  /** Videos of this list already in the batch (from a URL or an earlier list). */
  duplicates: number;
  /** Private, deleted and members-only entries, each listed in `rejected`. */
  unavailable: number;
  /** True when the cap (`maxVideos`) stopped the list; what was not taken is listed in `rejected`. */
  truncated: boolean;
  /** Set when the list could not be read at all (e.g. `LIST_UNAVAILABLE`); the rest of the input still runs. */
  error?: SerializedError;
}

/** A video of the expanded input, with the list it came from. */
export interface ExpandedVideo extends VideoInput {
  /** {@link ListExpansion.list} of the list it came from; absent for a video given by URL. */
  list?: string;
}

/** What {@link expandInputs} returns: the input's videos in order, lists replaced by their videos. */
export interface ExpandedInputs {
  videos: ExpandedVideo[];
  duplicates: DuplicateInput[];
  rejected: RejectedInput[];
  notes: InputNote[];
  lists: ListExpansion[];
}

/** Options of {@link expandInputs}. */
export interface ExpandInputsOptions {
  /** Expands playlists and channels; without one they are rejected with a reason. */
  source?: VideoListSource | undefined;
  /**
   * Videos in all, URLs and lists together, once lists are involved. Videos given by URL are
   * always kept; lists fill what is left, and what does not fit is listed as not taken.
   * @default 500
   */
  maxVideos?: number | undefined;
  /** Which uploads of a channel; see {@link ExpandListOptions.channelContent}. @default the source's default */
  channelContent?: ChannelContent | undefined;
  /** Cancels the expansion; the call rejects with `CANCELLED`. */
  signal?: AbortSignal | undefined;
  /** Called as each list is done, e.g. to print "Playlist X: 143 videos" while others are read. */
  onList?: ((expansion: ListExpansion) => void) | undefined;
}

const optionsSchema = z
  .object({
    source: z
      .custom<VideoListSource>((value) => typeof value === 'object' && value !== null && typeof (value as { expand?: unknown }).expand === 'function', {
        error: 'an object with `expand()`',
      })
      .optional(),
    maxVideos: positiveInteger.optional(),
    channelContent: z.enum(['all', 'videos', 'shorts', 'live'], { error: 'one of `all`, `videos`, `shorts`, `live`' }).optional(),
    signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
    onList: z.custom<(expansion: ListExpansion) => void>((value) => typeof value === 'function', { error: 'a function' }).optional(),
  })
  .strict();

const watchUrl = (videoId: string) => `https://www.youtube.com/watch?v=${videoId}`;

/**
 * Parses the input with {@link parseUrlList} and, with a list source, replaces each playlist
 * and channel by its videos, in input order. Every continuation is followed; duplicates
 * across lists and URLs count once; unavailable entries are rejected with their reason; past
 * `maxVideos` the rest is reported as not taken; a list that cannot be read is rejected with
 * its typed error and the rest of the input still runs.
 * @throws {TubesumError} `CANCELLED` when `signal` aborts; `INVALID_OPTIONS` for input that is not text.
 */
export async function expandInputs(urls: string | readonly string[], options: ExpandInputsOptions = {}): Promise<ExpandedInputs> {
  validateOptions(optionsSchema, options, 'expandInputs() options');
  const { source, signal } = options;
  const parsed = parseUrlList(urls, { lists: source !== undefined });
  const result: ExpandedInputs = { videos: [], duplicates: parsed.duplicates, rejected: parsed.rejected, notes: parsed.notes, lists: [] };
  if (source === undefined || parsed.lists.length === 0) {
    result.videos = parsed.videos;
    return result;
  }
  const seen = new Set(parsed.videos.map((video) => video.videoId));
  let room = Math.max(0, (options.maxVideos ?? DEFAULT_MAX_VIDEOS) - parsed.videos.length);
  const fromLists: ExpandedVideo[][] = [];
  for (const input of parsed.lists) {
    if (signal?.aborted) throw cancelledError(signal);
    const videos: ExpandedVideo[] = [];
    const expansion = await expandOne(source, input, options, { seen, room, videos, result });
    room -= expansion.taken;
    fromLists.push(videos);
    result.lists.push(expansion);
    try {
      options.onList?.(expansion);
    } catch (error) {
      process.emitWarning(`tubesum: an onList callback threw: ${String(error)}`);
    }
  }
  // Each list's videos go where the list was in the input.
  let next = 0;
  for (const [index, input] of parsed.lists.entries()) {
    result.videos.push(...parsed.videos.slice(next, input.position), ...(fromLists[index] ?? []));
    next = input.position;
  }
  result.videos.push(...parsed.videos.slice(next));
  return result;
}

interface Shared {
  seen: Set<string>;
  room: number;
  videos: ExpandedVideo[];
  result: ExpandedInputs;
}

async function expandOne(source: VideoListSource, input: ListInput, options: ExpandInputsOptions, shared: Shared): Promise<ListExpansion> {
  const { seen, videos, result } = shared;
  const list = describeList(input.list);
  const expansion: ListExpansion = { input: displayInput(input.input), kind: input.list.kind, list, taken: 0, duplicates: 0, unavailable: 0, truncated: false };
  const named = () => (expansion.title === undefined ? list : `${input.list.kind} "${expansion.title}"`);
  let read = 0;
  try {
    for await (const entry of source.expand(input.list, { signal: options.signal, channelContent: options.channelContent })) {
      if (entry.type === 'list') {
        expansion.title = entry.title;
        if (entry.videoCount !== undefined) expansion.videoCount = entry.videoCount;
        continue;
      }
      read += 1;
      if (entry.type === 'unavailable') {
        expansion.unavailable += 1;
        result.rejected.push({
          input: entry.videoId === undefined ? displayInput(entry.title ?? list) : watchUrl(entry.videoId),
          reason: `${entry.reason} (in ${named()})`,
        });
        continue;
      }
      if (seen.has(entry.videoId)) {
        expansion.duplicates += 1;
        result.duplicates.push({ input: watchUrl(entry.videoId), videoId: entry.videoId });
        continue;
      }
      if (expansion.taken >= shared.room) {
        // Stop reading: this video and whatever follows are not taken, and said so.
        expansion.truncated = true;
        const rest = expansion.videoCount === undefined ? undefined : Math.max(0, expansion.videoCount - read);
        result.rejected.push({
          input: watchUrl(entry.videoId),
          reason:
            `Not taken: the batch is capped at ${(options.maxVideos ?? DEFAULT_MAX_VIDEOS).toLocaleString('en-US')} videos (maxVideos); ` +
            (rest === undefined
              ? `this video and the rest of ${named()} were not taken`
              : `this video and ${rest.toLocaleString('en-US')} more of ${named()} were not taken`),
        });
        break;
      }
      seen.add(entry.videoId);
      expansion.taken += 1;
      videos.push({ videoId: entry.videoId, url: watchUrl(entry.videoId), input: expansion.input, list });
    }
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError(options.signal);
    const typed =
      error instanceof TubesumError
        ? error
        : new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `Could not read ${list}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
    if (typed.code === ErrorCode.CANCELLED) throw typed;
    expansion.error = typed.toJSON();
    result.rejected.push({
      input: expansion.input,
      reason: expansion.taken === 0 ? typed.message : `${typed.message} (the first ${expansion.taken} videos were taken)`,
    });
  }
  return expansion;
}
