import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { ConnectionOptions, JobsOptions } from 'bullmq';
import { ErrorCode, TubesumError, isTubesumError } from '@tubesum/core';
import type { ItemExecutor, ItemHooks, ItemResult, ItemStage, ItemTask } from '@tubesum/core';
import { integerFrom, milliseconds, positiveInteger, sleep, untilAborted, validateOptions, wholeMilliseconds } from '@tubesum/core/executor';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';
import { connectionSchema, describeEndpoint, probeRedis, redisOptions } from './connection.js';
import type { RedisConnection } from './connection.js';
import { StageWaiters } from './stage-waiters.js';
import { jobIdOf, queueOf, stopChannel } from './wire.js';
import type { Names, StageData, StageResult, StopMessage } from './wire.js';
import { namesShape } from './worker-options.js';

/** Options of {@link createQueueExecutor}. */
export interface QueueExecutorOptions {
  /** Redis: a `redis://user:password@host:6379/0` URL or ioredis options. */
  readonly connection: RedisConnection;
  /** Prefix of every Redis key (BullMQ's and ours); workers must use the same. @default 'tubesum' */
  readonly prefix?: string | undefined;
  /** Base name of the two queues (`<name>-transcripts`, `<name>-summaries`); workers must use the same. @default 'tubesum' */
  readonly queueName?: string | undefined;
  /** Cluster-wide limits of the summary stage, set on its queue (an LLM key's limits are global). */
  readonly summaries?:
    | {
        /** Summaries running at once across all workers. @default no global limit: each worker's own */
        readonly globalConcurrency?: number | undefined;
        /** At most `max` summaries started per `durationMs` across all workers. */
        readonly rateLimit?: { readonly max: number; readonly durationMs: number } | undefined;
      }
    | undefined;
  /**
   * Items each batch keeps in the queues at once (waiting or running), refilled as they end. Jobs
   * carry their item's index as priority, so the first videos of a new batch are taken before the
   * later ones of a big batch: a small batch starts at once beside a big one.
   * @default 128
   */
  readonly maxInFlightPerBatch?: number | undefined;
  /** How often jobs waited on for a while are looked up in Redis, in case an event was missed. @default 1000 */
  readonly pollIntervalMs?: number | undefined;
  /** How long a stop waits for the workers' running jobs of the batch to end. @default 2000 */
  readonly stopWaitMs?: number | undefined;
}

/** The executor to pass as `new BatchProcessor({ store, executor })`. */
export interface QueueExecutor extends ItemExecutor {
  readonly distributed: true;
  readonly capacityPerBatch: number;
  /** Resolves once Redis answered; rejects at once (`NETWORK_ERROR` naming host and port) when it cannot be reached. */
  ready(): Promise<void>;
  /** Closes the queues and connections. Close the processor first. */
  close(): Promise<void>;
}

const optionsSchema = z
  .object({
    connection: connectionSchema,
    ...namesShape,
    summaries: z
      .object({
        globalConcurrency: positiveInteger.optional(),
        rateLimit: z.object({ max: positiveInteger, durationMs: positiveInteger }).strict().optional(),
      })
      .strict()
      .optional(),
    maxInFlightPerBatch: integerFrom(1, 10_000).optional(),
    pollIntervalMs: wholeMilliseconds(50).optional(),
    stopWaitMs: milliseconds().optional(),
  })
  .strict();

/** Jobs are kept a while after they end: a result is read from the job when its event was missed. */
const KEEP: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 3600, count: 100_000 },
  removeOnFail: { age: 3600, count: 100_000 },
};
/** How long a stage stopped by a worker waits for its run to learn of a cancel before it runs again. */
const RECHECK_CANCEL_MS = 5000;
/** BullMQ's top priority number. */
const MAX_PRIORITY = 2_097_151;

/**
 * An executor that runs every item on workers ({@link startWorker}) through BullMQ: one job per
 * video and stage, transcripts limited per worker, summaries also cluster-wide. The processor keeps
 * owning its batches; progress comes back through BullMQ's events and job records.
 */
export function createQueueExecutor(options: QueueExecutorOptions): QueueExecutor {
  const parsed = validateOptions(optionsSchema, options, 'createQueueExecutor options');
  return new BullQueueExecutor(parsed);
}

type Parsed = z.infer<typeof optionsSchema>;

/** The executor's queues, event streams and pub/sub client. */
interface Parts {
  queues: Record<ItemStage, Queue>;
  events: QueueEvents[];
  waiters: Record<ItemStage, StageWaiters>;
  publisher: Redis;
}

