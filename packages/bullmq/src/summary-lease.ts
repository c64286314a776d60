import { randomUUID } from 'node:crypto';
import type { StageClaim } from '@tubesum/core/executor';
import { sleep } from '@tubesum/core/executor';
import type { Redis } from 'ioredis';

const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Short Redis leases on summary cache keys (SET NX PX, renewed every third): BullMQ delivers a job at
 * least once, so two workers may hold the same summary job (a stalled one redelivered while the first
 * still runs); the one without the lease waits, then finds the summary in the cache.
 */
export class SummaryLeases {
  readonly #client: Redis;
  readonly #leaseMs: number;

  constructor(client: Redis, leaseMs: number) {
    this.#client = client;
    this.#leaseMs = leaseMs;
  }

  /** Takes the lease, waiting while another worker holds it; `waited` says whether it had to. */
  async acquire(key: string, signal: AbortSignal): Promise<StageClaim & { waited: boolean }> {
    const token = randomUUID();
    let waited = false;
    for (;;) {
      const taken = await this.#client.set(key, token, 'PX', this.#leaseMs, 'NX').catch(() => null);
      if (taken === 'OK') break;
      waited = true;
      await sleep(100, signal);
    }
    const timer = setInterval(() => void this.#client.eval(RENEW, 1, key, token, this.#leaseMs).catch(() => undefined), Math.floor(this.#leaseMs / 3));
    timer.unref();
    return {
      waited,
      release: async () => {
        clearInterval(timer);
        await this.#client.eval(RELEASE, 1, key, token).catch(() => undefined);
      },
    };
  }
}
