import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateOptions } from '../internal/validate-options.js';
import type { ItemRecord, JobState } from '../records.js';
import type { BatchStore } from '../storage/batch-store.js';
import { makeJob, stateOf, uniqueId } from './batch-store-fixtures.js';
import type { MultiProcessOptions } from './batch-store-processes.js';
import { describeLeaseCases } from './batch-store-suite-leases.js';
import { describeProcessCases } from './batch-store-suite-processes.js';
import { positiveInteger } from '../internal/option-schemas.js';

/** Options of {@link describeBatchStore}. */
export interface DescribeBatchStoreOptions {
  /**
   * Registers the suite as skipped, e.g. when the backend does not run on this machine.
   * Say why with a `console.warn` next to it.
   * @default false
   */
  skip?: boolean | undefined;
  /**
   * Items of the job that checks paging and order.
   * @default 1200
   */
  largeJobSize?: number | undefined;
  /**
   * Also runs the cases that need several processes on one backend (claims raced by three
   * processes, expiry, 4 x 50 concurrent submits, cancel requests seen across processes): child
   * processes open their own store with this module. Leave it out for a store that lives in one
   * process (memory).
   * @default undefined
   * @example
   * ```ts
   * // store-child.ts: export default ({ url }: { url: string }) => openStore(url);
   * describeBatchStore('Redis', () => openStore(url), { multiProcess: { module: new URL('./store-child.ts', import.meta.url), argument: { url } } });
   * ```
   */
  multiProcess?: MultiProcessOptions | undefined;
}

const argumentsSchema = z.object({
  name: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }),
  factory: z.custom<() => unknown>((value) => typeof value === 'function', { error: 'a function that returns a BatchStore' }),
  options: z
    .object(
      {
        skip: z.boolean({ error: 'a boolean' }).optional(),
        largeJobSize: positiveInteger.optional(),
        multiProcess: z
          .object(
            {
              module: z.union([z.string().min(1), z.instanceof(URL)], { error: 'a module path or file URL' }),
              argument: z.unknown().optional(),
              execArgv: z.array(z.string(), { error: 'an array of strings' }).optional(),
            },
            { error: 'an object with `module`' },
          )
          .strict()
          .optional(),
      },
      { error: 'an options object' },
    )
    .strict(),
});

/**
 * Registers a vitest suite that checks a {@link BatchStore} keeps the contract: round trips,
 * state changes, per-user listing, the unfinished list under concurrent changes, single-item
 * writes, paging, the cache, exact values, leases and cancel requests; and, with
 * `multiProcess`, the same guarantees between processes. Every adapter's test is one call:
 *
 * ```ts
 * import { describeBatchStore } from '@tubesum/core/testing/conformance';
 * describeBatchStore('my store', () => createMyStore());
 * ```
 *
 * `factory` is called once for the suite; the store is closed after it. Tests use fresh ids, so
 * the store may hold other data.
 */
