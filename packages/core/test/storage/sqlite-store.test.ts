import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@tubesum/core';
import { describeBatchStore } from '@tubesum/core/testing/conformance';

const directory = mkdtempSync(join(tmpdir(), 'tubesum-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const path = join(directory, 'nested', 'store.sqlite');

describeBatchStore('SQLite on disk', () => createSqliteStore({ path }), {
  multiProcess: { module: new URL('./store-child.ts', import.meta.url), argument: { url: `sqlite://${path}` } },
});

describe('SQLite stores opened on one new file at the same moment', () => {
  it('all work: switching the file to WAL waits for the others instead of failing with SQLITE_BUSY', async () => {
    // 60 rounds of 6 stores: before the fix a few rounds in 60 had a store fail for good.
    for (let round = 0; round < 60; round += 1) {
      const file = join(directory, `together-${round}.sqlite`);
      const stores = Array.from({ length: 6 }, () => createSqliteStore({ path: file }));
      const writes = await Promise.allSettled(stores.map((store, at) => store.setCached(`key ${at}`, { at })));
      expect(writes.filter((write) => write.status === 'rejected')).toEqual([]);
      expect(await stores[0]!.getManyCached!(['key 0', 'key 1', 'key 2', 'key 3'])).toEqual([{ at: 0 }, { at: 1 }, { at: 2 }, { at: 3 }]);
      await Promise.all(stores.map((store) => store.close?.()));
    }
  });
});
