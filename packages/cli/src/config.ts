import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { MAX_VIDEOS_PER_BATCH } from '@tubesum/core';
import type { ChannelContent, JobOptions, SummaryLength } from '@tubesum/core';
import { CliError } from './exit-code.js';
import { proxyUrlProblem, redactUrl, resolveProxySetting } from '@tubesum/proxy';
import type { ProxyEnvironment, ProxySetting } from '@tubesum/proxy';

/** The id every batch made by the command line belongs to: the store is local to this machine. */
export const LOCAL_USER_ID = 'local';

/** Where batches are kept when neither `--store` nor `TUBESUM_STORE` says otherwise. */
export function defaultStorePath(): string {
  return join(homedir(), '.tubesum', 'store.sqlite');
}

/** Flags shared by every command that runs batches (`run`, `resume`), as commander hands them over. */
export interface ProcessorFlags {
  /** Directory of transcript files named by video id, tried before YouTube. */
  transcripts?: string;
  /** `false` with `--no-youtube`: never contact YouTube. @default true */
  youtube?: boolean;
  /** Anthropic model id. @default the AnthropicSummarizer's default */
  model?: string;
  /** Base URL of an OpenAI-compatible server. */
  openaiUrl?: string;
  /** Model name on the OpenAI-compatible server. */
  openaiModel?: string;
  /** Context window of the OpenAI-compatible model, in tokens. */
  contextTokens?: string;
  /** Use the extractive summarizer. @default false */
  offline?: boolean;
  /** Summaries at once. */
  concurrency?: string;
  /** Store URL or SQLite path. @default ~/.tubesum/store.sqlite */
  store?: string;
  /** Proxy URL for YouTube requests. @default `TUBESUM_PROXY`, else `HTTPS_PROXY`/`HTTP_PROXY` with `NO_PROXY`, else none */
  proxy?: string;
  /** Take a transcript in any language when none is in the wanted ones. @default false */
  anyTranscriptLanguage?: boolean;
  /** Summaries through Anthropic's Message Batches API, at half the price. @default false */
  batchApi?: boolean;
}

/** Flags of `tubesum run`. */
export interface RunFlags extends ProcessorFlags {
  out?: string;
  name?: string;
  length?: string;
  language?: string;
  transcriptLanguages?: string;
  /** `--max-videos`: with playlists or channels, the most videos taken in all. @default 500 */
  maxVideos?: string;
  /** `--channel-content`: which uploads of a channel link. @default 'all' */
  channelContent?: string;
}

/** The environment variables tubesum reads. */
export interface Environment extends ProxyEnvironment {
  ANTHROPIC_API_KEY?: string | undefined;
  /** Where Anthropic requests go (a gateway, a proxy); the SDK's default when unset. */
  ANTHROPIC_BASE_URL?: string | undefined;
  /** With `--batch-api`: how long the first summary waits for others before its batch is sent, in ms. */
  TUBESUM_BATCH_WINDOW_MS?: string | undefined;
  /** With `--batch-api`: the first wait between two looks at a running batch, in ms (it grows to 5 min). */
  TUBESUM_BATCH_POLL_MS?: string | undefined;
  OPENAI_API_KEY?: string | undefined;
  TUBESUM_STORE?: string | undefined;
  /** The Redis of the workers (`--queue`): `run` submits there, `worker` takes videos from there. */
  TUBESUM_QUEUE_URL?: string | undefined;
}

/** Which summarizer to build, with what it needs. */
export type SummarizerConfig =
  | { kind: 'extractive'; /** Printed once when nobody asked for the extractive summarizer. */ notice?: string }
  | {
      kind: 'anthropic';
      apiKey: string;
      model?: string;
      baseURL?: string;
      /** Through the Message Batches API, with its window and first poll interval when given. */
      batch?: { windowMs?: number; pollIntervalMs?: number };
    }
  | { kind: 'openai-compatible'; baseURL: string; model: string; apiKey?: string; contextTokens: number };

/**
 * Context window assumed for an OpenAI-compatible model when `--context-tokens` is not given:
 * small on purpose, since Ollama silently cuts prompts beyond its context. Chunking more than
 * needed costs calls; cutting silently costs the summary.
 */
export const DEFAULT_CONTEXT_TOKENS = 4096;

