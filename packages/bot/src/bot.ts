import { BatchProcessor, YouTubeVideoListSource, openStore } from '@tubesum/core';
import type { BatchProcessorOptions, BatchStore, Summarizer, TranscriptSource, VideoListSource } from '@tubesum/core';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { ClientOptions, Collection, Interaction } from 'discord.js';
import { BatchMessages } from './batch-messages.js';
import { KeyedLock } from './keyed-lock.js';
import { proxyNotice, redactUrl } from '@tubesum/proxy';
import { loadCommands } from './commands/index.js';
import type { BotContext, Command } from './commands/index.js';
import type { QueueExecutor } from '@tubesum/bullmq';
import type { BotConfig, QueueConfig } from './config.js';
import type { Logger } from './logger.js';
import { consoleLogger, describeError } from './logger.js';
import { ProcessorPool, batchKeyOf } from './processor-pool.js';
import { NO_MENTIONS } from './progress-message.js';
import { createSummarizer, createTranscriptSource } from './providers.js';

/** What {@link createBot} can be given instead of building it from the configuration (tests, embedding). */
export interface BotDependencies {
  /** Not used in worker mode (`TUBESUM_QUEUE_URL`): the workers have theirs. @default YouTube, after the files of `TUBESUM_TRANSCRIPTS_DIR` when set */
  transcripts?: TranscriptSource;
  /**
   * Expands playlist and channel links of `/batch run` into their videos, capped at the
   * per-batch limit (`TUBESUM_MAX_URLS_PER_BATCH`).
   * @default new YouTubeVideoListSource() (youtubei.js, loaded on the first list)
   */
  lists?: VideoListSource;
  /**
   * One summarizer for every job; its `model` is the only choice. Not used in worker mode: the
   * workers' summarizer writes the summaries. @default built from the configuration
   */
  summarizer?: Summarizer;
  /**
   * Store of the default model's processor and of the bot's own records. Not closed by the bot.
   * In worker mode it must be one the workers reach (Redis, PostgreSQL).
   * @default openStore(config.store) (in worker mode with the queue prefix as namespace)
   */
  store?: BatchStore;
  /** Extra processor options (retries, timeouts). */
  processor?: Partial<Pick<BatchProcessorOptions, 'retry' | 'itemTimeoutMs' | 'stateWriteIntervalMs' | 'prefetch'>>;
  /** @default consoleLogger */
  logger?: Logger;
  /** Downloads attachments. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A bot built by {@link createBot}: not connected until {@link Bot.start}. */
export interface Bot {
  client: Client;
  /** The default model's processor; undefined when no summarizer is configured. */
  processor: BatchProcessor | undefined;
  pool: ProcessorPool | undefined;
  /** The progress messages; undefined when no summarizer is configured. */
  messages: BatchMessages | undefined;
  commands: Collection<string, Command>;
  /** Logs in, continues the progress messages of a previous run and resumes unfinished batches. */
  start(): Promise<void>;
  /** Stops editing, closes the processors (batches stay resumable) and disconnects. */
  stop(): Promise<void>;
}

/** A Keyv namespace per extra model, so each processor resumes only its own jobs. */
function namespaceOf(model: string): string {
  return `tubesum-${model.replace(/[^\w.-]+/g, '_')}`.slice(0, 64);
}

/** discord.js options for `TUBESUM_SHARDS`: `auto` asks Discord, a number runs shards 0…n-1 of n. */
function shardOptions(shards: 'auto' | number): Pick<ClientOptions, 'shards' | 'shardCount'> {
  if (shards === 'auto') return { shards: 'auto' };
  return { shards: Array.from({ length: shards }, (_, id) => id), shardCount: shards };
}

/** The model name of the batches in worker mode when the bot's environment names none: the workers choose. */
const WORKERS_MODEL = 'workers';

/**
 * Worker mode: the executor that sends the videos to the workers of `queue`, connected (an
 * unreachable Redis fails the start at once, naming host and port, never the password).
 */
async function connectQueue(queue: QueueConfig, logger: Logger): Promise<{ executor: QueueExecutor; prefix: string }> {
  // Loaded only in worker mode: a bot that does the videos itself needs neither BullMQ nor ioredis.
  const { createQueueExecutor } = await import('@tubesum/bullmq');
  const executor = createQueueExecutor({ connection: queue.url, prefix: queue.prefix });
  try {
    await executor.ready();
  } catch (error) {
    await executor.close();
    throw error;
  }
  logger.info(`worker mode: the videos run on the workers of ${redactUrl(queue.url)} (prefix ${queue.prefix})`);
  return { executor, prefix: queue.prefix };
}

/** Builds the bot: the discord.js Client, one BatchProcessor per model, the command handlers. */
export async function createBot(config: BotConfig, dependencies: BotDependencies = {}): Promise<Bot> {
  const logger = dependencies.logger ?? consoleLogger;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: NO_MENTIONS,
    // Internal sharding: every shard's gateway connection lives in this process, beside the one
    // processor and progress-message tracker that serve all of them (see README "Scaling out").
    ...shardOptions(config.discord.shards),
    ...(config.discord.apiUrl === undefined ? {} : { rest: { api: config.discord.apiUrl } }),
  });

  const openedStores: BatchStore[] = [];
  const processors = new Map<string, BatchProcessor>();
  const queue = config.queue === undefined ? undefined : await connectQueue(config.queue, logger);
  const models = queue
    ? [config.summarizer?.models[0] ?? WORKERS_MODEL]
    : dependencies.summarizer
      ? [dependencies.summarizer.model]
      : (config.summarizer?.models ?? []);
  if (queue) {
    try {
      const store = dependencies.store ?? (await openStore(config.store, { namespace: queue.prefix }));
      if (!dependencies.store) openedStores.push(store);
      // Core refuses a store the workers cannot reach (memory, SQLite) here, with INVALID_OPTIONS.
      processors.set(
        models[0]!,
        new BatchProcessor({
          store,
          executor: queue.executor,
          lists: dependencies.lists ?? new YouTubeVideoListSource(),
          maxVideos: config.limits.maxUrlsPerBatch,
          ...dependencies.processor,
        }),
      );
    } catch (error) {
      for (const store of openedStores) await store.close?.();
      await queue.executor.close();
      throw error;
    }
  } else if (models.length > 0) {
    const transcripts = dependencies.transcripts ?? createTranscriptSource(config);
    const lists = dependencies.lists ?? new YouTubeVideoListSource();
    for (const [index, model] of models.entries()) {
      let store: BatchStore;
      if (index === 0 && dependencies.store) store = dependencies.store;
      else {
        store = await openStore(config.store, index === 0 ? {} : { namespace: namespaceOf(model) });
        openedStores.push(store);
      }
      processors.set(
        model,
        new BatchProcessor({
          transcripts,
          summarizer: dependencies.summarizer ?? createSummarizer(config, model),
          store,
          concurrency: { transcripts: config.concurrency.transcripts, summaries: config.concurrency.summaries },
          lists,
          // A playlist or channel fills the batch up to the same limit as pasted URLs.
          maxVideos: config.limits.maxUrlsPerBatch,
          ...dependencies.processor,
        }),
      );
    }
  }
  const anthropic = config.summarizer?.kind === 'anthropic' ? config.summarizer : undefined;
  const routing =
    anthropic !== undefined && anthropic.batch !== 'off' && !dependencies.summarizer
      ? { mode: anthropic.batch, minVideos: anthropic.batchMinVideos }
      : undefined;
  if (routing !== undefined) {
    const transcripts = dependencies.transcripts ?? createTranscriptSource(config);
    const lists = dependencies.lists ?? new YouTubeVideoListSource();
    for (const model of models) {
      // A store namespace of its own: it resumes its jobs in batch mode, polling the same provider batches.
      const store = await openStore(config.store, { namespace: namespaceOf(batchKeyOf(model)) });
      openedStores.push(store);
      processors.set(
        batchKeyOf(model),
        new BatchProcessor({
          transcripts,
          summarizer: createSummarizer(config, model, store),
          store,
          concurrency: { transcripts: config.concurrency.transcripts },
          lists,
          maxVideos: config.limits.maxUrlsPerBatch,
          ...dependencies.processor,
        }),
      );
    }
  }
  const pool = processors.size > 0 ? new ProcessorPool(processors, routing) : undefined;
  const messages = pool
    ? new BatchMessages({
        rest: client.rest,
        store: pool.default.store,
        pool,
        editIntervalMs: config.progress.editIntervalMs,
        tokenLifetimeMs: config.progress.interactionTokenLifetimeMs,
        logger,
      })
    : undefined;
  const commands = loadCommands(models);
  const context: BotContext = { config, pool, messages, logger, fetch: dependencies.fetch ?? fetch, admission: new KeyedLock() };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    void (async () => {
      if (interaction.isChatInputCommand()) {
        const command = commands.get(interaction.commandName);
        if (command) await command.execute(interaction, context);
      } else if (interaction.isButton()) {
        for (const command of commands.values()) {
          if (await command.handleButton?.(interaction, context)) break;
        }
      }
    })().catch((error: unknown) => logger.error(`interaction failed: ${describeError(error)}`));
  });
  client.on(Events.Error, (error) => logger.error(`discord client: ${describeError(error)}`));
  if (!pool) logger.warn('no summarizer configured: /batch run will tell users so');
  if (config.proxy !== undefined && dependencies.transcripts === undefined && !queue) logger.info(proxyNotice(config.proxy));

  let stopped = false;
  return {
    client,
    processor: pool?.default,
    pool,
    messages,
    commands,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.discord.token);
      await ready;
      const shards = client.ws.shards.size;
      logger.info(`logged in as ${client.user?.tag ?? '?'}; ${shards} shard${shards === 1 ? '' : 's'}; models: ${models.join(', ') || 'none'}`);
      if (!pool || !messages) return;
      await messages.restore();
      for (const [model, processor] of pool.entries()) {
        const resumed = await processor.resume();
        if (resumed.length > 0) logger.info(`resumed ${resumed.length} unfinished batch(es) of ${model}`);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await messages?.stop();
      for (const processor of processors.values()) await processor.close();
      for (const store of openedStores) await store.close?.();
      await queue?.executor.close();
      await client.destroy();
      logger.info('stopped');
    },
  };
}
