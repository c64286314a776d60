import { Redis } from 'ioredis';

/** Deletes every key that starts with one of `prefixes` (SCAN, never FLUSH: the Redis is shared). */
export async function deleteKeys(url: string, prefixes: readonly string[]): Promise<void> {
  const redis = new Redis(url);
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
