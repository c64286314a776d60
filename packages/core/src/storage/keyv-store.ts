import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';
import { validateOptions } from '../internal/validate-options.js';
import type { ItemRecord, JobRecord, JobState } from '../records.js';
import type { BatchStore, JobLease } from './batch-store.js';
import type { Coordinator } from './coordination/coordinator.js';
import { createCoordinator, reachOf } from './coordination/create-coordinator.js';
import type { KeyedLock } from './coordination/keyed-lock.js';
import { lockFor } from './coordination/keyed-lock.js';
import { storageError } from './storage-error.js';
import { integerFrom, nonNegativeInteger } from '../internal/option-schemas.js';

/** Options of {@link createKeyvStore}. */
export interface KeyvStoreOptions {
  /**
   * How error messages name this store, e.g. `the SQLite store at .tubesum/store.sqlite`.
   * Never put a password here.
   * @default 'the Keyv store'
   */
  description?: string | undefined;
  /**
   * Keys read by one `getMany` and written by one `setMany`. Smaller pages bound the size of one
   * backend request; larger ones mean fewer round trips.
   * @default 500
   */
  pageSize?: number | undefined;
}

const optionsSchema = z
  .object({
    description: z.string('a string').min(1, 'a non-empty string').optional(),
    pageSize: integerFrom(1, 10_000).optional(),
  })
  .optional();

const keyvSchema = z.custom<Keyv>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['get', 'set', 'getMany', 'setMany', 'disconnect'].every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
  'a Keyv instance (keyv 5)',
);

const idSchema = z.string('a non-empty string').min(1, 'a non-empty string');
const keyListSchema = z.array(idSchema, 'an array of non-empty strings');
/** What {@link keyListSchema} accepts, checked without building a parse result. */
function isKeyList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((key) => typeof key === 'string' && key.length > 0);
}
const ownerSchema = z
  .string('a non-empty string of at most 200 characters')
  .min(1, 'a non-empty string of at most 200 characters')
  .max(200, 'a non-empty string of at most 200 characters');
/** Up to about 24 days: what a Redis PX and a JavaScript timer both accept. */
const leaseSchema = integerFrom(1, 2_147_483_647);
const indexSchema = nonNegativeInteger;
const rangeSchema = z
  .object({
    offset: indexSchema.optional(),
    limit: indexSchema.optional(),
  })
  .optional();

/** Longest id kept readable in a key; longer ones are hashed so keys stay within backend limits (PostgreSQL: 255). */
const MAX_READABLE_ID = 100;
const MAX_READABLE_CACHE_KEY = 160;
const UNFINISHED_KEY = 'jobs:unfinished';
/** First segments of the store's keys; a Keyv namespace must not be one of them. */
const RESERVED_NAMESPACES: ReadonlySet<string> = new Set(['job', 'jobs', 'user', 'cache']);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One id as a key segment: no `:` (so ids cannot collide with other keys) and bounded in length. */
function segment(id: string): string {
  const encoded = encodeURIComponent(id);
  // `#` is always encoded by encodeURIComponent, so a hashed segment never equals a readable one.
  return encoded.length <= MAX_READABLE_ID ? encoded : `#${sha256(id)}`;
}

const keys = {
  job: (jobId: string) => `job:${segment(jobId)}`,
  state: (jobId: string) => `job:${segment(jobId)}:state`,
  item: (jobId: string, index: number) => `job:${segment(jobId)}:item:${index}`,
  lease: (jobId: string) => `job:${segment(jobId)}:lease`,
  cancel: (jobId: string) => `job:${segment(jobId)}:cancel`,
  userJobs: (userId: string) => `user:${segment(userId)}:jobs`,
  cache: (key: string) => (key.length <= MAX_READABLE_CACHE_KEY ? `cache:${key}` : `cache#${sha256(key)}`),
};

function chunks<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += size) result.push(values.slice(start, start + size));
  return result;
}

