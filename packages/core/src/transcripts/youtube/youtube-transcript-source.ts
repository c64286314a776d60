import { YoutubeTranscript, YoutubeTranscriptTooManyRequestError } from 'youtube-transcript';
import type { TranscriptResponse } from 'youtube-transcript';
import { z } from 'zod';
import { cancelledError, ErrorCode, TubesumError } from '../../errors.js';
import { untilAborted } from '../../internal/abort.js';
import { readTextBody } from '../../internal/read-text-body.js';
import { validateOptions } from '../../internal/validate-options.js';
import { validateFetchTranscriptOptions } from '../fetch-transcript-options.js';
import { makeSegment } from '../caption-text.js';
import type { FetchTranscriptOptions, Transcript, TranscriptSegment, TranscriptSource } from '../transcript-source.js';
import { assertVideoId } from '../video-id.js';
import {
  captionTracksOf,
  classifyPlayability,
  consentValueOf,
  extractInlinePlayerResponse,
  isCaptchaPage,
  isConsentPage,
  isCutShortPage,
  isCutShortXml,
  isYouTubeUrl,
  needsPoToken,
  opensAsJson,
  PROXY_ADVICE,
  selectCaptionTrack,
  videoMetadataOf,
} from './youtube-player-response.js';
import type { CaptionTrack, VideoMetadata } from './youtube-player-response.js';
import { sharedYouTubeRequestLimiter, YouTubeRequestLimiter } from './youtube-request-limiter.js';
import type { YouTubeRequestLimiterOptions } from './youtube-request-limiter.js';

