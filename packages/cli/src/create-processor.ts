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
  isTubesumError,
  openStore,
} from '@tubesum/core';
import type { BatchProcessorOptions, BatchStore, FetchFunction, Summarizer, TranscriptSource } from '@tubesum/core';
import type { ProcessorConfig, SummarizerConfig } from './config.js';
import { CliError, ExitCode } from './exit-code.js';
import { createProxyFetch } from '@tubesum/proxy';
import type { QueueSetting } from './queue-config.js';
import { oneLine } from './render/format.js';

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

/**
 * Opens the store at `storeUrl` (`~/.tubesum/store.sqlite` by default); `create: false` creates no
 * file or folder. `namespace` prefixes its keys (with a queue: the queue's prefix). @default 'tubesum'
 */
export async function openCliStore(
  storeUrl: string,
  cwd: string,
  { create = true, namespace }: { create?: boolean; namespace?: string } = {},
): Promise<BatchStore> {
  return openStore(prepareStorePath(storeUrl, cwd, create), namespace === undefined ? {} : { namespace });
}

/**
 * The summarizer `config` names. `store` keeps the records of Anthropic's Message Batches (batch
 * mode only), so a resume finds a batch it submitted.
 */
export function createSummarizer(config: SummarizerConfig, store?: BatchStore): Summarizer {
  switch (config.kind) {
    case 'extractive':
      return new ExtractiveSummarizer();
    case 'anthropic':
      return new AnthropicSummarizer({
        apiKey: config.apiKey,
        ...(config.model === undefined ? {} : { model: config.model }),
        ...(config.baseURL === undefined ? {} : { baseURL: config.baseURL }),
        // The batches' records live in the batch store, so a resume finds them.
        ...(config.batch === undefined || store === undefined ? {} : { batch: { store, ...config.batch } }),
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

/** The files of `--transcripts`, then YouTube (unless `--no-youtube`), chained. */
export function createTranscriptSource(config: ProcessorConfig['transcripts'], fetch: FetchFunction | undefined): TranscriptSource {
  const sources: TranscriptSource[] = [];
  if (config.directory !== undefined) sources.push(new FileTranscriptSource({ directory: config.directory }));
  if (config.youtube) sources.push(new YouTubeTranscriptSource({ allowAnyLanguage: config.anyLanguage, ...(fetch === undefined ? {} : { fetch }) }));
  const [only, ...rest] = sources;
  if (!only) throw new TubesumError(ErrorCode.INVALID_OPTIONS, 'No transcript source: pass `--transcripts <dir>` or allow YouTube.');
  return rest.length === 0 ? only : chainTranscriptSources([only, ...rest]);
}

/** A processor of `run` or `resume`, and how to close it with what it uses (the queue's connections). */
export interface CliProcessor {
  processor: BatchProcessor;
  /** Closes the processor (its store with it), then the queue executor when there is one. */
  close(): Promise<void>;
}

/** A proxy (--proxy, TUBESUM_PROXY, HTTPS_PROXY) carries every YouTube request: transcripts and lists. */
export function youtubeFetch(config: ProcessorConfig, injected: FetchFunction | undefined): FetchFunction | undefined {
  return config.transcripts.proxy === undefined ? injected : createProxyFetch(config.transcripts.proxy);
}

/**
 * Builds the processor `run` and `resume` use, from validated configuration. `fetch` performs
 * every YouTube request (transcripts, playlists, channels); with `--no-youtube`, playlist and
 * channel links are rejected with a reason. With `queue`, the videos run on `tubesum worker`
 * processes (through BullMQ on that Redis) and this process only submits and follows.
 */
export async function createCliProcessor(config: ProcessorConfig & { queue?: QueueSetting }, cwd: string, injected?: FetchFunction): Promise<CliProcessor> {
  const fetch = youtubeFetch(config, injected);
  const lists = config.transcripts.youtube ? { lists: new YouTubeVideoListSource(fetch === undefined ? {} : { fetch }) } : {};
  if (config.queue !== undefined) return createQueueProcessor(config, config.queue, cwd, lists);
  const store = await openCliStore(config.storeUrl, cwd);
  const processor = new BatchProcessor({
    transcripts: createTranscriptSource(config.transcripts, fetch),
    summarizer: createSummarizer(config.summarizer, store),
    store,
    closeStore: true,
    ...lists,
    ...(config.concurrency === undefined ? {} : { concurrency: { summaries: config.concurrency } }),
  });
  return { processor, close: () => processor.close() };
}

/** A processor whose items run on the workers of `queue`. */
async function createQueueProcessor(
  config: ProcessorConfig,
  queue: QueueSetting,
  cwd: string,
  lists: Pick<BatchProcessorOptions, 'lists'>,
): Promise<CliProcessor> {
  // Loaded only here: BullMQ and ioredis are not needed by the commands that run in-process.
  const { createQueueExecutor } = await import('@tubesum/bullmq');
  const executor = createQueueExecutor({ connection: queue.url, prefix: queue.prefix });
  let store: BatchStore | undefined;
  try {
    await executor.ready();
    // One prefix names a deployment: the queue's keys and the store's.
    store = await openCliStore(config.storeUrl, cwd, { namespace: queue.prefix });
    const processor = new BatchProcessor({ store, executor, closeStore: true, ...lists });
    return {
      processor,
      async close() {
        await processor.close();
        await executor.close();
      },
    };
  } catch (error) {
    await store?.close?.();
    await executor.close();
    throw unreachableStoreError(error);
  }
}

/**
 * Core refuses a store the workers cannot reach (memory, SQLite) with `INVALID_OPTIONS`; its
 * message speaks of options, so say which flag to change, keeping its words.
 */
export function unreachableStoreError(error: unknown): unknown {
  if (!isTubesumError(error, ErrorCode.INVALID_OPTIONS) || (error.details as { path?: unknown } | undefined)?.path !== 'store') return error;
  return new CliError(
    `With \`--queue\`, \`--store\` (or TUBESUM_STORE) must be a store the workers reach too: redis://… or postgres://… (leave both unset to use the queue's Redis). ${oneLine(error.message)}`,
    ExitCode.USAGE,
    { cause: error },
  );
}

/** A processor for commands that only read the store (`list`, `status`, `export`): it never fetches or summarizes. */
export async function createReadOnlyProcessor(storeUrl: string, cwd: string): Promise<BatchProcessor> {
  const store = await openCliStore(storeUrl, cwd, { create: false });
  const transcripts: TranscriptSource = {
    name: 'none',
    fetchTranscript: (videoId) => Promise.reject(new TubesumError(ErrorCode.TRANSCRIPTS_DISABLED, 'This command does not fetch transcripts.', { videoId })),
  };
  return new BatchProcessor({ transcripts, summarizer: new ExtractiveSummarizer(), store, closeStore: true });
}