class KeyvBatchStore implements BatchStore {
  readonly #keyv: Keyv;
  readonly #where: string;
  readonly #pageSize: number;
  readonly #lock: KeyedLock;
  readonly #coordinator: Coordinator;
  /** A plain field (not a getter), so a `Proxy` around the store reads it too. */
  readonly coordination: 'atomic' | 'process';
  /** A plain field too; absent for an adapter of unknown reach. */
  readonly reach?: 'process' | 'machine' | 'network';
  /** Whether this process knows a job to be in `jobs:unfinished`; only running jobs are remembered. */
  readonly #listedRunning = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(keyv: Keyv, where: string, pageSize: number) {
    this.#keyv = keyv;
    this.#where = where;
    this.#pageSize = pageSize;
    this.#lock = lockFor(keyv);
    this.#coordinator = createCoordinator(keyv);
    this.coordination = this.#coordinator.coordination;
    const reach = reachOf(keyv);
    if (reach !== undefined) this.reach = reach;
  }

  createJob(job: JobRecord, state: JobState, items: readonly ItemRecord[]): Promise<void> {
    return this.#run(`create job ${describeId(job?.id)}`, async () => {
      const jobId = validateOptions(idSchema, job?.id, 'BatchStore.createJob job.id');
      validateOptions(idSchema, job.userId, 'BatchStore.createJob job.userId');
      validateOptions(indexSchema, job.total, 'BatchStore.createJob job.total');
      if (!Array.isArray(items) || items.length !== job.total) {
        throw new TubesumError(
          ErrorCode.INVALID_OPTIONS,
          `Expected \`items\` to hold job.total (${job.total}) items, got ${Array.isArray(items) ? items.length : typeof items} (BatchStore.createJob)`,
        );
      }
      items.forEach((item, position) => {
        if (item?.jobId !== jobId || item.index !== position) {
          throw new TubesumError(
            ErrorCode.INVALID_OPTIONS,
            `Expected \`items[${position}]\` to have jobId ${JSON.stringify(jobId)} and index ${position}, got jobId ${JSON.stringify(item?.jobId)} and index ${String(item?.index)} (BatchStore.createJob)`,
          );
        }
      });
      // Items first, the job record and lists last: a job is only listed once all of it is stored.
      for (const page of chunks(items, this.#pageSize)) {
        await this.#setMany(page.map((item) => ({ key: keys.item(jobId, item.index), value: item })));
      }
      await this.#setMany([
        { key: keys.job(jobId), value: job },
        { key: keys.state(jobId), value: state },
      ]);
      await this.#updateList(keys.userJobs(job.userId), jobId, true);
      if (state.status === 'running' || state.status === 'paused') {
        await this.#updateList(UNFINISHED_KEY, jobId, true);
        this.#listedRunning.add(jobId);
      }
    });
  }

  getJob(jobId: string): Promise<JobRecord | undefined> {
    return this.#run(`read job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.getJob jobId');
      return this.#get<JobRecord>(keys.job(jobId));
    });
  }

  getJobState(jobId: string): Promise<JobState | undefined> {
    return this.#run(`read the state of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.getJobState jobId');
      return this.#get<JobState>(keys.state(jobId));
    });
  }

  saveJobState(jobId: string, state: JobState): Promise<void> {
    return this.#run(`save the state of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.saveJobState jobId');
      // One job's state updates are applied in call order.
      await this.#lock.run(keys.state(jobId), async () => {
        await this.#set(keys.state(jobId), state);
        // Paused jobs are unfinished too: resume() continues them.
        const running = state.status === 'running' || state.status === 'paused';
        // The list is touched only when the status changes (or is unknown to this process).
        if (running && this.#listedRunning.has(jobId)) return;
        await this.#updateList(UNFINISHED_KEY, jobId, running);
        if (running) this.#listedRunning.add(jobId);
        else this.#listedRunning.delete(jobId);
      });
    });
  }

  listJobIds(userId: string): Promise<string[]> {
    return this.#run(`list the jobs of user ${describeId(userId)}`, async () => {
      validateOptions(idSchema, userId, 'BatchStore.listJobIds userId');
      return (await this.#get<string[]>(keys.userJobs(userId))) ?? [];
    });
  }

  listUnfinishedJobIds(): Promise<string[]> {
    return this.#run('list unfinished jobs', async () => (await this.#get<string[]>(UNFINISHED_KEY)) ?? []);
  }

  getItems(jobId: string, range?: { offset?: number; limit?: number }): Promise<ItemRecord[]> {
    return this.#run(`read the items of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.getItems jobId');
      const { offset = 0, limit = Number.POSITIVE_INFINITY } = validateOptions(rangeSchema, range, 'BatchStore.getItems range') ?? {};
      // A bounded range needs no job record: a job's items are 0 to total - 1, all written when it
      // is created, so keys past the last one (or of a job that does not exist) read as missing,
      // and a page that ends with a missing item is the last. An export saves one round trip to
      // the store per page.
      let end = offset + limit;
      if (!Number.isFinite(end)) {
        const job = await this.#get<JobRecord>(keys.job(jobId));
        if (job === undefined) return [];
        end = Math.min(job.total, end);
      }
      const items: ItemRecord[] = [];
      for (let start = offset; start < end; start += this.#pageSize) {
        const pageKeys: string[] = [];
        for (let index = start; index < Math.min(end, start + this.#pageSize); index += 1) pageKeys.push(keys.item(jobId, index));
        const values = await this.#keyv.getMany<ItemRecord>(pageKeys);
        for (const value of values) if (value !== undefined && value !== null) items.push(value);
        if (values.at(-1) === undefined || values.at(-1) === null) break;
      }
      return items;
    });
  }

  saveItem(item: ItemRecord): Promise<void> {
    return this.#run(`save item ${String(item?.index)} of job ${describeId(item?.jobId)}`, async () => {
      const jobId = validateOptions(idSchema, item?.jobId, 'BatchStore.saveItem item.jobId');
      const index = validateOptions(indexSchema, item.index, 'BatchStore.saveItem item.index');
      await this.#set(keys.item(jobId, index), item);
    });
  }

  getCached<T>(key: string): Promise<T | undefined> {
    return this.#run(`read cached ${describeId(key)}`, async () => {
      validateOptions(idSchema, key, 'BatchStore.getCached key');
      return this.#get<T>(keys.cache(key));
    });
  }

  getManyCached<T>(cacheKeys: readonly string[]): Promise<Array<T | undefined>> {
    return this.#run(`read ${Array.isArray(cacheKeys) ? cacheKeys.length : 'several'} cached values`, async () => {
      // An export reads a page of 200 keys at a time: zod only explains a list that fails the plain check.
      if (!isKeyList(cacheKeys)) validateOptions(keyListSchema, cacheKeys, 'BatchStore.getManyCached keys');
      const values: Array<T | undefined> = [];
      for (const page of chunks(cacheKeys, this.#pageSize)) {
        for (const value of await this.#keyv.getMany<T>(page.map((key) => keys.cache(key)))) values.push(value ?? undefined);
      }
      return values;
    });
  }

  setCached(key: string, value: unknown): Promise<void> {
    return this.#run(`write cached ${describeId(key)}`, async () => {
      validateOptions(idSchema, key, 'BatchStore.setCached key');
      await this.#set(keys.cache(key), value);
    });
  }

  claimJob(jobId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#run(`claim job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.claimJob jobId');
      validateOptions(ownerSchema, owner, 'BatchStore.claimJob owner');
      validateOptions(leaseSchema, leaseMs, 'BatchStore.claimJob leaseMs');
      return this.#coordinator.claim(keys.lease(jobId), owner, leaseMs);
    });
  }

  renewJob(jobId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#run(`renew the lease of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.renewJob jobId');
      validateOptions(ownerSchema, owner, 'BatchStore.renewJob owner');
      validateOptions(leaseSchema, leaseMs, 'BatchStore.renewJob leaseMs');
      return this.#coordinator.renew(keys.lease(jobId), owner, leaseMs);
    });
  }

  releaseJob(jobId: string, owner: string): Promise<void> {
    return this.#run(`release job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.releaseJob jobId');
      validateOptions(ownerSchema, owner, 'BatchStore.releaseJob owner');
      await this.#coordinator.release(keys.lease(jobId), owner);
    });
  }

  getJobLease(jobId: string): Promise<JobLease | undefined> {
    return this.#run(`read the lease of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.getJobLease jobId');
      return this.#coordinator.lease(keys.lease(jobId));
    });
  }

  requestCancel(jobId: string): Promise<void> {
    return this.#run(`request the cancel of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.requestCancel jobId');
      // Every request writes the same value: concurrent requests need no coordination.
      await this.#set(keys.cancel(jobId), true);
    });
  }

  isCancelRequested(jobId: string): Promise<boolean> {
    return this.#run(`read the cancel request of job ${describeId(jobId)}`, async () => {
      validateOptions(idSchema, jobId, 'BatchStore.isCancelRequested jobId');
      return (await this.#get<boolean>(keys.cancel(jobId))) === true;
    });
  }

  /** Waits for the operations in flight, then disconnects the Keyv (and its backend). Later calls fail with `STORAGE_ERROR`. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      try {
        await this.#keyv.disconnect();
      } catch (error) {
        throw storageError('close the store', this.#where, error);
      }
    })();
    return this.#closing;
  }

  /** Runs one public operation: refuses after close, tracks it for close, wraps backend failures. */
  #run<T>(operation: string, task: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) {
      return Promise.reject(storageError(operation, this.#where, new Error('the store is closed')));
    }
    const promise = task().catch((error: unknown) => {
      throw storageError(operation, this.#where, error);
    });
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const value = await this.#keyv.get<T>(key);
    return value === null ? undefined : value;
  }

  async #set(key: string, value: unknown): Promise<void> {
    if ((await this.#keyv.set(key, value)) === false) throw new Error(`the backend did not write ${key}`);
  }

  async #setMany(entries: { key: string; value: unknown }[]): Promise<void> {
    const results: unknown = await this.#keyv.setMany(entries);
    if (Array.isArray(results) && results.includes(false)) throw new Error(`the backend did not write ${entries.length} keys`);
  }

  /** Adds `id` to or removes it from the list under `key`, atomically in the backend (see {@link Coordinator}). */
  #updateList(key: string, id: string, present: boolean): Promise<void> {
    return present ? this.#coordinator.addToList(key, id) : this.#coordinator.removeFromList(key, id);
  }
}

