import { DEFAULT_ANTHROPIC_MODEL, ErrorCode, TubesumError } from '@tubesum/core';
import { z } from 'zod';
import { proxyUrlProblem, redactUrl, resolveProxySetting } from '@tubesum/proxy';
import type { ProxySetting } from '@tubesum/proxy';

/**
 * With `TUBESUM_ANTHROPIC_BATCH=auto`, batches of at least this many videos go through the Message
 * Batches API: below it, waiting up to an hour to save half of a few cents is a bad trade.
 */
export const DEFAULT_BATCH_MIN_VIDEOS = 20;

/** Which summarizer the bot runs, and the models a user may pick from (the first is the default). */
export type SummarizerConfig =
  | { kind: 'offline'; models: string[] }
  | {
      kind: 'anthropic';
      apiKey: string;
      models: string[];
      /** `ANTHROPIC_BASE_URL`: a gateway or proxy; the SDK's default when unset. */
      baseUrl?: string | undefined;
      /**
       * `TUBESUM_ANTHROPIC_BATCH`: `off` (request/response), `on` (every batch through the Message
       * Batches API, half the price, results usually within an hour), `auto` (from `batchMinVideos` on).
       */
      batch: 'off' | 'on' | 'auto';
      /** `TUBESUM_ANTHROPIC_BATCH_MIN_VIDEOS`: with `auto`, batches of at least this many videos use the Message Batches API. */
      batchMinVideos: number;
      /** `TUBESUM_BATCH_WINDOW_MS` and `TUBESUM_BATCH_POLL_MS`: the batch window and first poll interval (the summarizer's defaults when unset). */
      batchWindowMs?: number | undefined;
      batchPollMs?: number | undefined;
    }
  | { kind: 'openai'; baseUrl: string; apiKey: string | undefined; models: string[]; contextTokens: number };

/** Worker mode: where the queue of videos is. */
export interface QueueConfig {
  /** `TUBESUM_QUEUE_URL`: `redis://…` or `rediss://…`. Its password is never logged. */
  url: string;
  /** `TUBESUM_QUEUE_PREFIX`: the Redis key prefix the workers use too. @default 'tubesum' */
  prefix: string;
}

/** The bot's configuration, read from the environment by {@link loadConfig}. */
export interface BotConfig {
  discord: {
    /** `DISCORD_TOKEN`: the bot token. Never logged. */
    token: string;
    /** `DISCORD_APPLICATION_ID`. */
    applicationId: string;
    /** `DISCORD_GUILD_ID`: register commands in this guild only (instant, for development). */
    guildId: string | undefined;
    /** `DISCORD_API_URL`: REST base such as `http://127.0.0.1:8080/api` (a proxy); Discord's when unset. */
    apiUrl: string | undefined;
    /**
     * `TUBESUM_SHARDS`: how many gateway shards this process runs (discord.js internal sharding:
     * every shard in this one process). `auto` asks Discord (`GET /gateway/bot`) at each start,
     * which is 1 below 2,500 guilds. @default 'auto'
     */
    shards: 'auto' | number;
  };
  /** `TUBESUM_STORE`: `sqlite://file`, a plain path, `redis://…`, `postgres://…` or `memory://`. @default 'sqlite://.tubesum/bot.sqlite' */
  store: string;
  /**
   * Worker mode, when set: the videos run on `tubesum worker` processes that take them from this
   * Redis (BullMQ); this process only talks to Discord and follows the batches. The store must
   * then be one the workers reach too (Redis or PostgreSQL).
   */
  queue: QueueConfig | undefined;
  /** Undefined when no summarizer is configured: `/batch run` then says so to the user. */
  summarizer: SummarizerConfig | undefined;
  /** `TUBESUM_TRANSCRIPTS_DIR`: a folder of transcript files tried before YouTube. */
  transcriptsDir: string | undefined;
  /** `TUBESUM_TRANSCRIPT_LANGUAGES`: transcript languages in order of preference. Undefined: English only (`en`). */
  transcriptLanguages: string[] | undefined;
  /** `TUBESUM_ANY_TRANSCRIPT_LANGUAGE`: take a YouTube transcript in any language when none is in the wanted ones. @default false */
  anyTranscriptLanguage: boolean;
  /**
   * The proxy YouTube requests go through: `TUBESUM_PROXY`, else `HTTPS_PROXY` (or `HTTP_PROXY`)
   * with `NO_PROXY`. Its password is never logged.
   */
  proxy: ProxySetting | undefined;
  limits: {
    /** `TUBESUM_MAX_URLS_PER_BATCH`. @default 100 */
    maxUrlsPerBatch: number;
    /** `TUBESUM_MAX_RUNNING_BATCHES_PER_USER`. @default 2 */
    maxRunningBatchesPerUser: number;
    /** `TUBESUM_MAX_FILE_BYTES`: largest accepted URL list attachment. @default 262144 */
    maxFileBytes: number;
    /** `TUBESUM_ATTACHMENT_TIMEOUT_MS`: how long downloading the attachment may take. @default 10000 */
    attachmentTimeoutMs: number;
  };
  concurrency: {
    /** `TUBESUM_TRANSCRIPT_CONCURRENCY`. @default 2 */
    transcripts: number;
    /** `TUBESUM_SUMMARY_CONCURRENCY`. @default 4 */
    summaries: number;
  };
  progress: {
    /** `TUBESUM_EDIT_INTERVAL_MS`: at most one progress edit per message this often. @default 2500 */
    editIntervalMs: number;
    /**
     * `TUBESUM_INTERACTION_TOKEN_LIFETIME_MS`: after this the bot edits through the channel route.
     * Discord's tokens live 15 minutes; the default keeps a one-minute margin. @default 840000
     */
    interactionTokenLifetimeMs: number;
  };
}

