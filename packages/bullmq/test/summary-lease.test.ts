import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { skipUnlessReachable } from '../../core/test/storage/services.js';
import { SummaryLeases } from '../src/summary-lease.js';
import { REDIS_URL, isolatedRedis } from './support/cluster.js';

const skip = await skipUnlessReachable('Redis', REDIS_URL);
const names = isolatedRedis('lease');

describe.skipIf(skip)('the summary lease', () => {
  const client = new Redis(REDIS_URL);
  afterAll(() => client.disconnect());
  const signal = new AbortController().signal;

  it('one holder at a time; the next one waits, then takes it knowing the cache must be read again', async () => {
    const leases = new SummaryLeases(client, 600);
    const key = `${names.prefix}:a`;
    const first = await leases.acquire(key, signal);
    expect(first).toMatchObject({ waited: false, fresh: true });
    let second: Awaited<ReturnType<SummaryLeases['acquire']>> | undefined;
    const waiting = leases.acquire(key, signal).then((lease) => (second = lease));
    // Held past its length: the holder renews it.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(second).toBeUndefined();
    await first.release();
    await waiting;
    expect(second).toMatchObject({ waited: true, fresh: false });
    await second?.release();
    // Released lately: taken at once, but not fresh (someone may have just stored the summary).
    const third = await leases.acquire(key, signal);
    expect(third).toMatchObject({ waited: false, fresh: false });
    await third.release();
  });

  it('a holder that died (no renewal) loses the lease once it expires', async () => {
    const key = `${names.prefix}:b`;
    await client.set(key, 'a-dead-worker', 'PX', 300);
    const lease = await new SummaryLeases(client, 600).acquire(key, signal);
    expect(lease.waited).toBe(true);
    await lease.release();
  });

  it('stops waiting when its signal aborts', async () => {
    const key = `${names.prefix}:c`;
    const leases = new SummaryLeases(client, 5000);
    const held = await leases.acquire(key, signal);
    const controller = new AbortController();
    const waiting = leases.acquire(key, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await held.release();
  });
});
