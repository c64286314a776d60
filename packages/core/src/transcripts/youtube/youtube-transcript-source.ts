import { YoutubeTranscript } from 'youtube-transcript';
import type { TranscriptResponse } from 'youtube-transcript';
import { z } from 'zod';
import { cancelledError, ErrorCode, TubesumError } from '../../errors.js';
import { validateOptions } from '../../internal/validate-options.js';
import { validateFetchTranscriptOptions } from '../fetch-transcript-options.js';
import type { FetchTranscriptOptions, Transcript, TranscriptSource } from '../transcript-source.js';
import { assertVideoId } from '../video-id.js';
import { FetchSession } from './fetch-session.js';
import { captionSegments } from './youtube-captions.js';
import { youtubeRequest } from './youtube-http.js';
import type { FetchFunction, HttpAnswer, YouTubeHttpOptions, YouTubeRequest } from './youtube-http.js';
import type { VideoMetadata } from './youtube-player-response.js';
import { sharedYouTubeRequestLimiter, YouTubeRequestLimiter } from './youtube-request-limiter.js';
import type { YouTubeRequestLimiterOptions } from './youtube-request-limiter.js';
import { positiveInteger } from '../../internal/option-schemas.js';

/** Options of {@link YouTubeTranscriptSource}. */
export interface YouTubeTranscriptSourceOptions {
  /**
   * Performs every HTTP request (player API, watch page, caption file, oEmbed). Inject one
   * for tests, or for a proxy:
   * ```ts
   * import { ProxyAgent } from 'undici';
   * const dispatcher = new ProxyAgent('http://user:password@proxy.example:8080');
   * new YouTubeTranscriptSource({
   *   // Node's fetch is undici's: it takes a `dispatcher`, which RequestInit does not declare.
   *   fetch: (url, init) => fetch(url, { ...init, dispatcher } as RequestInit),
   * });
   * ```
   * The request's `signal` (caller's abort plus the request timeout) is always set.
   * @default globalThis.fetch
   */
  fetch?: FetchFunction | undefined;
  /**
   * Languages in order of preference, used when a call does not pass its own.
   * @default ['en']
   */
  languages?: readonly string[] | undefined;
  /**
   * When no track is in a wanted language, take any track (manual first) instead of
   * failing with `NO_TRANSCRIPT_IN_LANGUAGE`.
   * @default false
   */
  allowAnyLanguage?: boolean | undefined;
  /**
   * Time allowed for one HTTP request, body included, in milliseconds; past it the
   * fetch fails with `TIMEOUT`.
   * @default 20000
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Paces YouTube requests: a {@link YouTubeRequestLimiter} to share, or options for a
   * limiter of this source's own.
   * @default the process-wide shared limiter (2 at once, 1 s gap plus up to 1 s jitter)
   */
  limiter?: YouTubeRequestLimiter | YouTubeRequestLimiterOptions | undefined;
  /**
   * Ask YouTube's oEmbed endpoint for title and channel when the player response lacks them.
   * @default true
   */
  oEmbed?: boolean | undefined;
  /**
   * Largest response body accepted, in bytes; a bigger one fails with `UNEXPECTED_RESPONSE`.
   * @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number | undefined;
}

const languagesSchema = z
  .array(z.string({ error: 'a language code' }).min(1, { error: 'a language code' }), {
    error: 'a non-empty array of language codes such as ["en"]',
  })
  .min(1, { error: 'a non-empty array of language codes such as ["en"]' });
const callSchema = z.object({ languages: languagesSchema });
const optionsSchema = z
  .object({
    fetch: z.custom<FetchFunction>((value) => typeof value === 'function', { error: 'a fetch function' }).optional(),
    languages: languagesSchema.default(['en']),
    allowAnyLanguage: z.boolean({ error: 'a boolean' }).default(false),
    requestTimeoutMs: positiveInteger.default(20_000),
    limiter: z
      .union([z.instanceof(YouTubeRequestLimiter), z.looseObject({})], {
        error: 'a YouTubeRequestLimiter or limiter options',
      })
      .optional(),
    oEmbed: z.boolean({ error: 'a boolean' }).default(true),
    maxResponseBytes: positiveInteger.default(16 * 1024 * 1024),
  })
  .strict();

const YOUTUBE = 'https://www.youtube.com';
/**
 * Transcripts from YouTube, built on the `youtube-transcript` package (1.3.1) with every
 * request going through `fetch`.
 *
 * How the work is split. `youtube-transcript` makes the requests (player API posing as the
 * Android app, then the watch page as a fallback, then the caption file) and parses both
 * caption formats. It cannot choose a track by kind (it takes the first track, or the first
 * in one language), it swallows player API errors, and it keeps markup, empty cues and
 * mixed time units. So the `fetch` it is given is a session that sees each answer first:
 * it classifies what YouTube said (playability status, captcha, consent page, empty body,
 * HTTP status), picks the track itself (manual in a wanted language, then auto-generated,
 * then any if allowed) and hands the package only that track; afterwards segments are
 * cleaned and converted to milliseconds. The watch page is tried at most once, and only
 * when the player API failed (network, timeout, garbage); definite answers end the fetch.
 *
 * The source never retries by itself: failures come back typed, with `retryable` set, for
 * the caller (the batch processor) to decide. Transient faults are retryable: a reset, a
 * timeout, an HTTP 5xx, an answer cut short, and an unusable watch page after the player API
 * failed in one of those ways. YouTube's definite answers (unavailable, age restricted,
 * transcripts disabled, PO token required...) are not. `REQUEST_BLOCKED` and `TOO_MANY_REQUESTS`
 * mean YouTube is limiting this IP: slow down or use a proxy (see the `fetch` option).
 *
 * @example
 * const transcripts = new YouTubeTranscriptSource({ languages: ['de', 'en'] });
 * const transcript = await transcripts.fetchTranscript('GJLlxj_dtq8', { signal });
 */
export class YouTubeTranscriptSource implements TranscriptSource {
  readonly name = 'youtube';
  readonly #languages: readonly string[];
  readonly #allowAnyLanguage: boolean;
  readonly #limiter: YouTubeRequestLimiter;
  readonly #oEmbed: boolean;
  readonly #http: YouTubeHttpOptions;