/** Every variable {@link loadConfig} reads, with what it means (used by the docs and error messages). */
export const CONFIG_VARIABLES = {
  DISCORD_TOKEN: 'the bot token from the Developer Portal (Bot > Reset Token)',
  DISCORD_APPLICATION_ID: 'the application id (a Discord snowflake, 17-20 digits)',
  DISCORD_GUILD_ID: 'a guild id to register commands in (a Discord snowflake, 17-20 digits)',
  DISCORD_API_URL: 'an http(s) URL of a Discord REST API base such as http://127.0.0.1:8080/api',
  TUBESUM_SHARDS: '`auto` or a number of gateway shards from 1 to 4096',
  TUBESUM_STORE: 'a store URL: sqlite://path, a path, redis://…, postgres://… or memory://',
  TUBESUM_QUEUE_URL: 'a Redis URL such as redis://127.0.0.1:6379 or rediss://user:password@host:6380',
  TUBESUM_QUEUE_PREFIX: 'a Redis key prefix of 1 to 64 letters, digits, `-` and `_`',
  TUBESUM_SUMMARIZER: 'one of offline, anthropic, openai',
  ANTHROPIC_API_KEY: 'an Anthropic API key',
  ANTHROPIC_MODEL: 'a comma-separated list of Anthropic model ids, the first one the default',
  ANTHROPIC_BASE_URL: 'an http(s) URL',
  TUBESUM_ANTHROPIC_BATCH: 'one of off, on, auto',
  TUBESUM_ANTHROPIC_BATCH_MIN_VIDEOS: 'a positive integer',
  TUBESUM_BATCH_WINDOW_MS: 'a positive integer (milliseconds)',
  TUBESUM_BATCH_POLL_MS: 'a positive integer (milliseconds)',
  OPENAI_BASE_URL: 'the http(s) base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:11434/v1)',
  OPENAI_MODEL: 'a comma-separated list of model ids, the first one the default',
  OPENAI_API_KEY: 'the API key of the OpenAI-compatible API (optional for local servers)',
  OPENAI_CONTEXT_TOKENS: "the model's context window in tokens (a positive integer)",
  TUBESUM_TRANSCRIPTS_DIR: 'a folder of transcript files',
  TUBESUM_TRANSCRIPT_LANGUAGES: 'a comma-separated list of language codes such as `es,en`',
  TUBESUM_ANY_TRANSCRIPT_LANGUAGE: 'one of true, false, 1, 0, yes, no',
  TUBESUM_PROXY: 'an http(s) proxy URL such as http://user:password@proxy.example:8080',
  TUBESUM_MAX_URLS_PER_BATCH: 'a positive integer',
  TUBESUM_MAX_RUNNING_BATCHES_PER_USER: 'a positive integer',
  TUBESUM_MAX_FILE_BYTES: 'a positive integer (bytes)',
  TUBESUM_ATTACHMENT_TIMEOUT_MS: 'a positive integer (milliseconds)',
  TUBESUM_TRANSCRIPT_CONCURRENCY: 'a positive integer',
  TUBESUM_SUMMARY_CONCURRENCY: 'a positive integer',
  TUBESUM_EDIT_INTERVAL_MS: 'a positive integer (milliseconds)',
  TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: 'a positive integer (milliseconds), at most 900000',
} as const;

