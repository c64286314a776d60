import { YoutubeTranscriptTooManyRequestError } from 'youtube-transcript';
import { cancelledError, ErrorCode, TubesumError } from '../../errors.js';
import type { HttpAnswer } from './youtube-http.js';
import { asTubesumError, badStatus, describeError, poTokenRequired, tooManyRequests, unexpected, withPlayerFailure } from './youtube-errors.js';
import {
  captionTracksOf,
  classifyPlayability,
  consentValueOf,
  extractInlinePlayerResponse,
  isCaptchaPage,
  isConsentPage,
  isCutShortPage,
  isYouTubeUrl,
  needsPoToken,
  opensAsJson,
  selectCaptionTrack,
  videoMetadataOf,
} from './youtube-player-response.js';
import type { CaptionTrack, VideoMetadata } from './youtube-player-response.js';
import type { YouTubeRequestLimiter } from './youtube-request-limiter.js';

/** Failures of the player API after which the watch page is worth one try. */
const PLAYER_FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([ErrorCode.NETWORK_ERROR, ErrorCode.TIMEOUT, ErrorCode.UNEXPECTED_RESPONSE]);
/** Answers that show YouTube is serving this IP normally, which ends a run of blocks. */
const DEFINITE_ANSWERS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.VIDEO_UNAVAILABLE,
  ErrorCode.VIDEO_UNPLAYABLE,
  ErrorCode.AGE_RESTRICTED,
  ErrorCode.TRANSCRIPTS_DISABLED,
  ErrorCode.NO_TRANSCRIPT_IN_LANGUAGE,
  ErrorCode.PO_TOKEN_REQUIRED,
]);

/** What a {@link FetchSession} needs for one video. */
export interface SessionOptions {
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
export class FetchSession {
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

function jsonResponse(data: unknown): Response {
  return new Response(JSON.stringify(data), { status: 200, headers: { 'content-type': 'application/json' } });
}
