// The public API of @tubesum/core. Nothing under internal/ is exported.

export { ErrorCode, TubesumError, isTubesumError } from './errors.js';
export type { SerializedError, TubesumErrorOptions } from './errors.js';

export type { FetchTranscriptOptions, Transcript, TranscriptSegment, TranscriptSource } from './transcripts/transcript-source.js';
export type {
  Chapter,
  KeyPoint,
  ProviderBatchWait,
  SummarizeOptions,
  Summarizer,
  SummarizerBatching,
  Summary,
  SummaryLength,
  TokenUsage,
} from './summarizers/summarizer.js';
export type { BatchStore, JobLease } from './storage/batch-store.js';
export type * from './records.js';
export { ENDED_ITEM_STATUSES, ENDED_JOB_STATUSES, isJobEnded } from './records.js';
export type * from './processor/events.js';

// intake
export { parseVideoUrl, MAX_VIDEO_URL_LENGTH } from './intake/parse-video-url.js';
export type { ParseVideoUrlResult, ParsedVideoUrl, RejectedVideoUrl } from './intake/parse-video-url.js';
export { parseUrlList, MAX_LIST_INPUTS } from './intake/parse-url-list.js';
export type { DuplicateInput, InputNote, ListInput, ParsedUrlList, ParseUrlListOptions, RejectedInput, VideoInput } from './intake/parse-url-list.js';

// lists
export type { ChannelContent, ExpandListOptions, VideoListEntry, VideoListReference, VideoListSource } from './lists/video-list-source.js';
export { YouTubeVideoListSource } from './lists/youtube-video-list-source.js';
export type { YouTubeVideoListSourceOptions } from './lists/youtube-video-list-source.js';
export { expandInputs, DEFAULT_MAX_VIDEOS } from './lists/expand-inputs.js';
export type { ExpandedInputs, ExpandedVideo, ExpandInputsOptions, ListExpansion } from './lists/expand-inputs.js';

// transcripts
export { FileTranscriptSource } from './transcripts/file-transcript-source.js';
export type { FileTranscriptSourceOptions } from './transcripts/file-transcript-source.js';
export { chainTranscriptSources } from './transcripts/chain-transcript-source.js';
export type { ChainAttempt } from './transcripts/chain-transcript-source.js';
export { YouTubeTranscriptSource } from './transcripts/youtube/youtube-transcript-source.js';
export type { YouTubeTranscriptSourceOptions } from './transcripts/youtube/youtube-transcript-source.js';
export type { FetchFunction } from './transcripts/youtube/youtube-http.js';
export { YouTubeRequestLimiter } from './transcripts/youtube/youtube-request-limiter.js';
export type { YouTubeRequestLimiterOptions } from './transcripts/youtube/youtube-request-limiter.js';

// summarizers
export { ExtractiveSummarizer } from './summarizers/extractive/extractive-summarizer.js';
export type { ExtractiveSummarizerOptions } from './summarizers/extractive/extractive-summarizer.js';
export { AnthropicSummarizer, DEFAULT_ANTHROPIC_MODEL } from './summarizers/language-model/anthropic-summarizer.js';
export type { AnthropicBatchOptions, AnthropicSummarizerOptions } from './summarizers/language-model/anthropic-summarizer.js';
export type { ProviderBatchStore } from './summarizers/language-model/provider-batch-records.js';
export { describeProviderBatchWait } from './summarizers/language-model/describe-provider-batch-wait.js';
export { PROMPT_VERSION } from './summarizers/language-model/prompt.js';
export {
  BATCH_PRICE_FACTOR,
  DEFAULT_PRICES,
  PROMPT_CACHE_MIN_TOKENS,
  formatUsd,
  promptCacheMinTokens,
  requestCostUsd,
} from './summarizers/language-model/prices.js';
export type { ModelPrice, PriceTable, RequestTokens } from './summarizers/language-model/prices.js';
export { OpenAICompatibleSummarizer } from './summarizers/language-model/openai-compatible-summarizer.js';
export type { OpenAICompatibleSummarizerOptions } from './summarizers/language-model/openai-compatible-summarizer.js';

// storage
export { createKeyvStore } from './storage/keyv-store.js';
export type { KeyvStoreOptions } from './storage/keyv-store.js';
export { createMemoryStore } from './storage/memory-store.js';
export type { MemoryStoreOptions } from './storage/memory-store.js';
export { createSqliteStore } from './storage/sqlite-store.js';
export type { SqliteStoreOptions } from './storage/sqlite-store.js';
export { openStore } from './storage/open-store.js';
export type { OpenStoreOptions } from './storage/open-store.js';

// export
export { createExportZip, EXPORT_FORMAT_VERSION } from './export/create-export-zip.js';
export { createExportStream, ZIP_MAX_ENTRIES } from './export/export-stream.js';
export type { ExportPageReader, ExportPageRequest, ExportRequest, ExportStreamOptions } from './export/export-stream.js';
export { storePageReader } from './export/store-page-reader.js';
export { safeFileName } from './export/safe-file-name.js';
export type { SafeFileNameOptions } from './export/safe-file-name.js';
export type { CreateExportZipOptions, ExportEntry, ExportManifest, ExportManifestItem } from './export/create-export-zip.js';

// processor
export { BatchProcessor } from './processor/batch-processor.js';
export { MAX_VIDEOS_PER_BATCH } from './processor/options.js';
export type {
  BatchProcessorOptions,
  ExecutorPipelineOptions,
  InProcessPipelineOptions,
  ProcessorCommonOptions,
  Requester,
  ResumeOptions,
  SubmitInput,
} from './processor/options.js';
export type { ItemExecutor, ItemHooks, ItemProgress, ItemResult, ItemStage, ItemTask } from './processor/item-executor.js';
export { shouldRetry } from './processor/retry.js';
export type { RetryOptions } from './processor/retry.js';
