import { z } from 'zod';
import { cancelledError, ErrorCode, TubesumError } from '../errors.js';
import { validateOptions } from '../internal/validate-options.js';
import { sharedYouTubeRequestLimiter, YouTubeRequestLimiter } from '../transcripts/youtube/youtube-request-limiter.js';
import type { YouTubeRequestLimiterOptions } from '../transcripts/youtube/youtube-request-limiter.js';
import type { FetchFunction } from '../transcripts/youtube/youtube-http.js';
import { loadYoutubei } from './load-optional.js';
import type { Youtubei } from './load-optional.js';
import { createListFetch } from './youtube-list-http.js';
import { errorAlertOf, parseVideoCount, readListPage } from './youtube-list-page.js';
import type { ListPage } from './youtube-list-page.js';
import { describeList } from './video-list-source.js';
import type { ChannelContent, ExpandListOptions, VideoListEntry, VideoListReference, VideoListSource } from './video-list-source.js';
import { nonNegativeInteger, positiveInteger } from '../internal/option-schemas.js';

type Innertube = InstanceType<Youtubei['Innertube']>;

/** Options of {@link YouTubeVideoListSource}. */
export interface YouTubeVideoListSourceOptions {
  /**
   * Performs every HTTP request, as for {@link YouTubeTranscriptSource}: inject one for a
   * proxy or for tests. The request's `signal` (the expansion's plus the time limit) is always set.
   * @default globalThis.fetch
   */
  fetch?: FetchFunction | undefined;
  /**
   * Paces YouTube requests: a {@link YouTubeRequestLimiter} to share, or options for a
   * limiter of this source's own.
   * @default the process-wide shared limiter, the one transcripts use
   */
  limiter?: YouTubeRequestLimiter | YouTubeRequestLimiterOptions | undefined;
  /**
   * Time allowed for one request, body included, in milliseconds; past it `TIMEOUT`.
   * @default 20000
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Largest answer accepted, in bytes; a bigger one fails with `UNEXPECTED_RESPONSE`.
   * @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number | undefined;
  /**
   * For channels, which uploads when the call does not say: `all` (the uploads playlist),
   * `videos`, `shorts` or `live`.
   * @default 'all'
   */
  channelContent?: ChannelContent | undefined;
}

const contentSchema = z.enum(['all', 'videos', 'shorts', 'live'], { error: 'one of `all`, `videos`, `shorts`, `live`' });
const optionsSchema = z
  .object({
    fetch: z.custom<FetchFunction>((value) => typeof value === 'function', { error: 'a fetch function' }).optional(),
    limiter: z.union([z.instanceof(YouTubeRequestLimiter), z.looseObject({})], { error: 'a YouTubeRequestLimiter or limiter options' }).optional(),
    requestTimeoutMs: positiveInteger.default(20_000),
    maxResponseBytes: positiveInteger.default(16 * 1024 * 1024),
    channelContent: contentSchema.default('all'),
  })
  .strict();
const idSchema = z.string().regex(/^[A-Za-z0-9_-]{2,80}$/, { error: 'a playlist id such as `PL…`' });
const referenceSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('playlist'), id: idSchema }),
    z.object({
      kind: z.literal('channel'),
      channelId: z
        .string()
        .regex(/^UC[A-Za-z0-9_-]{22}$/, { error: 'a channel id `UC…` of 24 characters' })
        .optional(),
      url: z.string().regex(/^https:\/\/www\.youtube\.com\/\S{1,200}$/, { error: 'a https://www.youtube.com/… channel link' }),
      content: contentSchema.optional(),
    }),
  ],
  { error: 'a `{ kind: "playlist", id }` or `{ kind: "channel", url }` list' },
);
const expandSchema = z.object({
  signal: z.instanceof(AbortSignal, { error: 'an AbortSignal' }).optional(),
  limit: nonNegativeInteger.optional(),
  channelContent: contentSchema.optional(),
});

/** The Videos, Shorts and Live tabs of a channel page, as YouTube's web client asks for them. */
const TAB_PARAMS: Readonly<Record<Exclude<ChannelContent, 'all'>, string>> = {
  videos: 'EgZ2aWRlb3PyBgQKAjoA',
  shorts: 'EgZzaG9ydHPyBgUKA5oBAA%3D%3D',
  live: 'EgdzdHJlYW1z8gYECgJ6AA%3D%3D',
};

