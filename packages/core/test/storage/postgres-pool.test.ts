import { KeyvPostgres } from '@keyv/postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@tubesum/core';
import { skipUnlessReachable } from './services.js';

const url = 'postgres://postgres@127.0.0.1:5432/test';
const table = `tubesum_pool_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
const skip = await skipUnlessReachable('PostgreSQL', url);

afterAll(async () => {
  if (skip) return;
  const adapter = new KeyvPostgres({ uri: url, table });
  await adapter.query(`DROP TABLE IF EXISTS ${table}`);
  await adapter.disconnect();
});

describe.skipIf(skip)('openStore on PostgreSQL', () => {
  // @keyv/postgres shares one pool per process; closing one store must not end it under another.
  it('keeps a store working when another store on the same server closes', async () => {
    const first = await openStore(url, { table, namespace: 'first' });
    const second = await openStore(url, { table, namespace: 'second' });
    await first.setCached('key', 'one');
    await first.close?.();
    await second.setCached('key', 'two');
    expect(await second.getCached('key')).toBe('two');
    await second.close?.();
    await expect(second.getCached('key')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });

    const third = await openStore(url, { table, namespace: 'first' });
    expect(await third.getCached('key')).toBe('one');
    await third.close?.();
  });
});
