import { z } from 'zod';
import { parse, positiveInteger, resolveProcessorConfig } from './config.js';
import type { Environment, ProcessorConfig, ProcessorFlags } from './config.js';
import { CliError } from './exit-code.js';
import { redactUrl } from '@tubesum/proxy';

/** Flags that send the work to workers (`run`, `resume`) or take it from there (`worker`). */
export interface QueueFlags {
  /** `--queue`: the workers' Redis, `redis://…` or `rediss://…`. @default `TUBESUM_QUEUE_URL` */
  queue?: string;
  /** `--queue-prefix`: the Redis key prefix submitters and workers share. @default 'tubesum' */
  queuePrefix?: string;
}

/** Where the queue of videos is. */
export interface QueueSetting {
  /** The Redis URL, password included: never print it without `redactUrl`. */
  url: string;
  prefix: string;
}

/** Flags of `tubesum worker`. */
export interface WorkerFlags extends Omit<ProcessorFlags, 'concurrency'>, QueueFlags {
  /** `--concurrency-transcripts`: transcripts this worker fetches at once (this machine's IP). @default 2 */
  concurrencyTranscripts?: string;
  /** `--concurrency-summaries`: summaries this worker writes at once. @default 4 */
  concurrencySummaries?: string;
  /** `--global-summaries`: summaries at once across every worker (the LLM key's limit). */
  globalSummaries?: string;
}

/** What `tubesum worker` runs. */
export interface WorkerConfig extends ProcessorConfig {
  queue: QueueSetting;
  workerConcurrency: { transcripts: number; summaries: number };
  globalSummaries?: number;
}

/** BullMQ's defaults for one worker, the same as the in-process pipeline's. */
export const DEFAULT_WORKER_CONCURRENCY = { transcripts: 2, summaries: 4 } as const;

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'a Redis URL such as `redis://127.0.0.1:6379` or `rediss://user:password@host:6380`' });
const queueFlagsSchema = z.object({
  queue: redisUrl.optional(),
  queuePrefix: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 letters, digits, `-` and `_` (the same on submitters and workers)')
    .optional(),
  TUBESUM_QUEUE_URL: redisUrl.optional(),
});

const workerNumbersSchema = z.object({
  concurrencyTranscripts: positiveInteger(1000).optional(),
  concurrencySummaries: positiveInteger(1000).optional(),
  globalSummaries: positiveInteger(100_000).optional(),
});

/** `--queue` (else `TUBESUM_QUEUE_URL`) and `--queue-prefix`; undefined when neither URL is given. */
export function resolveQueue(flags: QueueFlags, env: Environment): QueueSetting | undefined {
  const fromEnv = env.TUBESUM_QUEUE_URL?.trim() || undefined;
  const parsed = parse(queueFlagsSchema, {
    queue: flags.queue,
    queuePrefix: flags.queuePrefix,
    ...(flags.queue === undefined && fromEnv !== undefined ? { TUBESUM_QUEUE_URL: fromEnv } : {}),
  });
  const url = parsed.queue ?? parsed.TUBESUM_QUEUE_URL;
  if (url === undefined) {
    if (parsed.queuePrefix !== undefined) throw new CliError('`--queue-prefix` only applies with `--queue <redis://…>` (or TUBESUM_QUEUE_URL).');
    return undefined;
  }
  return { url, prefix: parsed.queuePrefix ?? 'tubesum' };
}

/**
 * The store of a queue: `--store`, else `TUBESUM_STORE`, else the queue's own Redis (the workers
 * must reach it too, so the local SQLite default would not do).
 */
function queueStoreUrl(flags: { store?: string }, env: Environment, queue: QueueSetting): string {
  return flags.store?.trim() || env.TUBESUM_STORE?.trim() || queue.url;
}

/** Flags that choose how videos are processed, which only the workers decide in queue mode. */
const WORKER_SIDE_FLAGS: [keyof ProcessorFlags, string][] = [
  ['offline', '--offline'],
  ['model', '--model'],
  ['openaiUrl', '--openai-url'],
  ['openaiModel', '--openai-model'],
  ['contextTokens', '--context-tokens'],
  ['concurrency', '--concurrency'],
  ['transcripts', '--transcripts'],
  ['anyTranscriptLanguage', '--any-transcript-language'],
];

/**
 * The configuration of `run` or `resume` (built by `resolve`), with the queue when there is one.
 * With a queue the summarizer and the transcript sources are the workers', so the flags that would
 * choose them are refused; `--no-youtube` and `--proxy` still apply to reading playlists and
 * channels here; the store defaults to the queue's Redis.
 */
export function withQueue<F extends ProcessorFlags & QueueFlags, T extends ProcessorConfig>(
  flags: F,
  env: Environment,
  resolve: (flags: F) => T,
): T & { queue?: QueueSetting } {
  const queue = resolveQueue(flags, env);
  if (queue === undefined) return resolve(flags);
  const given = WORKER_SIDE_FLAGS.filter(([key]) => flags[key] !== undefined && flags[key] !== false).map(([, name]) => `\`${name}\``);
  if (given.length > 0) {
    throw new CliError(
      `${given.join(', ')} ${given.length === 1 ? 'has' : 'have'} no effect with \`--queue\`: the workers choose the summarizer and the transcripts (pass ${given.length === 1 ? 'it' : 'them'} to \`tubesum worker\`).`,
    );
  }
  // Resolved as if offline with YouTube allowed: nothing here summarizes or fetches transcripts.
  const config = resolve({ ...flags, offline: true, youtube: true });
  return { ...config, transcripts: { ...config.transcripts, youtube: flags.youtube !== false }, queue, storeUrl: queueStoreUrl(flags, env, queue) };
}

/** Validates `tubesum worker`'s flags and environment. Throws a {@link CliError} (exit 2). */
export function resolveWorkerConfig(flags: WorkerFlags, env: Environment, cwd: string): WorkerConfig {
  const queue = resolveQueue(flags, env);
  if (queue === undefined) {
    throw new CliError('`tubesum worker` needs `--queue <redis://…>` (or TUBESUM_QUEUE_URL): the Redis the submitters send the videos to.');
  }
  const numbers = parse(workerNumbersSchema, { ...flags });
  const config = resolveProcessorConfig(flags, env, cwd);
  const workerConcurrency = {
    transcripts: numbers.concurrencyTranscripts ?? DEFAULT_WORKER_CONCURRENCY.transcripts,
    summaries: numbers.concurrencySummaries ?? DEFAULT_WORKER_CONCURRENCY.summaries,
  };
  return {
    ...config,
    queue,
    storeUrl: queueStoreUrl(flags, env, queue),
    workerConcurrency,
    ...(numbers.globalSummaries === undefined ? {} : { globalSummaries: numbers.globalSummaries }),
  };
}

/** What `run` and `resume` say when the videos go to the workers (the password never shown). */
export function queueNotice(queue: QueueSetting): string {
  return `Sending the videos to the workers of ${redactUrl(queue.url)} (prefix ${queue.prefix}); start them with \`tubesum worker --queue …\`.`;
}