/** The `fetch` signature {@link YouTubeTranscriptSource} calls. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

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

const positiveInteger = () =>
  z.number({ error: 'a positive integer' }).int({ error: 'a positive integer' }).positive({ error: 'a positive integer' });
const languagesSchema = z
  .array(z.string({ error: 'a language code' }).min(1, { error: 'a language code' }), {
    error: 'a non-empty array of language codes such as ["en"]',
  })
  .min(1, { error: 'a non-empty array of language codes such as ["en"]' });
const callSchema = z.object({ languages: languagesSchema });
const optionsSchema = z.object({
  fetch: z.custom<FetchFunction>((value) => typeof value === 'function', { error: 'a fetch function' }).optional(),
  languages: languagesSchema.default(['en']),
  allowAnyLanguage: z.boolean({ error: 'a boolean' }).default(false),
  requestTimeoutMs: positiveInteger().default(20_000),
  limiter: z
    .union([z.instanceof(YouTubeRequestLimiter), z.looseObject({})], {
      error: 'a YouTubeRequestLimiter or limiter options',
    })
    .optional(),
  oEmbed: z.boolean({ error: 'a boolean' }).default(true),
  maxResponseBytes: positiveInteger().default(16 * 1024 * 1024),
}).strict();

const YOUTUBE = 'https://www.youtube.com';
/** Failures of the player API after which the watch page is worth one try. */
const PLAYER_FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.NETWORK_ERROR,
  ErrorCode.TIMEOUT,
  ErrorCode.UNEXPECTED_RESPONSE,
]);
/** Answers that show YouTube is serving this IP normally, which ends a run of blocks. */
const DEFINITE_ANSWERS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.VIDEO_UNAVAILABLE,
  ErrorCode.VIDEO_UNPLAYABLE,
  ErrorCode.AGE_RESTRICTED,
  ErrorCode.TRANSCRIPTS_DISABLED,
  ErrorCode.NO_TRANSCRIPT_IN_LANGUAGE,
  ErrorCode.PO_TOKEN_REQUIRED,
]);
const SRV3_CUE = /<p\s+t="\d+"\s+d="\d+"/;

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
  readonly #fetch: FetchFunction;
  readonly #languages: readonly string[];
  readonly #allowAnyLanguage: boolean;
  readonly #requestTimeoutMs: number;
  readonly #limiter: YouTubeRequestLimiter;
  readonly #oEmbed: boolean;
  readonly #maxResponseBytes: number;

  constructor(options: YouTubeTranscriptSourceOptions = {}) {
    const parsed = validateOptions(optionsSchema, options, 'YouTubeTranscriptSource options');
    this.#fetch = parsed.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#languages = parsed.languages;
    this.#allowAnyLanguage = parsed.allowAnyLanguage;
    this.#requestTimeoutMs = parsed.requestTimeoutMs;
    const limiter = options.limiter;
    this.#limiter =
      limiter instanceof YouTubeRequestLimiter
        ? limiter
        : limiter === undefined
          ? sharedYouTubeRequestLimiter()
          : new YouTubeRequestLimiter(limiter);
    this.#oEmbed = parsed.oEmbed;
    this.#maxResponseBytes = parsed.maxResponseBytes;
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
      request: (url, init, what) => this.#request(url, init, what, videoId, signal),
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
    if (isCutShortXml(captionBody)) {
      throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's caption file for ${videoId} was cut short; refusing a partial transcript.`, {
        videoId,
        retryable: true,
        details: { source: 'youtube', language: track.languageCode },
      });
    }
    const segments = toSegments(cues, captionBody);
    if (segments.length === 0) {
      const known = /<(transcript|timedtext)\b/.test(captionBody);
      throw new TubesumError(
        known ? ErrorCode.EMPTY_TRANSCRIPT : ErrorCode.UNEXPECTED_RESPONSE,
        known
          ? `The ${track.languageCode} transcript of ${videoId} holds no text.`
          : `YouTube sent a caption file for ${videoId} in a format tubesum does not understand.`,
        { videoId, details: { source: 'youtube', language: track.languageCode } },
      );
    }
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
      const response = await this.#request(
        `${YOUTUBE}/oembed?format=json&url=${encodeURIComponent(watchUrl)}`,
        { method: 'GET' },
        'oEmbed',
        videoId,
        signal,
      );
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
  #request(
    url: string,
    init: RequestInit,
    what: string,
    videoId: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    return this.#limiter
      .run(() => this.#timedRequest(url, init, what, videoId, signal), signal)
      .catch((error: unknown) => {
        if (signal?.aborted) throw cancelledError(signal, videoId);
        throw error;
      });
  }

  async #timedRequest(
    url: string,
    init: RequestInit,
    what: string,
    videoId: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    const controller = new AbortController();
    const timeout = new TubesumError(
      ErrorCode.TIMEOUT,
      `YouTube did not answer the ${what} request for ${videoId} within ${this.#requestTimeoutMs} ms.`,
      { videoId, details: { source: 'youtube', request: what } },
    );
    const onAbort = () => controller.abort(cancelledError(signal, videoId));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(timeout), this.#requestTimeoutMs);
    try {
      const work = (async () => {
        const response = await this.#fetch(url, { ...init, signal: controller.signal });
        const body = await readTextBody(
          response,
          this.#maxResponseBytes,
          () =>
            new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's ${what} answer for ${videoId} is larger than ${this.#maxResponseBytes} bytes.`, {
              videoId,
              details: { source: 'youtube', request: what },
            }),
        );
        return { status: response.status, headers: response.headers, body };
      })();
      return await untilAborted(work, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      if (error instanceof TubesumError) throw error;
      throw new TubesumError(ErrorCode.NETWORK_ERROR, `Could not reach YouTube (${what} request for ${videoId}): ${describeError(error)}.`, {
        videoId,
        cause: error,
        details: { source: 'youtube', request: what },
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

interface SessionOptions {
  videoId: string;
  languages: readonly string[];
  allowAnyLanguage: boolean;
  signal: AbortSignal | undefined;
  request: (url: string, init: RequestInit, what: string) => Promise<HttpAnswer>;
  limiter: YouTubeRequestLimiter;
}

/**
 * The `fetch` handed to youtube-transcript for one video. It performs the real requests,
 * classifies every answer, and remembers the first definite failure: youtube-transcript
 * swallows errors of its player API step, so the next call it makes rethrows that failure.
 */
class FetchSession {
  readonly #options: SessionOptions;
  /** The failure that ends this fetch. */
  failure: TubesumError | undefined;
  /** A failure of the player API that leaves the watch page worth a try. */
  playerFailure: TubesumError | undefined;
  #watchPageTried = false;
  track: CaptionTrack | undefined;
  captionBody: string | undefined;
  metadata: VideoMetadata = {};

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const { signal, videoId } = this.#options;
    if (signal?.aborted) throw this.#fail(cancelledError(signal, videoId));
    if (this.failure) throw this.failure;
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === '/youtubei/v1/player') return this.#player(url, init);
    if (url.pathname === '/watch') return this.#watchPage(url, init);
    if (url.pathname === '/api/timedtext') return this.#captions(url, init);
    throw this.#fail(
      new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `youtube-transcript asked for an unexpected URL (${url.origin}${url.pathname}).`, {
        videoId,
        details: { source: 'youtube' },
      }),
    );
  };

  /** The error to throw when youtube-transcript itself fails. */
  explain(error: unknown): TubesumError {
    if (this.failure) return this.failure;
    const { videoId, signal } = this.#options;
    if (signal?.aborted) return cancelledError(signal, videoId);
    if (error instanceof TubesumError) return error;
    if (error instanceof YoutubeTranscriptTooManyRequestError) {
      return this.#fail(tooManyRequests(videoId, 'a captcha page', undefined));
    }
    return new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `Could not read YouTube's answer for ${videoId}: ${describeError(error)}.`, {
      videoId,
      cause: error,
      details: { source: 'youtube', ...(this.playerFailure ? { playerApi: this.playerFailure.message } : {}) },
    });
  }

  #fail(error: TubesumError): TubesumError {
    if (this.failure) return this.failure;
    this.failure = error;
    if (error.code === ErrorCode.REQUEST_BLOCKED || error.code === ErrorCode.TOO_MANY_REQUESTS) {
      this.#options.limiter.reportBlocked();
    } else if (DEFINITE_ANSWERS.has(error.code)) {
      this.#options.limiter.reportSuccess();
    }
    return error;
  }

  async #player(url: URL, init: RequestInit): Promise<Response> {
    const { videoId } = this.#options;
    const fallback = (error: TubesumError) => {
      this.playerFailure = error;
      return error;
    };
    let answer: HttpAnswer;
    try {
      answer = await this.#options.request(url.href, init, 'player API');
    } catch (error) {
      const typed = asTubesumError(error, videoId);
      throw PLAYER_FALLBACK_CODES.has(typed.code) ? fallback(typed) : this.#fail(typed);
    }
    if (answer.status === 429) throw this.#fail(tooManyRequests(videoId, 'HTTP 429', answer.headers));
    if (answer.status < 200 || answer.status >= 300) throw fallback(badStatus(videoId, 'player API', answer.status));
    let player: unknown;
    try {
      player = JSON.parse(answer.body);
    } catch (error) {
      // A document that opens as JSON and does not parse was cut short (or garbled) on the way: transient.
      const cutShort = opensAsJson(answer.body);
      const what = cutShort ? 'The YouTube player API answer was cut short' : 'The YouTube player API answered with something that is not JSON';
      throw fallback(unexpected(videoId, what, error, cutShort));
    }
    const playable = classifyPlayability(player, videoId);
    if (playable === 'missing') {
      throw fallback(unexpected(videoId, 'The YouTube player API answer has no playability status'));
    }
    return jsonResponse(this.#choose(player, playable));
  }

  async #watchPage(url: URL, init: RequestInit): Promise<Response> {
    const { videoId } = this.#options;
    if (this.#watchPageTried) throw this.#fail(unexpected(videoId, 'youtube-transcript asked for the watch page twice'));
    this.#watchPageTried = true;
    const headers = new Headers(init.headers);
    if (!headers.has('Accept-Language')) headers.set('Accept-Language', 'en-US,en;q=0.8');
    let answer = await this.#page(url, headers);
    if (isConsentPage(answer.body)) {
      const value = consentValueOf(answer.body);
      if (value === undefined) {
        throw this.#fail(unexpected(videoId, 'YouTube showed its EU cookie-consent page and no consent cookie could be built from it'));
      }
      headers.set('Cookie', `CONSENT=YES+${value}`);
      answer = await this.#page(url, headers);
      if (isConsentPage(answer.body)) {
        throw this.#fail(unexpected(videoId, 'YouTube kept showing its EU cookie-consent page after consent was given'));
      }
    }
    const player = extractInlinePlayerResponse(answer.body);
    const playable = player === undefined ? 'missing' : classifyPlayability(player, videoId);
    if (playable === 'missing') {
      // No answer about the video from either place. When the player API failed transiently (5xx,
      // reset, timeout, cut short) or the page itself was cut short, the next attempt may well work.
      const cutShort = isCutShortPage(answer.body);
      const transient = cutShort || this.playerFailure?.retryable === true;
      const what = cutShort ? 'The YouTube watch page was cut short before its player response' : 'The YouTube watch page holds no player response';
      throw this.#fail(withPlayerFailure(unexpected(videoId, what, undefined, transient), this.playerFailure));
    }
    const chosen = this.#choose(player, playable);
    const inline = JSON.stringify({ playabilityStatus: { status: 'OK' }, ...chosen });
    return new Response(`<html><body><script>var ytInitialPlayerResponse = ${inline};</script></body></html>`, {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
  }

  /** GETs the watch page, failing on HTTP errors and the captcha page. */
  async #page(url: URL, headers: Headers): Promise<HttpAnswer> {
    const { videoId } = this.#options;
    let answer: HttpAnswer;
    try {
      answer = await this.#options.request(url.href, { method: 'GET', headers }, 'watch page');
    } catch (error) {
      throw this.#fail(withPlayerFailure(asTubesumError(error, videoId), this.playerFailure));
    }
    if (answer.status === 429 || isCaptchaPage(answer.body)) {
      throw this.#fail(tooManyRequests(videoId, answer.status === 429 ? 'HTTP 429' : 'a captcha page', answer.headers));
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw this.#fail(withPlayerFailure(badStatus(videoId, 'watch page', answer.status), this.playerFailure));
    }
    return answer;
  }

  /** Classifies a player response and picks the track; returns the player response youtube-transcript gets. */
  #choose(player: unknown, playable: 'ok' | TubesumError): { captions: unknown } {
    const { videoId, languages, allowAnyLanguage } = this.#options;
    this.metadata = videoMetadataOf(player);
    if (playable !== 'ok') throw this.#fail(playable);
    const tracks = captionTracksOf(player);
    if (tracks.length === 0) {
      const title = this.metadata.title === undefined ? '' : ` ("${this.metadata.title}")`;
      throw this.#fail(
        new TubesumError(ErrorCode.TRANSCRIPTS_DISABLED, `Video ${videoId}${title} has no transcripts: captions are turned off.`, {
          videoId,
          details: { source: 'youtube' },
        }),
      );
    }
    let track: CaptionTrack;
    try {
      track = selectCaptionTrack(tracks, languages, allowAnyLanguage, videoId);
    } catch (error) {
      throw this.#fail(asTubesumError(error, videoId));
    }
    if (!isYouTubeUrl(track.baseUrl)) {
      throw this.#fail(unexpected(videoId, 'YouTube listed a caption track whose URL is not on youtube.com'));
    }
    if (needsPoToken(track.baseUrl)) {
      throw this.#fail(poTokenRequired(videoId, track, 'its caption URL carries exp=xpe'));
    }
    this.track = track;
    return { captions: { playerCaptionsTracklistRenderer: { captionTracks: [{ baseUrl: track.baseUrl, languageCode: track.languageCode }] } } };
  }

  async #captions(url: URL, init: RequestInit): Promise<Response> {
    const { videoId } = this.#options;
    const track = this.track;
    if (!track) throw this.#fail(unexpected(videoId, 'youtube-transcript asked for a caption file before a track was chosen'));
    let answer: HttpAnswer;
    try {
      answer = await this.#options.request(url.href, { method: 'GET', headers: init.headers ?? {} }, 'caption file');
    } catch (error) {
      throw this.#fail(asTubesumError(error, videoId));
    }
    if (answer.status === 429) throw this.#fail(tooManyRequests(videoId, 'HTTP 429 on the caption file', answer.headers));
    if (answer.status < 200 || answer.status >= 300) throw this.#fail(badStatus(videoId, 'caption file', answer.status));
    if (answer.body.trim() === '') throw this.#fail(poTokenRequired(videoId, track, 'YouTube sent an empty caption file'));
    this.captionBody = answer.body;
    return new Response(answer.body, { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' } });
  }
}

