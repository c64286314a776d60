import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { createKeyvStore, createMemoryStore } from '@tubesum/core';
import type { BatchStore, ItemRecord, JobRecord, JobState } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';

/** A Keyv adapter (a Map) that records every key written and its size, and can be made to fail. */
class RecordingMap extends Map<string, unknown> {
  writes: { key: string; bytes: number }[] = [];
  reads: string[] = [];
  failing: Error | undefined;

  override get(key: string): unknown {
    if (this.failing) throw this.failing;
    this.reads.push(key);
    return super.get(key);
  }

  override set(key: string, value: unknown): this {
    if (this.failing) throw this.failing;
    this.writes.push({ key, bytes: Buffer.byteLength(String(value)) });
    return super.set(key, value);
  }
}

function recordingStore(): { store: BatchStore; map: RecordingMap } {
  const map = new RecordingMap();
  return { store: createKeyvStore(new Keyv({ store: map, namespace: 'tubesum' })), map };
}

function jobOf(id: string, total: number): { job: JobRecord; state: JobState; items: ItemRecord[] } {
  return {
    job: { version: 1, id, userId: 'user-1', createdAt: '2025-01-01T00:00:00.000Z', options: {}, total, rejected: [], duplicates: [] },
    state: { status: 'running', counts: { pending: total, running: 0, done: 0, failed: 0, cancelled: 0 } },
    items: Array.from({ length: total }, (_, index) => ({
      jobId: id,
      index,
      videoId: `v${String(index).padStart(10, '0')}`,
      url: `https://www.youtube.com/watch?v=v${String(index).padStart(10, '0')}`,
      input: `v${String(index).padStart(10, '0')}`,
      status: 'pending' as const,
      attempts: 0,
    })),
  };
}

describeBatchStore('Keyv on a plain Map', () => createKeyvStore(new Keyv()));

