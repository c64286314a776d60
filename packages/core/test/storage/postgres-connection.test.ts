import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@tubesum/core';
import { POSTGRES_URL, Relay, skipUnlessReachable, temporaryPostgresTable } from './services.js';

const skip = await skipUnlessReachable('PostgreSQL', POSTGRES_URL);
const table = temporaryPostgresTable('tubesum_outage', skip);
const relay = new Relay(5432);

afterAll(() => relay.cut());

describe.skipIf(skip)('openStore on PostgreSQL when the connection drops', () => {
  it('rejects a lease renewal with STORAGE_ERROR while PostgreSQL cannot be reached, and renews again once it is back', async () => {
    await relay.start();
    const url = `postgres://postgres@127.0.0.1:${relay.port}/test`;
    const store = await openStore(url, { table, connectTimeoutMs: 2000 });
    expect(await store.claimJob('job-1', 'owner-a', 60_000)).toBe(true);

    await relay.cut();
    // The owner cannot know it still holds the lease: it hears an error, never a silent `true`.
    await expect(store.renewJob('job-1', 'owner-a', 60_000)).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
      message: expect.stringContaining('renew the lease of job "job-1"'),
    });

    await relay.start();
    expect(await store.renewJob('job-1', 'owner-a', 60_000)).toBe(true);
    await store.releaseJob('job-1', 'owner-a');
    await store.close?.();
  });
});
