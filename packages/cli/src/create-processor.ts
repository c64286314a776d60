import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  AnthropicSummarizer,
  BatchProcessor,
  ErrorCode,
  ExtractiveSummarizer,
  FileTranscriptSource,
  OpenAICompatibleSummarizer,
  TubesumError,
  YouTubeTranscriptSource,
  YouTubeVideoListSource,
  chainTranscriptSources,
  openStore,
} from '@tubesum/core';
import type { BatchStore, FetchFunction, Summarizer, TranscriptSource } from '@tubesum/core';
import type { ProcessorConfig, SummarizerConfig } from './config.js';
import { createProxyFetch } from './proxy.js';

/**
 * A SQLite store named by a path: make sure its folder exists, so the first run just works.
 * With `create: false` (commands that only read) nothing is created: a SQLite file that does
 * not exist yet is an empty store, opened in memory.
 */
function prepareStorePath(storeUrl: string, cwd: string, create: boolean): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(storeUrl)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'sqlite') return storeUrl;
  const path = scheme === 'sqlite' ? storeUrl.slice('sqlite://'.length) : storeUrl;
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  if (!create && !existsSync(absolute)) return 'memory://';
  mkdirSync(dirname(absolute), { recursive: true });
  return scheme === 'sqlite' ? `sqlite://${absolute}` : absolute;
}

/** Opens the store at `storeUrl` (`~/.tubesum/store.sqlite` by default); `create: false` creates no file or folder. */
export async function openCliStore(storeUrl: string, cwd: string, { create = true }: { create?: boolean } = {}): Promise<BatchStore> {
  return openStore(prepareStorePath(storeUrl, cwd, create));
}

function createSummarizer(config: SummarizerConfig, store: BatchStore): Summarizer {
  switch (config.kind) {
    case 'extractive':
      return new ExtractiveSummarizer();
    case 'anthropic':
      return new AnthropicSummarizer({
        apiKey: config.apiKey,
        ...(config.model === undefined ? {} : { model: config.model }),
        ...(config.baseURL === undefined ? {} : { baseURL: config.baseURL }),
        // The batches' records live in the batch store, so a resume finds them.
        ...(config.batch === undefined ? {} : { batch: { store, ...config.batch } }),
      });
    case 'openai-compatible':
      return new OpenAICompatibleSummarizer({
        baseURL: config.baseURL,
        model: config.model,
        ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
        contextTokens: config.contextTokens,
      });
  }
}

function createTranscriptSource(config: ProcessorConfig['transcripts'], fetch: FetchFunction | undefined): TranscriptSource {
  const sources: TranscriptSource[] = [];
  if (config.directory !== undefined) sources.push(new FileTranscriptSource({ directory: config.directory }));
  if (config.youtube) sources.push(new YouTubeTranscriptSource({ allowAnyLanguage: config.anyLanguage, ...(fetch === undefined ? {} : { fetch }) }));
  const [only, ...rest] = sources;
  if (!only) throw new TubesumError(ErrorCode.INVALID_OPTIONS, 'No transcript source: pass `--transcripts <dir>` or allow YouTube.');
  return rest.length === 0 ? only : chainTranscriptSources([only, ...rest]);
}

/**
 * Builds the processor `run` and `resume` use, from validated configuration. `fetch` performs
 * every YouTube request (transcripts, playlists, channels); with `--no-youtube`, playlist and
 * channel links are rejected with a reason.
 */
export async function createCliProcessor(config: ProcessorConfig, cwd: string, injected?: FetchFunction): Promise<BatchProcessor> {
  // A proxy (--proxy, TUBESUM_PROXY, HTTPS_PROXY) carries every YouTube request: transcripts and lists.
  const fetch = config.transcripts.proxy === undefined ? injected : createProxyFetch(config.transcripts.proxy);
  const transcripts = createTranscriptSource(config.transcripts, fetch);
  const store = await openCliStore(config.storeUrl, cwd);
  const summarizer = createSummarizer(config.summarizer, store);
  return new BatchProcessor({
    transcripts,
    summarizer,
    store,
    closeStore: true,
    ...(config.transcripts.youtube ? { lists: new YouTubeVideoListSource(fetch === undefined ? {} : { fetch }) } : {}),
    ...(config.concurrency === undefined ? {} : { concurrency: { summaries: config.concurrency } }),
  });
}

/** A processor for commands that only read the store (`list`, `status`, `export`): it never fetches or summarizes. */
export async function createReadOnlyProcessor(storeUrl: string, cwd: string): Promise<BatchProcessor> {
  const store = await openCliStore(storeUrl, cwd, { create: false });
  const transcripts: TranscriptSource = {
    name: 'none',
    fetchTranscript: (videoId) =>
      Promise.reject(new TubesumError(ErrorCode.TRANSCRIPTS_DISABLED, 'This command does not fetch transcripts.', { videoId })),
  };
  return new BatchProcessor({ transcripts, summarizer: new ExtractiveSummarizer(), store, closeStore: true });
}