/** youtube-transcript's cues as clean segments in milliseconds (srv3 gives ms, the classic format seconds). */
function toSegments(cues: readonly TranscriptResponse[], captionBody: string): TranscriptSegment[] {
  const unit = SRV3_CUE.test(captionBody) ? 1 : 1000;
  return cues.flatMap((cue) => {
    const segment = makeSegment(Number(cue.offset) * unit, Number(cue.duration) * unit, String(cue.text));
    return segment ? [segment] : [];
  });
}

function jsonResponse(data: unknown): Response {
  return new Response(JSON.stringify(data), { status: 200, headers: { 'content-type': 'application/json' } });
}

function asTubesumError(error: unknown, videoId: string): TubesumError {
  if (error instanceof TubesumError) return error;
  return unexpected(videoId, `Unexpected failure: ${describeError(error)}`, error);
}

/** YouTube said something we cannot use; `retryable` when it looks like a transient fault (cut short, 5xx). */
function unexpected(videoId: string, what: string, cause?: unknown, retryable = false): TubesumError {
  return new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `${what} (video ${videoId}).`, {
    videoId,
    cause,
    retryable,
    details: { source: 'youtube' },
  });
}

function badStatus(videoId: string, what: string, status: number): TubesumError {
  return new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube answered the ${what} request for ${videoId} with HTTP ${status}.`, {
    videoId,
    retryable: status >= 500,
    details: { source: 'youtube', request: what, status },
  });
}

function withPlayerFailure(error: TubesumError, playerFailure: TubesumError | undefined): TubesumError {
  if (!playerFailure) return error;
  if (error.code === ErrorCode.NETWORK_ERROR && playerFailure.code === ErrorCode.NETWORK_ERROR) {
    // Both routes failed the same way (no route, DNS, refused): one short line, not the same error twice.
    return new TubesumError(ErrorCode.NETWORK_ERROR, `Could not reach YouTube for ${error.videoId ?? 'this video'} (player API and watch page): ${describeError(error.cause ?? error)}.`, {
      videoId: error.videoId,
      retryable: error.retryable,
      cause: error.cause ?? error,
      details: { ...error.details, playerApi: playerFailure.toJSON() },
    });
  }
  return new TubesumError(error.code, `${error.message} (The player API had failed too: ${playerFailure.message})`, {
    videoId: error.videoId,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    cause: error.cause ?? error,
    details: { ...error.details, playerApi: playerFailure.toJSON() },
  });
}

function tooManyRequests(videoId: string, seen: string, headers: Headers | undefined): TubesumError {
  const retryAfterMs = parseRetryAfter(headers?.get('retry-after') ?? null);
  return new TubesumError(
    ErrorCode.TOO_MANY_REQUESTS,
    `YouTube is receiving too many requests from this IP (it answered with ${seen}). ${PROXY_ADVICE}`,
    { videoId, retryAfterMs, details: { source: 'youtube' } },
  );
}

function poTokenRequired(videoId: string, track: CaptionTrack, why: string): TubesumError {
  return new TubesumError(
    ErrorCode.PO_TOKEN_REQUIRED,
    `The ${track.name} transcript of ${videoId} needs a proof-of-origin (PO) token that tubesum cannot provide (${why}).`,
    { videoId, details: { source: 'youtube', language: track.languageCode, isAutoGenerated: track.isAutoGenerated } },
  );
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

