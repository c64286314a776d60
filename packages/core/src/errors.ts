/**
 * Every failure tubesum reports is a {@link TubesumError} with a stable `code`.
 * Callers branch on `code` (or `instanceof`), never on the message.
 */

/** What went wrong, as a stable machine-readable code. */
export const ErrorCode = {
  /** The input is not a YouTube video URL or id. */
  INVALID_URL: 'INVALID_URL',
  /** An options object failed validation; the message names the field. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** A playlist or channel does not exist, is private or cannot be viewed; `details.list` names it. */
  LIST_UNAVAILABLE: 'LIST_UNAVAILABLE',
  /** YouTube says the video does not exist, is private or was removed. */
  VIDEO_UNAVAILABLE: 'VIDEO_UNAVAILABLE',
  /** YouTube will not play the video here; `details.reason` carries YouTube's words. */
  VIDEO_UNPLAYABLE: 'VIDEO_UNPLAYABLE',
  /** The video needs a signed-in, age-verified account. */
  AGE_RESTRICTED: 'AGE_RESTRICTED',
  /** The video is playable but has no caption tracks at all. */
  TRANSCRIPTS_DISABLED: 'TRANSCRIPTS_DISABLED',
  /** Captions exist, but none in the wanted languages; `details.available` lists them. */
  NO_TRANSCRIPT_IN_LANGUAGE: 'NO_TRANSCRIPT_IN_LANGUAGE',
  /** YouTube has blocked this IP ("Sign in to confirm you're not a bot"). Retry later or use a proxy. */
  REQUEST_BLOCKED: 'REQUEST_BLOCKED',
  /** YouTube answered 429 or a captcha page. Retry later or use a proxy. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** The caption URL needs a proof-of-origin token (YouTube answers an empty body without one). */
  PO_TOKEN_REQUIRED: 'PO_TOKEN_REQUIRED',
  /** A transcript arrived but holds no text. */
  EMPTY_TRANSCRIPT: 'EMPTY_TRANSCRIPT',
  /** The summarizer's provider asked us to slow down (HTTP 429); honours `retryAfterMs`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The provider is overloaded (Anthropic 529, or 503). */
  OVERLOADED: 'OVERLOADED',
  /** The API key is missing, wrong or lacks permission. */
  AUTHENTICATION_FAILED: 'AUTHENTICATION_FAILED',
  /** The prompt does not fit the model's context window. */
  CONTEXT_TOO_LONG: 'CONTEXT_TOO_LONG',
  /** The account's spend limit or credit is exhausted. Not retried. */
  SPEND_LIMIT_REACHED: 'SPEND_LIMIT_REACHED',
  /** Any other error from a summarizer provider (bad request, 5xx, malformed answer). */
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  /** A step took longer than its allowed time. */
  TIMEOUT: 'TIMEOUT',
  /**
   * A request sent in a provider batch (Anthropic's Message Batches) expired twice: the provider did
   * not process it within 24 hours, then again when sent once more. Not retried; run the video again
   * later or without the batch API.
   */
  BATCH_EXPIRED: 'BATCH_EXPIRED',
  /** The work was cancelled by the caller. */
  CANCELLED: 'CANCELLED',
  /** The storage backend failed to read or write (or an export its temporary file: the message names it). */
  STORAGE_ERROR: 'STORAGE_ERROR',
  /** No such job for this user (also what another user's job looks like). */
  NOT_FOUND: 'NOT_FOUND',
  /** A network failure talking to YouTube or a provider (reset, refused, DNS). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** YouTube answered with something we could not understand (HTML error page, truncated JSON). */
  UNEXPECTED_RESPONSE: 'UNEXPECTED_RESPONSE',
  /**
   * An export would hold more files than a ZIP without ZIP64 can (65,535; `details.entries` says
   * how many it needed, refused before any byte), or would pass its 4 GiB (`details.bytes`; the
   * stream errors before the ZIP's directory). Export without transcripts, or split the batch.
   */
  EXPORT_TOO_LARGE: 'EXPORT_TOO_LARGE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that are worth trying again later without changing anything. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.REQUEST_BLOCKED,
  ErrorCode.TOO_MANY_REQUESTS,
  ErrorCode.RATE_LIMITED,
  ErrorCode.OVERLOADED,
  ErrorCode.TIMEOUT,
  ErrorCode.NETWORK_ERROR,
  ErrorCode.STORAGE_ERROR,
]);

export interface TubesumErrorOptions {
  /** The YouTube video id this failure concerns, if any. */
  videoId?: string | undefined;
  /** Overrides the default retryability of `code`. */
  retryable?: boolean | undefined;
  /** How long the other side asked us to wait before retrying, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** The underlying error. */
  cause?: unknown;
  /** Extra facts, such as YouTube's reason text or the available languages. */
  details?: Readonly<Record<string, unknown>> | undefined;
}

/** The one root class of every error tubesum throws or records. */
export class TubesumError extends Error {
  override readonly name = 'TubesumError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly videoId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: TubesumErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.videoId = options.videoId;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }

  /** A plain object fit for JSON and storage: code, message, retryable, videoId, details. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.videoId === undefined ? {} : { videoId: this.videoId }),
      ...(Object.keys(this.details).length === 0 ? {} : { details: this.details }),
    };
  }
}

/** A {@link TubesumError} as stored and exported. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  videoId?: string;
  details?: Readonly<Record<string, unknown>>;
}

/** True for a {@link TubesumError}, optionally of one code. */
export function isTubesumError(error: unknown, code?: ErrorCode): error is TubesumError {
  return error instanceof TubesumError && (code === undefined || error.code === code);
}

/** The error to record when work stops because `signal` was aborted. */
export function cancelledError(signal: AbortSignal | undefined, videoId?: string): TubesumError {
  const reason: unknown = signal?.reason;
  if (reason instanceof TubesumError) return reason;
  return new TubesumError(ErrorCode.CANCELLED, 'Cancelled before it finished.', { videoId, cause: reason });
}