type Variable = keyof typeof CONFIG_VARIABLES;

/** Variables whose value must never appear in a message or a log. */
const SECRET: ReadonlySet<Variable> = new Set<Variable>(['DISCORD_TOKEN', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value === '' ? undefined : value));
const snowflake = z.string().regex(/^\d{17,20}$/);
const httpUrl = z.url({ protocol: /^https?$/ });
const modelList = z
  .string()
  .transform((value) => [
    ...new Set(
      value
        .split(',')
        .map((model) => model.trim())
        .filter((model) => model !== ''),
    ),
  ])
  .pipe(z.array(z.string().max(100)).min(1).max(25));

/** A positive integer, or undefined when the variable is unset. */
function optionalPositiveInt() {
  return optionalText.pipe(z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1)).optional());
}

function positiveInt(defaultValue: number, max = Number.MAX_SAFE_INTEGER) {
  return optionalText.pipe(z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1).max(max)).optional().default(defaultValue));
}

/** More shards than a bot in a million guilds needs (Discord: one shard per 1,000 to 2,500 guilds). */
const MAX_SHARDS = 4096;

const envSchema = z.object({
  DISCORD_TOKEN: optionalText.pipe(z.string().min(1)),
  DISCORD_APPLICATION_ID: optionalText.pipe(snowflake),
  DISCORD_GUILD_ID: optionalText.pipe(snowflake.optional()),
  DISCORD_API_URL: optionalText.pipe(httpUrl.optional()),
  TUBESUM_SHARDS: optionalText.pipe(
    z
      .union([z.literal('auto'), z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1).max(MAX_SHARDS))])
      .optional()
      .default('auto'),
  ),
  TUBESUM_STORE: optionalText.pipe(z.string().optional().default('sqlite://.tubesum/bot.sqlite')),
  TUBESUM_QUEUE_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  TUBESUM_QUEUE_PREFIX: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional()
      .default('tubesum'),
  ),
  TUBESUM_SUMMARIZER: optionalText.pipe(z.enum(['offline', 'anthropic', 'openai']).optional()),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_MODEL: optionalText.pipe(modelList.optional()),
  ANTHROPIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  TUBESUM_ANTHROPIC_BATCH: optionalText.pipe(z.enum(['off', 'on', 'auto']).optional()),
  TUBESUM_ANTHROPIC_BATCH_MIN_VIDEOS: positiveInt(DEFAULT_BATCH_MIN_VIDEOS),
  TUBESUM_BATCH_WINDOW_MS: optionalPositiveInt(),
  TUBESUM_BATCH_POLL_MS: optionalPositiveInt(),
  OPENAI_BASE_URL: optionalText.pipe(httpUrl.optional()),
  OPENAI_MODEL: optionalText.pipe(modelList.optional()),
  OPENAI_API_KEY: optionalText,
  OPENAI_CONTEXT_TOKENS: optionalText.pipe(z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1)).optional()),
  TUBESUM_TRANSCRIPTS_DIR: optionalText,
  TUBESUM_TRANSCRIPT_LANGUAGES: optionalText.pipe(
    z
      .string()
      .transform((value) => [
        ...new Set(
          value
            .split(',')
            .map((code) => code.trim())
            .filter((code) => code !== ''),
        ),
      ])
      .pipe(
        z
          .array(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/))
          .min(1)
          .max(20),
      )
      .optional(),
  ),
  TUBESUM_ANY_TRANSCRIPT_LANGUAGE: optionalText.pipe(
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .transform((value) => value === 'true' || value === '1' || value === 'yes')
      .optional()
      .default(false),
  ),
  TUBESUM_PROXY: optionalText,
  TUBESUM_MAX_URLS_PER_BATCH: positiveInt(100),
  TUBESUM_MAX_RUNNING_BATCHES_PER_USER: positiveInt(2),
  TUBESUM_MAX_FILE_BYTES: positiveInt(256 * 1024),
  TUBESUM_ATTACHMENT_TIMEOUT_MS: positiveInt(10_000),
  TUBESUM_TRANSCRIPT_CONCURRENCY: positiveInt(2),
  TUBESUM_SUMMARY_CONCURRENCY: positiveInt(4),
  TUBESUM_EDIT_INTERVAL_MS: positiveInt(2_500),
  TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: positiveInt(14 * 60_000, 15 * 60_000),
});

