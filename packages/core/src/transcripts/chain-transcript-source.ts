import { cancelledError, ErrorCode, TubesumError } from '../errors.js';
import type { FetchTranscriptOptions, Transcript, TranscriptSource } from './transcript-source.js';

/** Failures where another source may still have the transcript. */
const WORTH_TRYING_NEXT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.TRANSCRIPTS_DISABLED,
  ErrorCode.NO_TRANSCRIPT_IN_LANGUAGE,
  ErrorCode.EMPTY_TRANSCRIPT,
  ErrorCode.REQUEST_BLOCKED,
  ErrorCode.TOO_MANY_REQUESTS,
  ErrorCode.PO_TOKEN_REQUIRED,
  ErrorCode.NETWORK_ERROR,
  ErrorCode.UNEXPECTED_RESPONSE,
  ErrorCode.TIMEOUT,
]);

/** One failed attempt, as recorded in `details.attempts` of a chain's error. */
export interface ChainAttempt {
  source: string;
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** A source's "I simply don't have it" (a missing file), the least informative failure. */
function isNotFoundHere(error: TubesumError): boolean {
  return error.details['notFound'] === true;
}

function asTubesumError(error: unknown, source: TranscriptSource, videoId: string): TubesumError {
  if (error instanceof TubesumError) return error;
  return new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `Transcript source "${source.name}" failed: ${String(error)}`, {
    videoId,
    cause: error,
    details: { source: source.name },
  });
}

function withAttempts(error: TubesumError, attempts: readonly ChainAttempt[]): TubesumError {
  if (attempts.length <= 1) return error;
  return new TubesumError(error.code, error.message, {
    videoId: error.videoId,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    cause: error,
    details: { ...error.details, attempts },
  });
}

/**
 * One {@link TranscriptSource} that tries `sources` in order and returns the first transcript.
 *
 * It moves on after failures where the next source could help (`TRANSCRIPTS_DISABLED`,
 * `NO_TRANSCRIPT_IN_LANGUAGE`, `EMPTY_TRANSCRIPT`, `REQUEST_BLOCKED`, `TOO_MANY_REQUESTS`,
 * `PO_TOKEN_REQUIRED`, `NETWORK_ERROR`, `UNEXPECTED_RESPONSE`, `TIMEOUT`) and stops at any
 * other (`VIDEO_UNAVAILABLE`, `AGE_RESTRICTED`, `CANCELLED`, …). When every source fails it
 * throws the most informative error (the first that is not a "not found here") with every
 * attempt in `details.attempts`. Errors that are not {@link TubesumError}s become
 * `UNEXPECTED_RESPONSE`.
 *
 * @example
 * const transcripts = chainTranscriptSources([
 *   new FileTranscriptSource({ directory: './captions' }),
 *   new YouTubeTranscriptSource(),
 * ]);
 */
export function chainTranscriptSources(sources: readonly TranscriptSource[]): TranscriptSource {
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new TubesumError(
      ErrorCode.INVALID_OPTIONS,
      `Expected \`sources\` to be a non-empty array of transcript sources, got \`${Array.isArray(sources) ? 'an array of 0' : String(sources)}\` (chainTranscriptSources)`,
    );
  }
  sources.forEach((source, index) => {
    if (typeof source?.fetchTranscript !== 'function') {
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `Expected \`sources.${index}\` to be a transcript source with a fetchTranscript method, got \`${typeof source}\` (chainTranscriptSources)`,
      );
    }
  });
  const chain = [...sources];
  return {
    name: chain.map((source) => source.name).join('>'),
    async fetchTranscript(videoId: string, options: FetchTranscriptOptions = {}): Promise<Transcript> {
      const errors: TubesumError[] = [];
      const attempts: ChainAttempt[] = [];
      for (const source of chain) {
        if (options.signal?.aborted) throw cancelledError(options.signal, videoId);
        try {
          return await source.fetchTranscript(videoId, options);
        } catch (caught) {
          const error = asTubesumError(caught, source, videoId);
          errors.push(error);
          attempts.push({ source: source.name, code: error.code, message: error.message, retryable: error.retryable });
          if (!WORTH_TRYING_NEXT.has(error.code)) throw withAttempts(error, attempts);
        }
      }
      const informative = errors.find((error) => !isNotFoundHere(error)) ?? (errors[0] as TubesumError);
      throw withAttempts(informative, attempts);
    },
  };
}
