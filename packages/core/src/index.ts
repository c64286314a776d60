// The public API of @tubesum/core. Nothing under internal/ is exported.

export { ErrorCode, TubesumError, isTubesumError } from './errors.js';
export type { SerializedError, TubesumErrorOptions } from './errors.js';

export type {
  FetchTranscriptOptions,
  Transcript,
  TranscriptSegment,
  TranscriptSource,
} from './transcripts/transcript-source.js';
export type {
  Chapter,
  KeyPoint,
  SummarizeOptions,
  Summarizer,
  Summary,
  SummaryLength,
  TokenUsage,
} from './summarizers/summarizer.js';
export type { BatchStore } from './storage/batch-store.js';
export type * from './processor/job.js';
export type * from './processor/events.js';

// intake

// transcripts

// summarizers

// storage

// export

// processor
