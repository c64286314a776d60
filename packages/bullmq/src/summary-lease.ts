import { randomUUID } from 'node:crypto';
import type { StageClaim } from '@tubesum/core/executor';
import { sleep } from '@tubesum/core/executor';
import type { Redis } from 'ioredis';

/** 1: taken, nobody held it lately; 2: taken after another holder finished (read the cache again); 0: held by another. */
const ACQUIRE = `local held = redis.call('get', KEYS[1])
if held and held ~= 'done' then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
if held then return 2 end
return 1`;
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
/** Released as `done` for a while rather than deleted: a worker that read the cache before the summary was stored then knows to read it again. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], 'done', 'PX', ARGV[2]) else return 0 end";
/** How long a released lease says `done`: far longer than between a worker's cache read and its lease. */
const DONE_MS = 60_000;

/**
 * Short Redis leases on summary cache keys (SET NX PX, renewed every third): BullMQ delivers a job at
 * least once, so two workers may hold the same summary job (a stalled one redelivered while the first
 * still runs); the one without the lease waits, then finds the summary in the cache. A released lease
 * stays as `done` for a minute (the next worker may take it at once), so a lease found free at the
 * first try is `fresh`: nobody stored that summary since this worker read the cache, which then needs
 * no second read.
 */
export class SummaryLeases {
  readonly #client: Redis;
  readonly #leaseMs: number;

  constructor(client: Redis, leaseMs: number) {
    this.#client = client;
    this.#leaseMs = leaseMs;
  }

  /** Takes the lease, waiting while another worker holds it; `waited` says whether it had to. */
  async acquire(key: string, signal: AbortSignal): Promise<StageClaim & { waited: boolean; fresh: boolean }> {
    const token = randomUUID();
    let waited = false;
    let taken: unknown;
    for (;;) {
      taken = await this.#client.eval(ACQUIRE, 1, key, token, this.#leaseMs).catch(() => 0);
      if (taken === 1 || taken === 2) break;
      waited = true;
      await sleep(100, signal);
    }
    const timer = setInterval(() => void this.#client.eval(RENEW, 1, key, token, this.#leaseMs).catch(() => undefined), Math.floor(this.#leaseMs / 3));
    timer.unref();
    return {
      waited,
      fresh: !waited && taken === 1,
      // Not awaited: the summary is stored already, and an unreleased lease only expires later.
      release: () => {
        clearInterval(timer);
        void this.#client.eval(RELEASE, 1, key, token, DONE_MS).catch(() => undefined);
        return Promise.resolve();
      },
    };
  }
}
