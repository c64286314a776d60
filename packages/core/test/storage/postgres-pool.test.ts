import { describe, expect, it } from 'vitest';
import { openStore } from '@tubesum/core';
import { POSTGRES_URL, skipUnlessReachable, temporaryPostgresTable } from './services.js';

const url = POSTGRES_URL;
const skip = await skipUnlessReachable('PostgreSQL', url);
const table = temporaryPostgresTable('tubesum_pool', skip);

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