/**
 * Playlists and channels from YouTube, read with youtubei.js (an optional peer dependency,
 * imported on the first expansion: `npm install youtubei.js`).
 *
 * A playlist is read page by page (YouTube sends about 100 videos a page) following every
 * continuation; a channel is its uploads playlist (`UU…`) or, with `channelContent`, its
 * Videos, Shorts or Live tab. Private, deleted and members-only entries are yielded as
 * `unavailable` with the reason. Every request goes through `fetch` and the YouTube request
 * limiter shared with transcripts, and at most one page of answers is held at a time.
 *
 * @example
 * const lists = new YouTubeVideoListSource();
 * for await (const entry of lists.expand({ kind: 'playlist', id: 'PL…' }, { limit: 500 })) {
 *   if (entry.type === 'video') console.log(entry.videoId);
 * }
 */
export class YouTubeVideoListSource implements VideoListSource {
  readonly #fetch: FetchFunction;
  readonly #limiter: YouTubeRequestLimiter;
  readonly #requestTimeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #channelContent: ChannelContent;

  constructor(options: YouTubeVideoListSourceOptions = {}) {
    const parsed = validateOptions(optionsSchema, options, 'YouTubeVideoListSource options');
    this.#fetch = parsed.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#limiter =
      parsed.limiter instanceof YouTubeRequestLimiter
        ? parsed.limiter
        : parsed.limiter === undefined
          ? sharedYouTubeRequestLimiter()
          : new YouTubeRequestLimiter(parsed.limiter as YouTubeRequestLimiterOptions);
    this.#requestTimeoutMs = parsed.requestTimeoutMs;
    this.#maxResponseBytes = parsed.maxResponseBytes;
    this.#channelContent = parsed.channelContent;
  }

  /**
   * Yields `{ type: 'list' }` first, then the list's entries in order. Throws
   * `LIST_UNAVAILABLE` when the list does not exist or cannot be viewed, `CANCELLED` when
   * `signal` aborts, and `UNEXPECTED_RESPONSE` for an answer it cannot read.
   */
  expand(list: VideoListReference, options: ExpandListOptions = {}): AsyncIterable<VideoListEntry> {
    const reference = validateOptions(referenceSchema, list, 'list') as VideoListReference;
    const parsed = validateOptions(expandSchema, options, 'expand() options');
    return this.#expand(reference, parsed.signal, parsed.limit ?? Number.POSITIVE_INFINITY, parsed.channelContent ?? this.#channelContent);
  }