export function describeBatchStore(name: string, factory: () => Promise<BatchStore> | BatchStore, options: DescribeBatchStoreOptions = {}): void {
  validateOptions(argumentsSchema, { name, factory, options }, 'describeBatchStore()');
  const largeJobSize = options.largeJobSize ?? 1200;

  describe.skipIf(options.skip ?? false)(`BatchStore conformance: ${name}`, () => {
    let store: BatchStore;

    beforeAll(async () => {
      store = await factory();
    });

    afterAll(async () => {
      await store?.close?.();
    });

    describeLeaseCases(() => store);
    if (options.multiProcess !== undefined) describeProcessCases(() => store, options.multiProcess);

    it('round-trips a job, its state and its items', async () => {
      const { job, items } = makeJob({ total: 4, name: 'Talks' });
      await store.createJob(job, stateOf('running', 4), items);
      expect(await store.getJob(job.id)).toEqual(job);
      expect(await store.getJobState(job.id)).toEqual(stateOf('running', 4));
      expect(await store.getItems(job.id)).toEqual(items);
    });

    it('stores a job with no items', async () => {
      const { job } = makeJob({ total: 0 });
      await store.createJob(job, stateOf('done', 0), []);
      expect(await store.getJob(job.id)).toEqual(job);
      expect(await store.getItems(job.id)).toEqual([]);
    });

    it('replaces the state on each save', async () => {
      const { job, items } = makeJob({ total: 2 });
      await store.createJob(job, stateOf('running', 2), items);
      const started: JobState = {
        status: 'running',
        counts: { pending: 1, running: 1, done: 0, failed: 0, cancelled: 0 },
        startedAt: '2025-01-01T00:00:00.000Z',
      };
      await store.saveJobState(job.id, started);
      expect(await store.getJobState(job.id)).toEqual(started);
      const ended: JobState = {
        ...started,
        status: 'failed',
        counts: { pending: 0, running: 0, done: 1, failed: 1, cancelled: 0 },
        endedAt: '2025-01-01T00:01:00.000Z',
      };
      await store.saveJobState(job.id, ended);
      expect(await store.getJobState(job.id)).toEqual(ended);
      expect(await store.getJob(job.id)).toEqual(job);
    });

    it('applies one job’s state saves in call order', async () => {
      const { job, items } = makeJob({ total: 50 });
      await store.createJob(job, stateOf('running', 50), items);
      const saves = Array.from({ length: 50 }, (_, done) =>
        store.saveJobState(job.id, { status: 'running', counts: { pending: 50 - done - 1, running: 0, done: done + 1, failed: 0, cancelled: 0 } }),
      );
      await Promise.all(saves);
      expect((await store.getJobState(job.id))?.counts.done).toBe(50);
    });

    it('lists a user’s jobs oldest first, and only theirs', async () => {
      const alice = uniqueId('alice');
      const bob = uniqueId('bob');
      const ids: string[] = [];
      for (let count = 0; count < 3; count += 1) {
        const { job, items } = makeJob({ userId: alice });
        await store.createJob(job, stateOf('running', job.total), items);
        ids.push(job.id);
      }
      const { job: bobsJob, items: bobsItems } = makeJob({ userId: bob });
      await store.createJob(bobsJob, stateOf('running', bobsJob.total), bobsItems);
      expect(await store.listJobIds(alice)).toEqual(ids);
      expect(await store.listJobIds(bob)).toEqual([bobsJob.id]);
      expect(await store.listJobIds(uniqueId('nobody'))).toEqual([]);
    });

    it('keeps every job of a user created concurrently', async () => {
      const userId = uniqueId('user');
      const jobs = Array.from({ length: 12 }, () => makeJob({ userId }));
      await Promise.all(jobs.map(({ job, items }) => store.createJob(job, stateOf('running', job.total), items)));
      expect([...(await store.listJobIds(userId))].sort()).toEqual(jobs.map(({ job }) => job.id).sort());
    });

    it('lists running jobs as unfinished and drops them when they end', async () => {
      const running = makeJob();
      const finished = makeJob();
      await store.createJob(running.job, stateOf('running', 3), running.items);
      await store.createJob(finished.job, stateOf('done', 3), finished.items);
      let unfinished = await store.listUnfinishedJobIds();
      expect(unfinished).toContain(running.job.id);
      expect(unfinished).not.toContain(finished.job.id);

      await store.saveJobState(running.job.id, stateOf('running', 3));
      expect((await store.listUnfinishedJobIds()).filter((id) => id === running.job.id)).toHaveLength(1);

      await store.saveJobState(running.job.id, stateOf('done', 3));
      unfinished = await store.listUnfinishedJobIds();
      expect(unfinished).not.toContain(running.job.id);

      await store.saveJobState(finished.job.id, stateOf('running', 3));
      expect(await store.listUnfinishedJobIds()).toContain(finished.job.id);
      await store.saveJobState(finished.job.id, stateOf('cancelled', 3));
      expect(await store.listUnfinishedJobIds()).not.toContain(finished.job.id);

      // `failed` is an end too (a job where a video failed), like `done` and `cancelled`.
      await store.saveJobState(finished.job.id, stateOf('paused', 3));
      expect(await store.listUnfinishedJobIds()).toContain(finished.job.id);
      await store.saveJobState(finished.job.id, stateOf('failed', 3));
      expect(await store.listUnfinishedJobIds()).not.toContain(finished.job.id);
    });

    it('loses no unfinished-list update when many jobs change at once', async () => {
      const jobs = Array.from({ length: 20 }, () => makeJob({ total: 2 }));
      await Promise.all(jobs.map(({ job, items }) => store.createJob(job, stateOf('running', 2), items)));
      const ids = jobs.map(({ job }) => job.id);
      expect(await store.listUnfinishedJobIds()).toEqual(expect.arrayContaining(ids));

      const ending = ids.filter((_, position) => position % 2 === 0);
      const staying = ids.filter((_, position) => position % 2 === 1);
      await Promise.all([
        ...ending.map((id) => store.saveJobState(id, stateOf('done', 2))),
        ...staying.map((id) => store.saveJobState(id, stateOf('running', 2))),
      ]);
      const unfinished = await store.listUnfinishedJobIds();
      expect(unfinished).toEqual(expect.arrayContaining(staying));
      for (const id of ending) expect(unfinished).not.toContain(id);

      await Promise.all(staying.map((id) => store.saveJobState(id, stateOf('cancelled', 2))));
      const after = await store.listUnfinishedJobIds();
      for (const id of ids) expect(after).not.toContain(id);
    });

    it('saveItem replaces that item only', async () => {
      const { job, items } = makeJob({ total: 5 });
      await store.createJob(job, stateOf('running', 5), items);
      const changed: ItemRecord = {
        ...items[2]!,
        status: 'failed',
        attempts: 3,
        error: { code: 'VIDEO_UNAVAILABLE', message: 'This video is private.', retryable: false, videoId: items[2]!.videoId },
        startedAt: '2025-01-01T00:00:00.000Z',
        endedAt: '2025-01-01T00:00:05.000Z',
      };
      await store.saveItem(changed);
      const stored = await store.getItems(job.id);
      expect(stored).toEqual([items[0], items[1], changed, items[3], items[4]]);

      const again: ItemRecord = { ...items[2]!, status: 'done', attempts: 4, summaryKey: 'summary:x' };
      await store.saveItem(again);
      expect((await store.getItems(job.id))[2]).toEqual(again);
      expect(await store.getJob(job.id)).toEqual(job);
    });

    it(`pages through ${largeJobSize} items in index order`, async () => {
      const { job, items } = makeJob({ total: largeJobSize });
      await store.createJob(job, stateOf('running', largeJobSize), items);
      const all = await store.getItems(job.id);
      expect(all).toHaveLength(largeJobSize);
      expect(all.map((item) => item.index)).toEqual(items.map((item) => item.index));
      expect(all).toEqual(items);

      expect(await store.getItems(job.id, { limit: 10 })).toEqual(items.slice(0, 10));
      expect(await store.getItems(job.id, { offset: 500, limit: 520 })).toEqual(items.slice(500, 1020));
      expect(await store.getItems(job.id, { offset: largeJobSize - 50, limit: 100 })).toEqual(items.slice(largeJobSize - 50));
      expect(await store.getItems(job.id, { offset: largeJobSize - 1 })).toEqual(items.slice(largeJobSize - 1));
      expect(await store.getItems(job.id, { offset: largeJobSize })).toEqual([]);
      expect(await store.getItems(job.id, { offset: 3, limit: 0 })).toEqual([]);
    });

    it('reads and writes cached values; a missing key is undefined', async () => {
      const key = uniqueId('summary');
      expect(await store.getCached(key)).toBeUndefined();
      await store.setCached(key, { markdown: '# First', tokens: 10 });
      expect(await store.getCached(key)).toEqual({ markdown: '# First', tokens: 10 });
      await store.setCached(key, { markdown: '# Second', tokens: 12 });
      expect(await store.getCached(key)).toEqual({ markdown: '# Second', tokens: 12 });

      const longKey = `${uniqueId('summary')}:${'x'.repeat(400)}`;
      const otherLongKey = `${longKey}y`;
      await store.setCached(longKey, 'long');
      await store.setCached(otherLongKey, 'longer');
      expect(await store.getCached(longKey)).toBe('long');
      expect(await store.getCached(otherLongKey)).toBe('longer');
    });

    it('reads many cached values at once, in order, undefined where missing (getManyCached, when the store has it)', async () => {
      if (store.getManyCached === undefined) return;
      const present = Array.from({ length: 3 }, () => uniqueId('summary'));
      const longKey = `${uniqueId('summary')}:${'x'.repeat(400)}`;
      await Promise.all(present.map((key, at) => store.setCached(key, { at, text: `:${key}` })));
      await store.setCached(longKey, 'long');
      const asked = [present[2]!, uniqueId('missing'), present[0]!, longKey, present[1]!];
      expect(await store.getManyCached(asked)).toEqual([
        { at: 2, text: `:${present[2]}` },
        undefined,
        { at: 0, text: `:${present[0]}` },
        'long',
        { at: 1, text: `:${present[1]}` },
      ]);
      expect(await store.getManyCached([])).toEqual([]);
      const many = Array.from({ length: 1200 }, (_, at) => `${present[0]}:${at}`);
      await Promise.all(many.filter((_, at) => at % 3 === 0).map((key) => store.setCached(key, key)));
      expect(await store.getManyCached(many)).toEqual(many.map((key, at) => (at % 3 === 0 ? key : undefined)));
    });

    it('round-trips unicode, quotes, colons and nested values exactly', async () => {
      const value = {
        text: 'Zoë says “hi” — 你好, مرحبا, 🎉👩‍👩‍👧 and \'single\' "double" `back` \\ back\\slash\nnew line\ttab',
        colon: ':starts with a colon',
        base64: ':base64:aGVsbG8=',
        empty: '',
        nested: { list: [1, 2.5, -3, 0, true, false, null, 'x', [{ deep: { deeper: ['🎬'] } }]], object: {} },
        big: 2 ** 53 - 1,
        keyWith: { 'a:b': 1, 'key "quoted"': 2, ключ: 3 },
      };
      const key = uniqueId('cache:with:colons ünïcode 🎉');
      await store.setCached(key, value);
      expect(await store.getCached(key)).toEqual(value);
      await store.setCached(`${key}:string`, ':just a string');
      expect(await store.getCached(`${key}:string`)).toBe(':just a string');
      await store.setCached(`${key}:number`, 0);
      expect(await store.getCached(`${key}:number`)).toBe(0);
      await store.setCached(`${key}:false`, false);
      expect(await store.getCached(`${key}:false`)).toBe(false);

      const { job, items } = makeJob({ total: 2, name: value.text });
      const titled: ItemRecord = { ...items[1]!, title: value.text, input: value.colon };
      await store.createJob(job, stateOf('running', 2), [items[0]!, titled]);
      expect((await store.getJob(job.id))?.name).toBe(value.text);
      expect((await store.getItems(job.id))[1]).toEqual(titled);
    });

    it('leaves out fields that are undefined', async () => {
      const { job, items } = makeJob({ total: 1 });
      const item: ItemRecord = { ...items[0]!, title: undefined as unknown as string };
      await store.createJob(job, stateOf('running', 1), [item]);
      const [stored] = await store.getItems(job.id);
      expect(stored).toEqual(items[0]);
      expect(stored?.title).toBeUndefined();
    });

    it('keeps jobs whose ids hold separators and unicode apart', async () => {
      const base = uniqueId('job');
      const plain = makeJob({ id: base, total: 2 });
      const tricky = makeJob({ id: `${base}:state`, total: 1 });
      const trickier = makeJob({ id: `${base}:item:0`, total: 1 });
      const unicode = makeJob({ id: `${base}/ü 🎉`, total: 1 });
      for (const { job, items } of [plain, tricky, trickier, unicode]) await store.createJob(job, stateOf('running', job.total), items);
      expect(await store.getJobState(base)).toEqual(stateOf('running', 2));
      expect(await store.getItems(base)).toEqual(plain.items);
      for (const { job, items } of [tricky, trickier, unicode]) {
        expect(await store.getJob(job.id)).toEqual(job);
        expect(await store.getItems(job.id)).toEqual(items);
      }
    });

    it('answers undefined or [] for unknown ids', async () => {
      const unknown = uniqueId('missing');
      expect(await store.getJob(unknown)).toBeUndefined();
      expect(await store.getJobState(unknown)).toBeUndefined();
      expect(await store.getItems(unknown)).toEqual([]);
      expect(await store.getItems(unknown, { offset: 5, limit: 5 })).toEqual([]);
      expect(await store.listJobIds(unknown)).toEqual([]);
      expect(await store.listUnfinishedJobIds()).not.toContain(unknown);
    });
  });
}