function describeId(id: unknown): string {
  if (typeof id !== 'string') return String(id);
  return JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}…` : id);
}

/**
 * A {@link BatchStore} on any Keyv 5 instance (memory, `@keyv/sqlite`, `@keyv/redis`, `@keyv/postgres`…).
 *
 * Keys, under the Keyv's namespace: `job:{id}` (the record, written once), `job:{id}:state`,
 * `job:{id}:item:{index}` (one key per item), `job:{id}:lease`, `job:{id}:cancel`,
 * `user:{userId}:jobs`, `jobs:unfinished` and `cache:{key}`. A state change writes one small key (and the unfinished list when the status
 * changes); an item update writes one key: no write grows with the size of the batch.
 *
 * Several processes can share the store (`coordination: 'atomic'`) on a `Map`, `@keyv/sqlite`,
 * `@keyv/redis` or `@keyv/postgres` with Keyv's default serializer: lists change and leases are
 * claimed in one backend step (an SQL statement, a Lua script, a synchronous map update), timed by
 * the backend's clock. Any other adapter gets `coordination: 'process'`: lists and leases are
 * read-modify-write, serialized only among stores on this Keyv in this process. The store turns on `throwOnErrors` on the Keyv (and its adapter,
 * where it has the switch), so a backend failure becomes a `STORAGE_ERROR` instead of a silent miss.
 * `close()` disconnects the Keyv.
 *
 * @example
 * ```ts
 * import { Keyv } from 'keyv';
 * import { KeyvSqlite } from '@keyv/sqlite';
 * const store = createKeyvStore(new Keyv({ store: new KeyvSqlite('sqlite://data/batches.sqlite'), namespace: 'tubesum' }));
 * // Redis: `createKeyv(url, { namespace })` from `@keyv/redis` prefixes keys once (a plain
 * // `new Keyv({ store: new KeyvRedis(url), namespace })` writes the namespace twice).
 * ```
 */
export function createKeyvStore(keyv: Keyv, options?: KeyvStoreOptions): BatchStore {
  validateOptions(keyvSchema, keyv, 'createKeyvStore keyv');
  const { description = 'the Keyv store', pageSize = 500 } = validateOptions(optionsSchema, options, 'createKeyvStore options') ?? {};
  const namespace: unknown = keyv.namespace;
  if (typeof namespace === 'string' && RESERVED_NAMESPACES.has(namespace)) {
    // Keyv leaves a key unprefixed when it already starts with `namespace:`, but prefixes it in getMany.
    throw new TubesumError(
      ErrorCode.INVALID_OPTIONS,
      `Expected the Keyv's \`namespace\` to be none of ${[...RESERVED_NAMESPACES].join(', ')} (the store's own key prefixes), got \`${namespace}\` (createKeyvStore keyv)`,
    );
  }
  keyv.throwOnErrors = true;
  const adapter: unknown = keyv.store;
  if (typeof adapter === 'object' && adapter !== null && typeof (adapter as { throwOnErrors?: unknown }).throwOnErrors === 'boolean') {
    (adapter as { throwOnErrors: boolean }).throwOnErrors = true;
  }
  return new KeyvBatchStore(keyv, description, pageSize);
}
