import {
  AnthropicSummarizer,
  ExtractiveSummarizer,
  FileTranscriptSource,
  OpenAICompatibleSummarizer,
  YouTubeTranscriptSource,
  chainTranscriptSources,
} from '@tubesum/core';
import type { ProviderBatchStore, Summarizer, TranscriptSource } from '@tubesum/core';
import type { BotConfig } from './config.js';
import { createProxyFetch } from '@tubesum/proxy';

/**
 * YouTube (through `TUBESUM_PROXY` / `HTTPS_PROXY` when set, in `TUBESUM_TRANSCRIPT_LANGUAGES`),
 * after the files of `TUBESUM_TRANSCRIPTS_DIR` when it is set.
 */
export function createTranscriptSource(config: BotConfig): TranscriptSource {
  const youtube = new YouTubeTranscriptSource({
    allowAnyLanguage: config.anyTranscriptLanguage,
    ...(config.transcriptLanguages === undefined ? {} : { languages: config.transcriptLanguages }),
    ...(config.proxy === undefined ? {} : { fetch: createProxyFetch(config.proxy) }),
  });
  if (config.transcriptsDir === undefined) return youtube;
  return chainTranscriptSources([new FileTranscriptSource({ directory: config.transcriptsDir }), youtube]);
}

/** The configured summarizer for one of its models; with `batchStore`, in Anthropic's batch mode, its records kept there. */
export function createSummarizer(config: BotConfig, model: string, batchStore?: ProviderBatchStore): Summarizer {
  const summarizer = config.summarizer;
  if (summarizer === undefined || summarizer.kind === 'offline') return new ExtractiveSummarizer();
  if (summarizer.kind === 'anthropic') {
    return new AnthropicSummarizer({
      apiKey: summarizer.apiKey,
      model,
      ...(summarizer.baseUrl === undefined ? {} : { baseURL: summarizer.baseUrl }),
      ...(batchStore === undefined
        ? {}
        : {
            batch: {
              store: batchStore,
              ...(summarizer.batchWindowMs === undefined ? {} : { windowMs: summarizer.batchWindowMs }),
              ...(summarizer.batchPollMs === undefined ? {} : { pollIntervalMs: summarizer.batchPollMs }),
            },
          }),
    });
  }
  return new OpenAICompatibleSummarizer({
    baseURL: summarizer.baseUrl,
    model,
    ...(summarizer.apiKey === undefined ? {} : { apiKey: summarizer.apiKey }),
    contextTokens: summarizer.contextTokens,
  });
}