function makeParts(names: Names, redis: RedisOptions, pollMs: number): Parts {
  // ioredis options as BullMQ takes them (its own declaration of the same shape).
  const connection = redis as ConnectionOptions;
  const { prefix } = names;
  const queue = (stage: ItemStage) => new Queue(queueOf(names, stage), { connection, prefix });
  const queues = { transcript: queue('transcript'), summary: queue('summary') };
  const events = (stage: ItemStage) => new QueueEvents(queueOf(names, stage), { connection, prefix, autorun: false });
  const transcriptEvents = events('transcript');
  const summaryEvents = events('summary');
  // Connection errors: BullMQ reconnects on its own.
  for (const each of [transcriptEvents, summaryEvents]) each.on('error', () => undefined);
  for (const each of Object.values(queues)) each.on('error', () => undefined);
  const publisher = new Redis({ ...redis, lazyConnect: true });
  publisher.on('error', () => undefined);
  return {
    queues,
    events: [transcriptEvents, summaryEvents],
    waiters: { transcript: new StageWaiters(queues.transcript, transcriptEvents, pollMs), summary: new StageWaiters(queues.summary, summaryEvents, pollMs) },
    publisher,
  };
}

class BullQueueExecutor implements QueueExecutor {
  readonly distributed = true as const;
  readonly capacityPerBatch: number;
  readonly #names: Names;
  readonly #redis: RedisOptions;
  readonly #stopWaitMs: number;
  /** Made once Redis answered, so that a wrong address leaves nothing reconnecting in the background. */
  #parts: Parts | undefined;
  /** This executor's run of each batch (a new one per process): part of the job ids. */
  readonly #runs = new Map<string, string>();
  /** Jobs added and not yet ended, by batch: what a stop removes and waits for. */
  readonly #inFlight = new Map<string, Map<string, ItemStage>>();
  readonly #ready: Promise<void>;
  #closed = false;

