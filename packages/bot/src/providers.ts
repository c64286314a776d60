import {
  AnthropicSummarizer,
  ExtractiveSummarizer,
  FileTranscriptSource,
  OpenAICompatibleSummarizer,
  YouTubeTranscriptSource,
  chainTranscriptSources,
} from '@tubesum/core';
import type { Summarizer, TranscriptSource } from '@tubesum/core';
import type { BotConfig } from './config.js';

/** YouTube, after the files of `TUBESUM_TRANSCRIPTS_DIR` when it is set. */
export function createTranscriptSource(config: BotConfig): TranscriptSource {
  const youtube = new YouTubeTranscriptSource();
  if (config.transcriptsDir === undefined) return youtube;
  return chainTranscriptSources([new FileTranscriptSource({ directory: config.transcriptsDir }), youtube]);
}

/** The configured summarizer for one of its models. */
export function createSummarizer(config: BotConfig, model: string): Summarizer {
  const summarizer = config.summarizer;
  if (summarizer === undefined || summarizer.kind === 'offline') return new ExtractiveSummarizer();
  if (summarizer.kind === 'anthropic') return new AnthropicSummarizer({ apiKey: summarizer.apiKey, model });
  return new OpenAICompatibleSummarizer({
    baseURL: summarizer.baseUrl,
    model,
    ...(summarizer.apiKey === undefined ? {} : { apiKey: summarizer.apiKey }),
    contextTokens: summarizer.contextTokens,
  });
}
