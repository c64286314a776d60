import { randomUUID } from 'node:crypto';
import { createKeyv } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@tubesum/core';
import { Relay, skipUnlessReachable } from './services.js';

const redisUrl = 'redis://127.0.0.1:6379';
const namespace = `tubesum-test-${randomUUID()}`;
const skip = await skipUnlessReachable('Redis', redisUrl);

const relay = new Relay(6379);

afterAll(async () => {
  await relay.cut();
  if (skip) return;
  const keyv = createKeyv({ url: redisUrl, socket: { reconnectStrategy: false } }, { namespace });
  await keyv.clear();
  await keyv.disconnect();
});

describe.skipIf(skip)('openStore on Redis when the connection drops', () => {
  it('fails operations with STORAGE_ERROR instead of hanging, and recovers when Redis is back', async () => {
    await relay.start();
    const store = await openStore(`redis://127.0.0.1:${relay.port}`, { namespace });
    await store.setCached('key', 'kept');

    await relay.cut();
    // A few reconnection attempts with backoff (about 3 s in all), then the error.
    await expect(store.getCached('key')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await expect(store.getCached('key')).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
      message: expect.stringContaining(`in the Redis store at 127.0.0.1:${relay.port}`),
    });

    await relay.start();
    expect(await store.getCached('key')).toBe('kept');
    await store.close?.();
  });

  it('rejects a lease renewal with STORAGE_ERROR while Redis cannot be reached', async () => {
    await relay.start();
    const store = await openStore(`redis://127.0.0.1:${relay.port}`, { namespace });
    expect(await store.claimJob('job-1', 'owner-a', 60_000)).toBe(true);
    expect(await store.renewJob('job-1', 'owner-a', 60_000)).toBe(true);

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