  async *#expand(list: VideoListReference, signal: AbortSignal | undefined, limit: number, defaultContent: ChannelContent): AsyncGenerator<VideoListEntry> {
    const what = describeList(list);
    try {
      signal?.throwIfAborted();
      const yt = await loadYoutubei();
      signal?.throwIfAborted();
      const fetch = createListFetch({
        fetch: this.#fetch,
        limiter: this.#limiter,
        requestTimeoutMs: this.#requestTimeoutMs,
        maxResponseBytes: this.#maxResponseBytes,
        signal,
        what,
      });
      const innertube = await yt.Innertube.create({
        fetch,
        retrieve_player: false,
        generate_session_locally: true,
        retrieve_innertube_config: false,
        enable_session_cache: false,
        lang: 'en',
        location: 'US',
      });
      let taken = 0;
      for await (const entry of this.#entries(yt, innertube, list, what, defaultContent, signal)) {
        signal?.throwIfAborted();
        if (entry.type === 'video') {
          if (taken >= limit) return;
          taken += 1;
        }
        yield entry;
        if (taken >= limit && entry.type === 'video') return;
      }
    } catch (error) {
      if (signal?.aborted) throw cancelledError(signal);
      if (error instanceof TubesumError) throw error;
      throw new TubesumError(
        ErrorCode.UNEXPECTED_RESPONSE,
        `YouTube's answer for ${what} could not be read: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
          details: { source: 'youtube', list: what },
        },
      );
    }
  }

  async *#entries(
    yt: Youtubei,
    innertube: Innertube,
    list: VideoListReference,
    what: string,
    defaultContent: ChannelContent,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<VideoListEntry> {
    if (list.kind === 'playlist') {
      yield* this.#playlist(yt, innertube, list.id, what, signal);
      return;
    }
    const channelId = list.channelId ?? (await resolveChannel(innertube, list.url, what));
    const content = list.content ?? defaultContent;
    if (content === 'all') {
      yield* this.#playlist(yt, innertube, `UU${channelId.slice(2)}`, what, signal);
      return;
    }
    const first = await browse(innertube, { browseId: channelId, params: TAB_PARAMS[content] }, what);
    const channel = new yt.YT.Channel(innertube.actions, first);
    yield { type: 'list', title: titleOf(channel.metadata.title, what) };
    yield* this.#pages(yt, innertube, readListPage(yt, channel, first.data), what, signal);
  }

  async *#playlist(yt: Youtubei, innertube: Innertube, id: string, what: string, signal: AbortSignal | undefined): AsyncGenerator<VideoListEntry> {
    const first = await browse(innertube, { browseId: `VL${id}` }, what);
    const playlist = new yt.YT.Playlist(innertube.actions, first);
    const title = titleOf(playlist.info.title, what);
    const videoCount = parseVideoCount(playlist.info.total_items);
    yield { type: 'list', title, ...(videoCount === undefined ? {} : { videoCount }) };
    yield* this.#pages(yt, innertube, readListPage(yt, playlist, first.data), what, signal);
  }

  /** Yields a page's entries, then fetches the next; only the current page is held. */
  async *#pages(yt: Youtubei, innertube: Innertube, firstPage: ListPage, what: string, signal: AbortSignal | undefined): AsyncGenerator<VideoListEntry> {
    let page: ListPage | undefined = firstPage;
    const tokens = new Set<string>();
    while (page !== undefined) {
      yield* page.entries;
      const token: string | undefined = page.continuation;
      page = undefined;
      if (token === undefined) return;
      // A token seen before means YouTube (or a damaged answer) sent us round in a circle.
      if (tokens.has(token)) {
        throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's pages of ${what} repeat a continuation; the list was read up to there.`, {
          details: { source: 'youtube', list: what },
        });
      }
      tokens.add(token);
      signal?.throwIfAborted();
      const answer = await browse(innertube, { continuation: token }, what);
      page = readListPage(yt, new yt.Mixins.Feed(innertube.actions, answer), answer.data);
      // A page YouTube announced must hold something: an empty one would end the list early, silently.
      if (page.entries.length === 0) {
        throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube sent an empty page of ${what}; the list was read up to there.`, {
          details: { source: 'youtube', list: what },
        });
      }
    }
  }
}

/** A list's title; a first page without one is not a list page. */
function titleOf(title: string | undefined, what: string): string {
  if (typeof title === 'string' && title.trim() !== '') return title;
  throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's answer for ${what} has no title: it is not a list page.`, {
    details: { source: 'youtube', list: what },
  });
}

interface RawAnswer {
  success: boolean;
  status_code: number;
  data: unknown;
}

/** One `browse` request, its answer checked for YouTube's error alert. */
async function browse(innertube: Innertube, args: Record<string, string>, what: string): Promise<RawAnswer & { data: Record<string, unknown> }> {
  const answer = (await innertube.actions.execute('/browse', args)) as RawAnswer;
  const data = answer.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's answer for ${what} is not a JSON object.`, { details: { source: 'youtube', list: what } });
  }
  const alert = errorAlertOf(data);
  if (alert !== undefined) {
    throw new TubesumError(ErrorCode.LIST_UNAVAILABLE, `YouTube cannot show ${what}: ${alert}`, { details: { list: what, reason: alert } });
  }
  return answer as RawAnswer & { data: Record<string, unknown> };
}

/** The `UC…` id behind a `/@handle`, `/c/` or `/user/` link. */
async function resolveChannel(innertube: Innertube, url: string, what: string): Promise<string> {
  let answer: RawAnswer;
  try {
    answer = (await innertube.actions.execute('/navigation/resolve_url', { url })) as RawAnswer;
  } catch (error) {
    if (error instanceof TubesumError && error.details.status === 404) {
      throw new TubesumError(ErrorCode.LIST_UNAVAILABLE, `There is no YouTube ${what}.`, { cause: error, details: { list: what, reason: 'not found' } });
    }
    throw error;
  }
  const browseId = (answer.data as { endpoint?: { browseEndpoint?: { browseId?: unknown } } } | null)?.endpoint?.browseEndpoint?.browseId;
  if (typeof browseId !== 'string' || !/^UC[A-Za-z0-9_-]{22}$/.test(browseId)) {
    throw new TubesumError(ErrorCode.LIST_UNAVAILABLE, `${what} does not lead to a YouTube channel.`, { details: { list: what, reason: 'not a channel' } });
  }
  return browseId;
}
