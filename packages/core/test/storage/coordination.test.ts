import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyvPostgres } from '@keyv/postgres';
import KeyvRedis, { createKeyv } from '@keyv/redis';
import { KeyvSqlite } from '@keyv/sqlite';
import { Keyv } from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyvStore, createMemoryStore } from '@tubesum/core';
import type { BatchStore, ItemRecord, JobRecord, JobState } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';
import { POSTGRES_URL, skipUnlessReachable, temporaryPostgresTable } from './services.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const skipRedis = await skipUnlessReachable('Redis', REDIS_URL);
const skipPostgres = await skipUnlessReachable('PostgreSQL', POSTGRES_URL);
const table = temporaryPostgresTable('tubesum_coordination', skipPostgres);
const directory = mkdtempSync(join(tmpdir(), 'tubesum-coordination-'));
const redisNamespaces: string[] = [];

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (skipRedis) return;
  const keyv = createKeyv({ url: REDIS_URL, socket: { reconnectStrategy: false } });
  const client = await (keyv.store as KeyvRedis<unknown>).getClient();
  for (const namespace of redisNamespaces) {
    const found = await client.keys(`${namespace}*`);
    if (found.length > 0) await client.del(found);
  }
  await keyv.disconnect();
});

/** A Keyv adapter that is not a Map and has no atomic operations: the store can only coordinate in-process. */
class PlainAdapter {
  readonly #values = new Map<string, unknown>();
  namespace: string | undefined;
  get(key: string): unknown {
    return this.#values.get(key);
  }
  set(key: string, value: unknown): void {
    this.#values.set(key, value);
  }
  delete(key: string): boolean {
    return this.#values.delete(key);
  }
  clear(): void {
    this.#values.clear();
  }
}

describeBatchStore('Keyv on an adapter without atomic operations', () => createKeyvStore(new Keyv({ store: new PlainAdapter() })));

function jobOf(userId: string): { job: JobRecord; state: JobState; items: ItemRecord[] } {
  const id = `job-${randomUUID()}`;
  return {
    job: { version: 1, id, userId, createdAt: '2025-01-01T00:00:00.000Z', options: {}, total: 0, rejected: [], duplicates: [] },
    state: { status: 'running', counts: { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 } },
    items: [],
  };
}

const redisNamespace = () => {
  const namespace = `tubesum-test-${randomUUID()}`;
  redisNamespaces.push(namespace);
  return namespace;
};

const backends: Array<{ name: string; skip: boolean; keyv: () => Keyv }> = [
  { name: 'a Map', skip: false, keyv: () => new Keyv({ namespace: 'tubesum' }) },
  {
    name: '@keyv/sqlite',
    skip: false,
    keyv: () => new Keyv({ store: new KeyvSqlite(`sqlite://${join(directory, `${randomUUID()}.sqlite`)}`), namespace: 'tubesum' }),
  },
  { name: '@keyv/redis through createKeyv', skip: skipRedis, keyv: () => createKeyv(REDIS_URL, { namespace: redisNamespace() }) },
  // Keyv prefixes the key and the adapter prefixes it again: the coordinator must write where Keyv does.
  { name: '@keyv/redis inside a namespaced Keyv', skip: skipRedis, keyv: () => new Keyv({ store: new KeyvRedis(REDIS_URL), namespace: redisNamespace() }) },
  {
    name: '@keyv/postgres',
    skip: skipPostgres,
    keyv: () => new Keyv({ store: new KeyvPostgres({ uri: POSTGRES_URL, table }), namespace: `ns-${randomUUID()}` }),
  },
];

describe('createKeyvStore coordination', () => {
  for (const backend of backends) {
    it.skipIf(backend.skip)(`on ${backend.name}: is atomic, keeps lists Keyv wrote before, and writes what Keyv reads`, async () => {
      const keyv = backend.keyv();
      keyv.throwOnErrors = true;
      const store = createKeyvStore(keyv);
      expect(store.coordination).toBe('atomic');
      const userId = `user-${randomUUID()}`;
      // Lists as the store wrote them before it changed them in place: plain Keyv values.
      await keyv.set(`user:${userId}:jobs`, ['old-1', ':old-2']);
      await keyv.set('jobs:unfinished', [':old-2']);
      const { job, state, items } = jobOf(userId);
      await store.createJob(job, state, items);
      expect(await store.listJobIds(userId)).toEqual(['old-1', ':old-2', job.id]);
      expect(await keyv.get(`user:${userId}:jobs`)).toEqual(['old-1', ':old-2', job.id]);
      expect(await keyv.get('jobs:unfinished')).toEqual([':old-2', job.id]);

      await store.saveJobState(job.id, { ...state, status: 'done' });
      await store.saveJobState(':old-2', { ...state, status: 'done' });
      expect(await store.listUnfinishedJobIds()).toEqual([]);
      expect(await keyv.get('jobs:unfinished')).toEqual([]);
      await store.saveJobState(job.id, state);
      expect(await keyv.get('jobs:unfinished')).toEqual([job.id]);

      expect(await store.claimJob(job.id, ':owner', 60_000)).toBe(true);
      expect(await keyv.get(`job:${job.id}:lease`)).toMatchObject({ owner: ':owner' });
      await store.requestCancel(job.id);
      expect(await keyv.get(`job:${job.id}:cancel`)).toBe(true);
      await store.close?.();
    });
  }

  it('coordinates only in this process through an adapter without atomic operations, or with a custom serializer', () => {
    expect(createKeyvStore(new Keyv({ store: new PlainAdapter() })).coordination).toBe('process');
    const custom = new Keyv({
      store: new KeyvSqlite('sqlite://:memory:'),
      serialize: (data) => `custom:${JSON.stringify(data)}`,
      deserialize: (data) => JSON.parse(String(data).slice(7)),
    });
    expect(createKeyvStore(custom).coordination).toBe('process');
    // A Map is only ever shared within this process: coordinating there is all it needs.
    expect(createKeyvStore(new Keyv({ serialize: JSON.stringify, deserialize: JSON.parse })).coordination).toBe('atomic');
    expect(createMemoryStore().coordination).toBe('atomic');
  });

  it('rejects lease arguments that break the contract with INVALID_OPTIONS', async () => {
    const store: BatchStore = createMemoryStore();
    await expect(store.claimJob('', 'owner', 1000)).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('`BatchStore.claimJob jobId`'),
    });
    await expect(store.claimJob('job-1', '', 1000)).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('`BatchStore.claimJob owner`'),
    });
    await expect(store.claimJob('job-1', 'owner', 0)).rejects.toThrow(/`BatchStore.claimJob leaseMs` to be an integer from 1 to 2147483647, got `0`/);
    await expect(store.renewJob('job-1', 'owner', 1.5)).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('`BatchStore.renewJob leaseMs`'),
    });
    await expect(store.releaseJob('job-1', 42 as unknown as string)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(store.getJobLease(undefined as unknown as string)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(store.requestCancel('')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(store.isCancelRequested('')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
