import { UnrecoverableError, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { ErrorCode, TubesumError } from '@tubesum/core';
import type { BatchStore, ItemHooks, ItemStage, ItemTask, Transcript } from '@tubesum/core';
import { FairLimiter, ItemStages, toTubesumError, validateOptions } from '@tubesum/core/executor';
import { Redis } from 'ioredis';
import { probeRedis, redisOptions } from './connection.js';
import { SummaryLeases } from './summary-lease.js';
import { encodeFailure, queueOf, runOfJobId, stageDataSchema, stopChannel, stopMessageSchema, summaryLeaseKey } from './wire.js';
import type { Names, RelayedRetry, StageData, StageResult } from './wire.js';
import { workerOptionsSchema } from './worker-options.js';
import type { WorkerOptions } from './worker-options.js';

/** A running worker. */
export interface QueueWorker {
  /** Stops taking jobs, lets the running ones finish, then disconnects. */
  close(): Promise<void>;
}

/** Batches this worker saw cancelled, remembered for a while so that their jobs end at once. */
const REMEMBERED_CANCELS = 1000;
/** How often the cancel flag of batches with running jobs is read, in case a stop message was missed. */
const CANCEL_POLL_MS = 1000;

/**
 * Starts a worker: it takes the transcript and summary jobs that submitters (`createQueueExecutor`)
 * add, runs them with the same steps as the in-process pipeline, and caches the results in the
 * shared store. Resolves once it is connected and taking jobs; rejects at once (`NETWORK_ERROR`
 * naming host and port) when Redis cannot be reached, and with `INVALID_OPTIONS` for a store other
 * machines cannot reach (memory, SQLite).
 */
export async function startWorker(options: WorkerOptions): Promise<QueueWorker> {
  validateOptions(workerOptionsSchema, options, 'startWorker options');
  const reach = options.store.reach;
  if (reach === 'process' || reach === 'machine') {
    throw new TubesumError(
      ErrorCode.INVALID_OPTIONS,
      `Invalid startWorker options: \`store\` is ${reach === 'process' ? 'a memory store' : 'a SQLite store'}, which the submitters and other workers cannot reach. Use the submitters' Redis or PostgreSQL store.`,
      { details: { path: 'store', reach } },
    );
  }
  const worker = new StageWorker(options);
  try {
    await worker.start();
  } catch (error) {
    await worker.close();
    throw error;
  }
  return worker;
}

class StageWorker implements QueueWorker {
  readonly #options: WorkerOptions;
  readonly #names: Names;
  readonly #store: BatchStore;
  readonly #stages: ItemStages;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #leases: SummaryLeases;
  readonly #workers: Worker[] = [];
  /** Each stage's calls at once (`concurrency`), fair between batches. */
  readonly #slots: Record<ItemStage, FairLimiter>;
  /** Running jobs by batch, with their submitter's run id, to abort them when their batch stops. */
  readonly #active = new Map<string, Set<{ controller: AbortController; run: string | undefined }>>();
  readonly #cancelled = new Set<string>();
  #cancelPoll: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#names = { prefix: options.prefix ?? 'tubesum', queueName: options.queueName ?? 'tubesum' };
    this.#store = options.store;
    const connection = redisOptions(options.connection);
    this.#client = new Redis({ ...connection, lazyConnect: true });
    this.#subscriber = new Redis({ ...connection, lazyConnect: true });
    for (const client of [this.#client, this.#subscriber]) client.on('error', () => undefined); // reconnects on its own
    this.#leases = new SummaryLeases(this.#client, options.summaryLeaseMs ?? 15_000);
    this.#slots = { transcript: new FairLimiter(options.concurrency.transcripts), summary: new FairLimiter(options.concurrency.summaries) };
    this.#stages = new ItemStages({
      gate: (stage, task, work) => this.#slots[stage].run(task.job.id, work),
      store: options.store,
      transcripts: options.transcripts,
      summarizer: options.summarizer,
      retry: options.retry,
      itemTimeoutMs: options.itemTimeoutMs,
      claim: async (stage, key, task, signal) => {
        if (stage === 'transcript') {
          await this.#assertNotCancelled(task.job.id);
          return undefined;
        }
        // Both at once: one round trip less in every summary.
        const [lease, cancelled] = await Promise.allSettled([
          this.#leases.acquire(summaryLeaseKey(this.#names, key), signal),
          this.#assertNotCancelled(task.job.id),
        ]);
        if (lease.status === 'rejected') throw lease.reason;
        if (cancelled.status === 'rejected') {
          await lease.value.release();
          throw cancelled.reason;
        }
        if (lease.value.waited)
          await this.#assertNotCancelled(task.job.id).catch(async (error: unknown) => {
            await lease.value.release();
            throw error;
          });
        return lease.value;
      },
    });
  }

  async start(): Promise<void> {
    const connection = redisOptions(this.#options.connection);
    await probeRedis(connection);
    await Promise.all([this.#client.connect(), this.#subscriber.connect()]);
    this.#subscriber.on('message', (_channel: string, message: string) => this.#onStop(message));
    await this.#subscriber.subscribe(stopChannel(this.#names));
    const lockDuration = this.#options.lockDurationMs ?? 30_000;
    for (const stage of ['transcript', 'summary'] as const) {
      const worker = new Worker(queueOf(this.#names, stage), (job: Job, _token?: string, signal?: AbortSignal) => this.#process(stage, job, signal), {
        connection: connection as ConnectionOptions,
        prefix: this.#names.prefix,
        // Transcripts: twice the limit, so that a job's store reads and writes overlap the fetches of
        // others; the limit itself holds around the fetches (the gate), as in-process. Summaries: the
        // limit exactly, since the cluster-wide limit counts jobs: a worker holding more jobs than it
        // runs would keep the other workers idle.
        concurrency: stage === 'transcript' ? 2 * this.#options.concurrency.transcripts : this.#options.concurrency.summaries,
        lockDuration,
        stalledInterval: lockDuration,
        // A job redelivered after a crash runs again; a job that keeps killing workers fails.
        maxStalledCount: 3,
      });
      worker.on('error', () => undefined); // connection errors: BullMQ reconnects
      this.#workers.push(worker);
    }
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
    this.#cancelPoll = setInterval(() => void this.#pollCancels(), CANCEL_POLL_MS);
    this.#cancelPoll.unref();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#cancelPoll);
      await Promise.allSettled(this.#workers.map((worker) => worker.close()));
      for (const client of [this.#client, this.#subscriber]) client.disconnect();
    })();
    return this.#closing;
  }

  async #process(stage: ItemStage, job: Job, bullSignal: AbortSignal | undefined): Promise<StageResult> {
    const parsed = stageDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Not a tubesum job: ${parsed.error.issues[0]?.message ?? 'bad data'}`);
    const data = parsed.data as StageData;
    const controller = new AbortController();
    const onBullAbort = () => controller.abort(new TubesumError(ErrorCode.CANCELLED, 'The worker stopped the job.'));
    bullSignal?.addEventListener('abort', onBullAbort, { once: true });
    const active = this.#active.get(data.batchId) ?? new Set();
    this.#active.set(data.batchId, active);
    const running = { controller, run: runOfJobId(job.id) };
    active.add(running);
    let attempts = 0;
    let entered = false;
    // Sent again with the outcome: a progress event may not reach the submitter before it (or at all).
    const retries: RelayedRetry[] = [];
    const hooks: ItemHooks = {
      progress: (event) => {
        if (event.type === 'attempt') attempts += 1;
        else if (event.type === 'stage' || event.type === 'retry') {
          if (event.type === 'stage') entered = true;
          else retries.push(event);
          void job.updateProgress(event).catch(() => undefined);
        }
      },
      // The submitter pauses the batch when the job fails with this error.
      pause: () => undefined,
    };
    const task: ItemTask = {
      job: { id: data.batchId, userId: data.userId, options: data.options },
      item: { jobId: data.batchId, index: data.index, videoId: data.videoId, url: data.url },
    };
    const signal = controller.signal;
    try {
      if (this.#cancelled.has(data.batchId)) throw new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.');
      if (stage === 'transcript') {
        const { transcript, key } = await this.#stages.transcript(task, signal, hooks);
        return { key, cached: !entered, attempts, entered, retries, ...(transcript.title === undefined ? {} : { title: transcript.title }) };
      }
      const transcript = await this.#cachedTranscript(data);
      const { key, cached } = await this.#stages.summary(task, transcript, signal, hooks);
      return { key, cached, attempts, entered, retries };
    } catch (caught) {
      const error = signal.aborted ? toTubesumError(signal.reason, data.videoId) : toTubesumError(caught, data.videoId);
      const reason = encodeFailure(error, attempts, entered, retries);
      // BullMQ never retries (attempts: 1): the retries happened in the stage, under tubesum's policy.
      throw error.retryable ? new Error(reason) : new UnrecoverableError(reason);
    } finally {
      bullSignal?.removeEventListener('abort', onBullAbort);
      active.delete(running);
      if (active.size === 0 && this.#active.get(data.batchId) === active) this.#active.delete(data.batchId);
    }
  }

  async #cachedTranscript(data: StageData): Promise<Transcript> {
    const key = data.transcriptKey;
    const transcript = key === undefined ? undefined : await this.#store.getCached<Transcript>(key);
    if (transcript === undefined) {
      throw new TubesumError(ErrorCode.STORAGE_ERROR, `The transcript of ${data.videoId} is not in the store; is this worker on the submitters' store?`, {
        videoId: data.videoId,
        retryable: false,
      });
    }
    return transcript;
  }

  async #assertNotCancelled(batchId: string): Promise<void> {
    if (this.#cancelled.has(batchId) || (await this.#store.isCancelRequested(batchId))) {
      this.#remember(batchId);
      throw new TubesumError(ErrorCode.CANCELLED, 'The batch was cancelled.');
    }
  }

  #onStop(message: string): void {
    let parsed;
    try {
      parsed = stopMessageSchema.safeParse(JSON.parse(message));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const { batchId, run, reason } = parsed.data;
    if (reason === 'cancel') this.#remember(batchId);
    const error = new TubesumError(ErrorCode.CANCELLED, reason === 'cancel' ? 'The batch was cancelled.' : `The batch stopped on its submitter (${reason}).`);
    for (const each of this.#active.get(batchId) ?? []) if (run === undefined || each.run === run) each.controller.abort(error);
  }

  /** Reads the cancel flag of the batches running here: a stop message sent during a disconnect is not replayed. */
  async #pollCancels(): Promise<void> {
    for (const batchId of [...this.#active.keys()]) {
      if (this.#cancelled.has(batchId)) continue;
      const requested = await this.#store.isCancelRequested(batchId).catch(() => false);
      if (requested) this.#onStop(JSON.stringify({ batchId, reason: 'cancel' }));
    }
  }

  #remember(batchId: string): void {
    this.#cancelled.add(batchId);
    if (this.#cancelled.size > REMEMBERED_CANCELS) this.#cancelled.delete(this.#cancelled.values().next().value as string);
  }
}