  constructor(options: YouTubeTranscriptSourceOptions = {}) {
    const parsed = validateOptions(optionsSchema, options, 'YouTubeTranscriptSource options');
    this.#languages = parsed.languages;
    this.#allowAnyLanguage = parsed.allowAnyLanguage;
    const limiter = options.limiter;
    this.#limiter =
      limiter instanceof YouTubeRequestLimiter ? limiter : limiter === undefined ? sharedYouTubeRequestLimiter() : new YouTubeRequestLimiter(limiter);
    this.#oEmbed = parsed.oEmbed;
    this.#http = {
      fetch: parsed.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      limiter: this.#limiter,
      requestTimeoutMs: parsed.requestTimeoutMs,
      maxResponseBytes: parsed.maxResponseBytes,
    };
  }

  async fetchTranscript(videoId: string, options: FetchTranscriptOptions = {}): Promise<Transcript> {
    assertVideoId(videoId);
    validateFetchTranscriptOptions(options);
    const { signal } = options;
    if (signal?.aborted) throw cancelledError(signal, videoId);
    const languages = options.languages?.length
      ? validateOptions(callSchema, { languages: options.languages }, 'fetchTranscript options').languages
      : this.#languages;

    const session = new FetchSession({
      videoId,
      languages,
      allowAnyLanguage: this.#allowAnyLanguage,
      signal,
      request: (url, init, what) => this.#request({ url, init, what, videoId, signal }),
      limiter: this.#limiter,
    });
    let cues: TranscriptResponse[];
    try {
      cues = await YoutubeTranscript.fetchTranscript(videoId, { fetch: session.fetch as typeof globalThis.fetch });
    } catch (error) {
      throw session.explain(error);
    }
    const { track, captionBody } = session;
    if (session.failure) throw session.failure;
    if (!track || captionBody === undefined) {
      throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `youtube-transcript returned without fetching a caption file for ${videoId}.`, {
        videoId,
        details: { source: 'youtube' },
      });
    }
    const segments = captionSegments(cues, captionBody, videoId, track.languageCode);
    this.#limiter.reportSuccess();
    const metadata = { ...(await this.#oEmbedMetadata(videoId, session.metadata, signal)), ...session.metadata };
    return {
      videoId,
      language: track.languageCode,
      isAutoGenerated: track.isAutoGenerated,
      segments,
      ...metadata,
      source: this.name,
    };
  }

  /** Title and channel from oEmbed when the player response lacked them; failures are ignored. */
  async #oEmbedMetadata(videoId: string, known: VideoMetadata, signal: AbortSignal | undefined): Promise<VideoMetadata> {
    if (!this.#oEmbed || (known.title !== undefined && known.channel !== undefined)) return {};
    const watchUrl = `${YOUTUBE}/watch?v=${videoId}`;
    try {
      const response = await this.#request({
        url: `${YOUTUBE}/oembed?format=json&url=${encodeURIComponent(watchUrl)}`,
        init: { method: 'GET' },
        what: 'oEmbed',
        videoId,
        signal,
      });
      if (response.status !== 200) return {};
      const data = JSON.parse(response.body) as unknown;
      if (typeof data !== 'object' || data === null) return {};
      const { title, author_name: channel } = data as { title?: unknown; author_name?: unknown };
      return {
        ...(typeof title === 'string' && title !== '' ? { title } : {}),
        ...(typeof channel === 'string' && channel !== '' ? { channel } : {}),
      };
    } catch (error) {
      if (error instanceof TubesumError && error.code === ErrorCode.CANCELLED) throw error;
      return {};
    }
  }

  /** One paced, timed, size-capped request; the body is read inside the time limit. */
  #request(request: YouTubeRequest): Promise<HttpAnswer> {
    return youtubeRequest(this.#http, request);
  }
}