describe('createKeyvStore', () => {
  it('reads a range of items without the job record, and no further than one page past the last item', async () => {
    const { store, map } = recordingStore();
    const { job, state, items } = jobOf('job-range', 1000);
    await store.createJob(job, state, items);
    const read = async (range?: { offset?: number; limit?: number }) => {
      map.reads = [];
      const found = await store.getItems('job-range', range);
      return { indexes: found.map((item) => item.index), reads: map.reads };
    };
    const middle = await read({ offset: 200, limit: 200 });
    expect(middle.indexes).toEqual(Array.from({ length: 200 }, (_, at) => 200 + at));
    expect(middle.reads.every((key) => key.includes(':item'))).toBe(true);
    expect(middle.reads).toHaveLength(200);
    const end = await read({ offset: 950, limit: 100_000 });
    expect(end.indexes).toEqual(Array.from({ length: 50 }, (_, at) => 950 + at));
    expect(end.reads.length).toBeLessThanOrEqual(1000); // one page of keys, not 100,000
    expect((await read({ offset: 1000, limit: 10 })).indexes).toEqual([]);
    expect((await store.getItems('no-such-job', { offset: 0, limit: 10 })).length).toBe(0);
    // Without a limit, the job record says where the items end.
    const all = await read();
    expect(all.indexes).toHaveLength(1000);
    expect(all.reads.some((key) => !key.includes(':item'))).toBe(true);
  });

  it('writes one key of the same size per item or state change, whatever the batch size', async () => {
    const measured = [];
    for (const [id, total] of [
      ['job-small', 10],
      ['job-large', 10_000],
    ] as const) {
      const { store, map } = recordingStore();
      const { job, state, items } = jobOf(id, total);
      await store.createJob(job, state, items);
      expect(map.size).toBe(total + 4); // items, record, state, user list, unfinished list

      map.writes = [];
      await store.saveItem({ ...items[5]!, status: 'done', attempts: 1, summaryKey: 'summary:v5' });
      const itemWrites = map.writes;

      map.writes = [];
      await store.saveJobState(id, { status: 'running', counts: { pending: 7, running: 2, done: 1, failed: 0, cancelled: 0 } });
      const stateWrites = map.writes;

      map.writes = [];
      await store.saveJobState(id, { status: 'done', counts: { pending: 0, running: 0, done: 9, failed: 1, cancelled: 0 } });
      const endWrites = map.writes;

      expect(itemWrites.map((write) => write.key)).toEqual([`tubesum:job:${id}:item:5`]);
      expect(stateWrites.map((write) => write.key)).toEqual([`tubesum:job:${id}:state`]);
      expect(endWrites.map((write) => write.key)).toEqual([`tubesum:job:${id}:state`, 'tubesum:jobs:unfinished']);
      measured.push([itemWrites, stateWrites, endWrites].map((writes) => writes.reduce((sum, write) => sum + write.bytes, 0)));
    }
    // Same ids length, same values: the bytes written per change do not depend on the batch size.
    expect(measured[1]).toEqual(measured[0]);
  });

  it('turns a backend failure into a STORAGE_ERROR naming the operation, with the cause', async () => {
    const { store, map } = recordingStore();
    const { job, state, items } = jobOf('job-1', 4);
    await store.createJob(job, state, items);
    const failure = new Error('disk I/O error');
    map.failing = failure;

    const saving = store.saveItem(items[3]!);
    await expect(saving).rejects.toMatchObject({ code: 'STORAGE_ERROR', retryable: true, cause: failure });
    await expect(saving).rejects.toThrow('Could not save item 3 of job "job-1" in the Keyv store: disk I/O error');
    // A failed read is an error, never a silent miss.
    await expect(store.getJob('job-1')).rejects.toMatchObject({ code: 'STORAGE_ERROR', message: expect.stringContaining('read job "job-1"') });
    await expect(store.getItems('job-1')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await expect(store.getCached('k')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await expect(store.listUnfinishedJobIds()).rejects.toMatchObject({ code: 'STORAGE_ERROR' });

    map.failing = undefined;
    expect(await store.getItems('job-1')).toEqual(items);
  });

  it('refuses work after close', async () => {
    const { store } = recordingStore();
    await store.close?.();
    await store.close?.();
    await expect(store.getJob('job-1')).rejects.toMatchObject({ code: 'STORAGE_ERROR', message: expect.stringContaining('the store is closed') });
  });

  it('waits for writes in flight before disconnecting', async () => {
    const map = new (class extends RecordingMap {
      disconnected = false;
      override set(key: string, value: unknown): this {
        if (this.disconnected) throw new Error('set after disconnect');
        return super.set(key, value);
      }
      async disconnect(): Promise<void> {
        this.disconnected = true;
      }
    })();
    const store = createKeyvStore(new Keyv({ store: map }));
    const { job, state, items } = jobOf('job-1', 2000);
    const creating = store.createJob(job, state, items);
    await store.close?.();
    await creating;
    expect(map.disconnected).toBe(true);
    expect(map.size).toBe(2004);
  });

  it('rejects what breaks the contract with INVALID_OPTIONS', async () => {
    const { store } = recordingStore();
    const { job, state, items } = jobOf('job-1', 3);
    await expect(store.createJob(job, state, items.slice(0, 2))).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('job.total (3)'),
    });
    await expect(store.createJob(job, state, [items[0]!, items[2]!, items[1]!])).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(store.getItems('job-1', { offset: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('offset') });
    await expect(store.getJob('')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    for (const keys of [['a', ''], ['a', 7], 'a', [undefined]]) {
      await expect(store.getManyCached!(keys as string[])).rejects.toMatchObject({
        code: 'INVALID_OPTIONS',
        message: expect.stringContaining('getManyCached keys'),
      });
    }
    expect(await store.getManyCached!([])).toEqual([]);
    expect(() => createKeyvStore({} as Keyv)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => createKeyvStore(new Keyv(), { pageSize: 0 })).toThrow(/`pageSize` to be an integer from 1 to 10000, got `0`/);
    // Keyv would leave `job:…` keys unprefixed under the namespace `job`, yet prefix them in getMany.
    expect(() => createKeyvStore(new Keyv({ namespace: 'job' }))).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => createMemoryStore({ namespace: 'cache' })).toThrow(/Expected `namespace` to be a name other than job, jobs, user or cache/);
  });

  it('reads items in pages of pageSize', async () => {
    const map = new RecordingMap();
    let reads = 0;
    const keyv = new Keyv({ store: map });
    keyv.hooks.addHandler('preGetMany', () => {
      reads += 1;
    });
    const store = createKeyvStore(keyv, { pageSize: 7 });
    const { job, state, items } = jobOf('job-1', 30);
    await store.createJob(job, state, items);
    expect(await store.getItems('job-1', { offset: 2, limit: 20 })).toEqual(items.slice(2, 22));
    expect(reads).toBe(3);
  });
});