  constructor(options: Parsed) {
    this.#names = { prefix: options.prefix ?? 'tubesum', queueName: options.queueName ?? 'tubesum' };
    this.#redis = redisOptions(options.connection);
    this.capacityPerBatch = options.maxInFlightPerBatch ?? 128;
    this.#stopWaitMs = options.stopWaitMs ?? 2000;
    this.#ready = this.#start(options);
    this.#ready.catch(() => undefined);
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async #start(options: Parsed): Promise<void> {
    await probeRedis(this.#redis);
    if (this.#closed) return;
    const parts = makeParts(this.#names, this.#redis, options.pollIntervalMs ?? 1000);
    this.#parts = parts;
    for (const events of parts.events) void events.run().catch(() => undefined);
    await Promise.all([...parts.events.map((each) => each.waitUntilReady()), parts.publisher.connect()]);
    const summaries = parts.queues.summary;
    if (options.summaries?.globalConcurrency !== undefined) await summaries.setGlobalConcurrency(options.summaries.globalConcurrency);
    if (options.summaries?.rateLimit) await summaries.setGlobalRateLimit(options.summaries.rateLimit.max, options.summaries.rateLimit.durationMs);
  }

  async run(task: ItemTask, signal: AbortSignal, hooks: ItemHooks): Promise<ItemResult> {
    await this.#ready;
    signal.throwIfAborted();
    const parts = this.#parts;
    if (parts === undefined) throw new TubesumError(ErrorCode.CANCELLED, 'The queue executor is closed.');
    const data: StageData = {
      batchId: task.job.id,
      userId: task.job.userId,
      options: task.job.options,
      index: task.item.index,
      videoId: task.item.videoId,
      url: task.item.url,
    };
    const transcript = await this.#stage(parts, 'transcript', data, signal, hooks);
    hooks.progress({ type: 'transcript', transcriptKey: transcript.key, ...(transcript.title === undefined ? {} : { title: transcript.title }) });
    signal.throwIfAborted();
    const summary = await this.#stage(parts, 'summary', { ...data, transcriptKey: transcript.key }, signal, hooks);
    return { summaryKey: summary.key, cached: summary.cached };
  }

  /**
   * Runs a stage on the workers. A worker that stopped the job (`CANCELLED`) while this run goes on
   * saw a cancel that another process requested and that this run learns of within its poll
   * interval (its signal then aborts), or it stopped for its own reasons: so wait for the run to
   * stop, and when it does not, run the stage again (twice at most).
   */
  async #stage(parts: Parts, stage: ItemStage, data: StageData, signal: AbortSignal, hooks: ItemHooks): Promise<StageResult> {
    for (let round = 0; ; round += 1) {
      try {
        return await this.#stageOnce(parts, stage, data, signal, hooks, round);
      } catch (error) {
        if (!isTubesumError(error, ErrorCode.CANCELLED) || signal.aborted || round >= 2) throw error;
        await sleep(RECHECK_CANCEL_MS, signal);
      }
    }
  }

  /** Adds a stage's job and waits for it; progress is relayed, attempts and a missed stage event replayed. */
  async #stageOnce(parts: Parts, stage: ItemStage, data: StageData, signal: AbortSignal, hooks: ItemHooks, round: number): Promise<StageResult> {
    const id = jobIdOf(data.batchId, data.videoId, stage, this.#runOf(data.batchId), round);
    let entered = false;
    const retried = new Set<number>();
    const waiter = parts.waiters[stage].wait(
      id,
      data.videoId,
      (event) => {
        if (event.type === 'stage') {
          if (entered) return;
          entered = true;
        } else {
          if (retried.has(event.attempt)) return;
          retried.add(event.attempt);
        }
        hooks.progress(event);
      },
      () => void this.#add(parts.queues[stage], id, data, signal).catch(() => undefined),
    );
    const jobs = this.#inFlight.get(data.batchId) ?? new Map<string, ItemStage>();
    this.#inFlight.set(data.batchId, jobs);
    jobs.set(id, stage);
    try {
      await this.#add(parts.queues[stage], id, data, signal);
      const outcome = await untilAborted(waiter.outcome, signal);
      for (let attempt = 0; attempt < (outcome.ok ? outcome.result.attempts : outcome.attempts); attempt += 1) hooks.progress({ type: 'attempt', stage });
      const didEnter = outcome.ok ? outcome.result.entered : outcome.entered;
      if (didEnter && !entered) hooks.progress({ type: 'stage', stage });
      // Retries whose progress event was missed (QueueEvents is a trimmed stream, and the outcome may come first).
      for (const retry of (outcome.ok ? outcome.result.retries : outcome.retries) ?? []) if (!retried.has(retry.attempt)) hooks.progress(retry);
      if (!outcome.ok) throw outcome.error;
      return outcome.result;
    } finally {
      waiter.forget();
      // A job of a batch that stopped stays listed: stopJob() removes it or stops it on its worker.
      if (!signal.aborted) jobs.delete(id);
      if (jobs.size === 0 && this.#inFlight.get(data.batchId) === jobs) {
        // Nothing of the batch in the queues: forget it (a later item takes a new run id, which is fine).
        this.#inFlight.delete(data.batchId);
        this.#runs.delete(data.batchId);
      }
    }
  }

  /** Adds a job, retrying while Redis is away (a cut, a failover) until the batch stops. Idempotent by id. */
  async #add(queue: Queue, id: string, data: StageData, signal: AbortSignal): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        await queue.add(data.transcriptKey === undefined ? 'transcript' : 'summary', data, {
          jobId: id,
          priority: Math.min(data.index + 1, MAX_PRIORITY),
          attempts: 1,
          ...KEEP,
        });
        return;
      } catch (error) {
        if (this.#closed) throw new TubesumError(ErrorCode.CANCELLED, 'The queue executor is closed.', { cause: error });
        await sleep(delay, signal);
      }
    }
  }

  #runOf(batchId: string): string {
    let run = this.#runs.get(batchId);
    if (run === undefined) {
      run = randomBytes(4).toString('hex');
      this.#runs.set(batchId, run);
    }
    return run;
  }

  /**
   * The batch stopped: its waiting jobs are removed, then every worker is told to abort its running
   * ones (a cancel was stored before, and workers read it before each paid step, so a job that got
   * past the removal starts nothing). Resolves once those jobs ended, or after `stopWaitMs`.
   */
  async stopJob(jobId: string, reason: 'cancel' | 'pause' | 'close' | 'lost'): Promise<void> {
    await this.#ready.catch(() => undefined);
    const parts = this.#parts;
    const jobs = [...(this.#inFlight.get(jobId)?.entries() ?? [])];
    const run = this.#runs.get(jobId);
    this.#runs.delete(jobId);
    this.#inFlight.delete(jobId);
    if (parts === undefined) return;
    const { queues } = parts;
    await Promise.all(jobs.map(([id, stage]) => queues[stage].remove(id).catch(() => 0)));
    // A cancel stops every run of the batch; anything else only this one (the batch may run elsewhere next).
    if (reason !== 'cancel' && run === undefined) return;
    const message: StopMessage = reason === 'cancel' ? { batchId: jobId, reason } : { batchId: jobId, run, reason };
    await parts.publisher.publish(stopChannel(this.#names), JSON.stringify(message));
    const deadline = Date.now() + this.#stopWaitMs;
    let left = jobs;
    while (left.length > 0 && Date.now() < deadline) {
      const states = await Promise.all(left.map(([id, stage]) => queues[stage].getJobState(id).catch(() => 'active' as const)));
      left = left.filter((_, position) => states[position] === 'active');
      if (left.length > 0) await sleep(25);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready.catch(() => undefined);
    const parts = this.#parts;
    this.#parts = undefined;
    if (parts === undefined) return;
    for (const waiters of Object.values(parts.waiters)) waiters.close();
    await Promise.allSettled([...parts.events.map((each) => each.close()), ...Object.values(parts.queues).map((each) => each.close())]);
    parts.publisher.disconnect();
  }

  /** `host:port` of the Redis this executor uses. */
  toString(): string {
    return `QueueExecutor(${describeEndpoint(this.#redis)})`;
  }
}