/** Stores other processes and machines reach (worker mode needs one). */
const SHARED_STORE = /^(redis|rediss|postgres|postgresql):\/\//i;

/** A URL as it may be shown: its password (or a lone user name) replaced by `***`. */
function withoutPassword(value: string): string {
  return value.includes('@') ? redactUrl(value) : value;
}

/** A Discord bot token: three base64url parts joined by dots. */
const TOKEN_SHAPE = /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/;

function describeValue(variable: Variable, value: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (value === undefined || value.trim() === '') return 'nothing';
  if (SECRET.has(variable)) return 'a value (hidden)';
  if (variable === 'TUBESUM_PROXY' || variable === 'TUBESUM_QUEUE_URL' || variable === 'TUBESUM_STORE') return `\`${withoutPassword(value.trim())}\``;
  // A secret pasted into the wrong variable is not echoed either.
  const secrets = [...SECRET].map((name) => env[name]?.trim()).filter((secret): secret is string => !!secret);
  if (TOKEN_SHAPE.test(value.trim()) || secrets.some((secret) => value.includes(secret))) {
    return 'a value that looks like a token or key (hidden)';
  }
  return `\`${value.length > 80 ? `${value.slice(0, 80)}…` : value}\``;
}

function invalid(problems: string[]): TubesumError {
  return new TubesumError(ErrorCode.INVALID_OPTIONS, `Invalid bot configuration:\n${problems.map((problem) => `- ${problem}`).join('\n')}`, {
    details: { problems },
  });
}