/** Everything needed to build a {@link BatchProcessor} for the command line. */
export interface ProcessorConfig {
  summarizer: SummarizerConfig;
  transcripts: {
    directory?: string;
    youtube: boolean;
    /** YouTube: take any language when none of the wanted ones exists. */
    anyLanguage: boolean;
    /** The proxy YouTube requests go through. */
    proxy?: ProxySetting;
  };
  /** Summaries at once; the processor's default when undefined. */
  concurrency?: number;
  storeUrl: string;
}

/** What `tubesum run` does. */
export interface RunConfig extends ProcessorConfig {
  /** Where the ZIP goes; `./tubesum-<jobId>.zip` when undefined. */
  out?: string;
  name?: string;
  jobOptions: JobOptions;
  /** With playlists or channels, the most videos the batch takes; the processor's default (500) when undefined. */
  maxVideos?: number;
  /** Which uploads of a channel link; the list source's default (`all`) when undefined. */
  channelContent?: ChannelContent;
}

const languageCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language code such as `en` or `pt-BR`');

/** A flag or variable holding a whole number from 1 to `max` (`--concurrency 4`); the worker's flags use it too. */
export const positiveInteger = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'a positive integer')
    .transform(Number)
    .refine((value) => value >= 1 && value <= max, `a positive integer up to ${max}`);

const nonEmpty = z.string().trim().min(1, 'a non-empty value');

const processorFlagsSchema = z.object({
  transcripts: nonEmpty.optional(),
  youtube: z.boolean().default(true),
  model: nonEmpty.optional(),
  openaiUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as `http://127.0.0.1:11434/v1`' }).optional(),
  openaiModel: nonEmpty.optional(),
  contextTokens: positiveInteger(10_000_000).optional(),
  offline: z.boolean().default(false),
  concurrency: positiveInteger(64).optional(),
  store: nonEmpty.optional(),
  proxy: nonEmpty.optional(),
  anyTranscriptLanguage: z.boolean().default(false),
  batchApi: z.boolean().default(false),
});

const runFlagsSchema = processorFlagsSchema.extend({
  maxVideos: positiveInteger(MAX_VIDEOS_PER_BATCH).optional(),
  channelContent: z.enum(['all', 'videos', 'shorts', 'live'], { error: 'one of `all`, `videos`, `shorts`, `live`' }).optional(),
  out: nonEmpty.optional(),
  name: z.string().trim().min(1, 'a non-empty value').max(200, 'at most 200 characters').optional(),
  length: z.enum(['short', 'standard', 'detailed'], { error: 'one of `short`, `standard`, `detailed`' }).optional(),
  language: languageCode.optional(),
  transcriptLanguages: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(languageCode).min(1, 'a comma-separated list of language codes such as `en,de`'))
    .optional(),
});

const optionalVariable = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);

const environmentSchema = z.object({
  ANTHROPIC_API_KEY: optionalVariable,
  ANTHROPIC_BASE_URL: optionalVariable.pipe(z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional()),
  TUBESUM_BATCH_WINDOW_MS: optionalVariable.pipe(positiveInteger(86_400_000).optional()),
  TUBESUM_BATCH_POLL_MS: optionalVariable.pipe(positiveInteger(3_600_000).optional()),
  OPENAI_API_KEY: optionalVariable,
  TUBESUM_STORE: optionalVariable,
  TUBESUM_QUEUE_URL: optionalVariable,
  TUBESUM_PROXY: optionalVariable,
  HTTPS_PROXY: optionalVariable,
  https_proxy: optionalVariable,
  HTTP_PROXY: optionalVariable,
  http_proxy: optionalVariable,
  NO_PROXY: optionalVariable,
  no_proxy: optionalVariable,
});