/**
 * Reads and validates the bot's configuration from `env` (default `process.env`).
 * Throws `TubesumError('INVALID_OPTIONS')` listing every wrong variable by name; secrets are never echoed.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): BotConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const variable = issue.path[0] as Variable;
      if (problems.has(variable)) continue;
      problems.set(variable, `Expected \`${variable}\` to be ${CONFIG_VARIABLES[variable]}, got ${describeValue(variable, env[variable], env)}.`);
    }
    throw invalid([...problems.values()]);
  }
  const e = parsed.data;
  const problems: string[] = [];

  const kind = e.TUBESUM_SUMMARIZER ?? (e.ANTHROPIC_API_KEY ? 'anthropic' : e.OPENAI_BASE_URL ? 'openai' : undefined);
  let summarizer: SummarizerConfig | undefined;
  if (kind === 'offline') summarizer = { kind, models: ['extractive'] };
  else if (kind === 'anthropic') {
    if (e.ANTHROPIC_API_KEY === undefined) {
      problems.push('Expected `ANTHROPIC_API_KEY` to be set because `TUBESUM_SUMMARIZER` is `anthropic`, got nothing.');
    } else {
      summarizer = {
        kind,
        apiKey: e.ANTHROPIC_API_KEY,
        models: e.ANTHROPIC_MODEL ?? [DEFAULT_ANTHROPIC_MODEL],
        ...(e.ANTHROPIC_BASE_URL === undefined ? {} : { baseUrl: e.ANTHROPIC_BASE_URL }),
        batch: e.TUBESUM_ANTHROPIC_BATCH ?? 'off',
        batchMinVideos: e.TUBESUM_ANTHROPIC_BATCH_MIN_VIDEOS,
        ...(e.TUBESUM_BATCH_WINDOW_MS === undefined ? {} : { batchWindowMs: e.TUBESUM_BATCH_WINDOW_MS }),
        ...(e.TUBESUM_BATCH_POLL_MS === undefined ? {} : { batchPollMs: e.TUBESUM_BATCH_POLL_MS }),
      };
    }
  } else if (kind === 'openai') {
    if (e.OPENAI_BASE_URL === undefined) {
      problems.push('Expected `OPENAI_BASE_URL` to be set because `TUBESUM_SUMMARIZER` is `openai`, got nothing.');
    }
    if (e.OPENAI_MODEL === undefined) {
      problems.push('Expected `OPENAI_MODEL` to be set for the OpenAI-compatible summarizer, got nothing.');
    }
    if (e.OPENAI_CONTEXT_TOKENS === undefined) {
      problems.push(
        "Expected `OPENAI_CONTEXT_TOKENS` to be the model's context window in tokens (e.g. 8192; Ollama silently cuts longer prompts), got nothing.",
      );
    }
    if (e.OPENAI_BASE_URL !== undefined && e.OPENAI_MODEL !== undefined && e.OPENAI_CONTEXT_TOKENS !== undefined) {
      summarizer = {
        kind,
        baseUrl: e.OPENAI_BASE_URL,
        apiKey: e.OPENAI_API_KEY,
        models: e.OPENAI_MODEL,
        contextTokens: e.OPENAI_CONTEXT_TOKENS,
      };
    }
  }
  if (e.TUBESUM_ANTHROPIC_BATCH !== undefined && e.TUBESUM_ANTHROPIC_BATCH !== 'off' && kind !== 'anthropic') {
    problems.push(`Expected \`TUBESUM_ANTHROPIC_BATCH\` to be \`off\` or unset without the Anthropic summarizer, got \`${e.TUBESUM_ANTHROPIC_BATCH}\`.`);
  }
  const proxy = resolveProxySetting(env);
  const proxyProblem = proxy === undefined ? undefined : proxyUrlProblem(proxy.url);
  if (proxy !== undefined && proxyProblem !== undefined) {
    problems.push(`Expected \`${proxy.origin}\` to be ${proxyProblem}, got \`${redactUrl(proxy.url)}\`.`);
  }
  if (e.TUBESUM_QUEUE_URL !== undefined && !SHARED_STORE.test(e.TUBESUM_STORE)) {
    // The same refusal as BatchProcessor's with a distributed executor, in the words of the variables.
    problems.push(
      `Expected \`TUBESUM_STORE\` to be a store the workers reach too (redis://… or postgres://…) because \`TUBESUM_QUEUE_URL\` is set, ` +
        `got ${env.TUBESUM_STORE?.trim() ? `\`${withoutPassword(e.TUBESUM_STORE)}\`` : `nothing (the default is \`${e.TUBESUM_STORE}\`)`}: ` +
        'a memory store lives in this process and a SQLite file on this machine, where workers on other machines cannot see the batches.',
    );
  }
  if (problems.length > 0) throw invalid(problems);

  return {
    discord: {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiUrl: e.DISCORD_API_URL?.replace(/\/+$/, ''),
      shards: e.TUBESUM_SHARDS,
    },
    store: e.TUBESUM_STORE,
    queue: e.TUBESUM_QUEUE_URL === undefined ? undefined : { url: e.TUBESUM_QUEUE_URL, prefix: e.TUBESUM_QUEUE_PREFIX },
    summarizer,
    transcriptsDir: e.TUBESUM_TRANSCRIPTS_DIR,
    transcriptLanguages: e.TUBESUM_TRANSCRIPT_LANGUAGES,
    anyTranscriptLanguage: e.TUBESUM_ANY_TRANSCRIPT_LANGUAGE,
    proxy,
    limits: {
      maxUrlsPerBatch: e.TUBESUM_MAX_URLS_PER_BATCH,
      maxRunningBatchesPerUser: e.TUBESUM_MAX_RUNNING_BATCHES_PER_USER,
      maxFileBytes: e.TUBESUM_MAX_FILE_BYTES,
      attachmentTimeoutMs: e.TUBESUM_ATTACHMENT_TIMEOUT_MS,
    },
    concurrency: { transcripts: e.TUBESUM_TRANSCRIPT_CONCURRENCY, summaries: e.TUBESUM_SUMMARY_CONCURRENCY },
    progress: {
      editIntervalMs: e.TUBESUM_EDIT_INTERVAL_MS,
      interactionTokenLifetimeMs: e.TUBESUM_INTERACTION_TOKEN_LIFETIME_MS,
    },
  };
}