/** `transcriptLanguages` -> `--transcript-languages`. */
function flagName(key: PropertyKey | undefined): string {
  if (typeof key !== 'string') return 'input';
  if (/^[A-Z_]+$/.test(key)) return key;
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Parses flags or variables; a failure names the flag and what it got (a URL without its password). */
export function parse<T extends z.ZodType>(schema: T, input: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const got = typeof key === 'string' ? input[key] : undefined;
  const field = flagName(key);
  const shown = field.endsWith('_KEY')
    ? 'a value that is not shown'
    : /proxy|queue|store/i.test(field)
      ? `\`${redactUrl(String(got))}\``
      : `\`${String(got)}\``;
  throw new CliError(`Expected \`${field}\` to be ${issue?.message ?? 'valid'}, got ${shown}.`);
}

function resolveSummarizer(flags: z.output<typeof processorFlagsSchema>, env: z.output<typeof environmentSchema>): SummarizerConfig {
  const summarizer = resolveSummarizerKind(flags, env);
  if (flags.batchApi && summarizer.kind !== 'anthropic') {
    throw new CliError(
      "`--batch-api` sends summaries through Anthropic's Message Batches API: it needs ANTHROPIC_API_KEY (and not `--offline` or `--openai-url`).",
    );
  }
  return summarizer;
}

function resolveSummarizerKind(flags: z.output<typeof processorFlagsSchema>, env: z.output<typeof environmentSchema>): SummarizerConfig {
  if (flags.offline) {
    if (flags.openaiUrl !== undefined || flags.model !== undefined) {
      throw new CliError('`--offline` cannot be combined with `--model` or `--openai-url`: pick one summarizer.');
    }
    return { kind: 'extractive' };
  }
  if (flags.contextTokens !== undefined && flags.openaiUrl === undefined) {
    throw new CliError('`--context-tokens` only applies with `--openai-url`.');
  }
  if (flags.openaiModel !== undefined && flags.openaiUrl === undefined) {
    throw new CliError('`--openai-model` only applies with `--openai-url`.');
  }
  if (flags.openaiUrl !== undefined) {
    if (flags.openaiModel === undefined) {
      throw new CliError('`--openai-url` needs `--openai-model` (the model name on that server, e.g. `llama3.1:8b`).');
    }
    return {
      kind: 'openai-compatible',
      baseURL: flags.openaiUrl,
      model: flags.openaiModel,
      ...(env.OPENAI_API_KEY === undefined ? {} : { apiKey: env.OPENAI_API_KEY }),
      contextTokens: flags.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
    };
  }
  if (env.ANTHROPIC_API_KEY !== undefined) {
    return {
      kind: 'anthropic',
      apiKey: env.ANTHROPIC_API_KEY,
      ...(flags.model === undefined ? {} : { model: flags.model }),
      ...(env.ANTHROPIC_BASE_URL === undefined ? {} : { baseURL: env.ANTHROPIC_BASE_URL }),
      ...(flags.batchApi
        ? {
            batch: {
              ...(env.TUBESUM_BATCH_WINDOW_MS === undefined ? {} : { windowMs: env.TUBESUM_BATCH_WINDOW_MS }),
              ...(env.TUBESUM_BATCH_POLL_MS === undefined ? {} : { pollIntervalMs: env.TUBESUM_BATCH_POLL_MS }),
            },
          }
        : {}),
    };
  }
  if (flags.model !== undefined) {
    throw new CliError('`--model` needs ANTHROPIC_API_KEY in the environment (or use `--openai-url` with `--openai-model`).');
  }
  return {
    kind: 'extractive',
    notice:
      'No summarizer configured (set ANTHROPIC_API_KEY, or pass --openai-url): using the offline extractive summarizer. Pass --offline to hide this notice.',
  };
}

function resolveTranscriptsDirectory(directory: string | undefined, cwd: string): string | undefined {
  if (directory === undefined) return undefined;
  const path = resolve(cwd, directory);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new CliError(`Expected \`--transcripts\` to be a directory, got \`${directory}\` (not found).`);
  return path;
}

/** Validates the flags and environment shared by `run` and `resume`. Throws a {@link CliError} (exit 2). */
export function resolveProcessorConfig(flags: ProcessorFlags, env: Environment, cwd: string): ProcessorConfig {
  const parsed = parse(processorFlagsSchema, { ...flags });
  const environment = parse(environmentSchema, { ...env });
  return buildProcessorConfig(parsed, environment, cwd);
}

function buildProcessorConfig(parsed: z.output<typeof processorFlagsSchema>, environment: z.output<typeof environmentSchema>, cwd: string): ProcessorConfig {
  const directory = resolveTranscriptsDirectory(parsed.transcripts, cwd);
  if (!parsed.youtube && directory === undefined) {
    throw new CliError('`--no-youtube` needs `--transcripts <dir>`: there would be nowhere to get transcripts from.');
  }
  const proxy = parsed.youtube ? resolveProxySetting(environment, parsed.proxy) : undefined;
  const problem = proxy === undefined ? undefined : proxyUrlProblem(proxy.url);
  if (proxy !== undefined && problem !== undefined) {
    throw new CliError(`Expected \`${proxy.origin}\` to be ${problem}, got \`${redactUrl(proxy.url)}\`.`);
  }
  return {
    summarizer: resolveSummarizer(parsed, environment),
    transcripts: {
      youtube: parsed.youtube,
      anyLanguage: parsed.anyTranscriptLanguage,
      ...(directory === undefined ? {} : { directory }),
      ...(proxy === undefined ? {} : { proxy }),
    },
    ...(parsed.concurrency === undefined ? {} : { concurrency: parsed.concurrency }),
    storeUrl: resolveStoreUrl(parsed.store, environment.TUBESUM_STORE),
  };
}

/** `--store`, else `TUBESUM_STORE`, else the SQLite file under `~/.tubesum`. */
export function resolveStoreUrl(flag: string | undefined, env: string | undefined): string {
  return flag ?? env ?? defaultStorePath();
}

/** Validates `tubesum run`'s flags and environment. Throws a {@link CliError} (exit 2). */
export function resolveRunConfig(flags: RunFlags, env: Environment, cwd: string): RunConfig {
  const parsed = parse(runFlagsSchema, { ...flags });
  const environment = parse(environmentSchema, { ...env });
  const jobOptions: JobOptions = {
    length: (parsed.length ?? 'standard') satisfies SummaryLength,
    ...(parsed.language === undefined ? {} : { language: parsed.language }),
    ...(parsed.transcriptLanguages === undefined ? {} : { transcriptLanguages: parsed.transcriptLanguages }),
  };
  return {
    ...buildProcessorConfig(parsed, environment, cwd),
    ...(parsed.out === undefined ? {} : { out: resolve(cwd, parsed.out) }),
    ...(parsed.name === undefined ? {} : { name: parsed.name }),
    ...(parsed.maxVideos === undefined ? {} : { maxVideos: parsed.maxVideos }),
    ...(parsed.channelContent === undefined ? {} : { channelContent: parsed.channelContent }),
    jobOptions,
  };
}

/** Quotes `value` for a POSIX shell when it needs it. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The flags that rebuild the same processor, for the `tubesum resume` hint. */
export function processorFlagsToArgs(flags: ProcessorFlags & { queue?: string; queuePrefix?: string }): string[] {
  const args: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) args.push(name, shellQuote(value));
  };
  add('--transcripts', flags.transcripts);
  if (flags.youtube === false) args.push('--no-youtube');
  if (flags.offline) args.push('--offline');
  add('--model', flags.model);
  add('--openai-url', flags.openaiUrl);
  add('--openai-model', flags.openaiModel);
  add('--context-tokens', flags.contextTokens);
  add('--concurrency', flags.concurrency);
  // A password (of the proxy, the store or the queue) is never printed: the hint shows `***` in its place.
  if (flags.store !== undefined) add('--store', flags.store.includes('@') ? redactUrl(flags.store) : flags.store);
  if (flags.proxy !== undefined) add('--proxy', redactUrl(flags.proxy));
  if (flags.queue !== undefined) add('--queue', redactUrl(flags.queue));
  add('--queue-prefix', flags.queuePrefix);
  if (flags.anyTranscriptLanguage) args.push('--any-transcript-language');
  return args;
}

/** `tubesum resume <id> [same flags]`, with the `invocation` that started this process. */
export function resumeHint(
  jobId: string,
  flags: ProcessorFlags & { queue?: string; queuePrefix?: string; out?: string; withTranscripts?: boolean },
  invocation = 'tubesum',
): string {
  const out = flags.out === undefined ? [] : ['--out', shellQuote(flags.out)];
  const transcripts = flags.withTranscripts === true ? ['--with-transcripts'] : [];
  return [invocation, 'resume', jobId, ...processorFlagsToArgs(flags), ...out, ...transcripts].join(' ');
}
