import { ErrorCode, TubesumError } from '@tubesum/core';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

/** Where Redis is: a `redis://` / `rediss://` URL, or ioredis options (`{ host, port, password, tls, … }`). */
export type RedisConnection = string | RedisOptions;

export const connectionSchema = z.union(
  [
    z.string().regex(/^rediss?:\/\/[^\s]+$/, { error: 'a `redis://` or `rediss://` URL' }),
    z.custom<RedisOptions>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: 'ioredis options' }),
  ],
  { error: 'a `redis://host:6379` URL or ioredis options `{ host, port, … }`' },
);

/** ioredis options from a URL or options, with what BullMQ's blocking connections require. */
export function redisOptions(connection: RedisConnection): RedisOptions {
  if (typeof connection !== 'string') return { ...connection, maxRetriesPerRequest: null };
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    throw new TubesumError(ErrorCode.INVALID_OPTIONS, 'Expected `connection` to be a valid `redis://host:port` URL.');
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new TubesumError(ErrorCode.INVALID_OPTIONS, 'Expected the database of the `connection` URL to be a number, as in `redis://host:6379/0`.');
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    db,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** `host:port` of a connection, for messages: never the password. */
export function describeEndpoint(options: RedisOptions): string {
  if (options.path !== undefined) return options.path;
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

const warned = new Set<string>();

/**
 * Connects once, without retrying, so that an unreachable Redis fails at once naming host and port
 * (never the password); warns when Redis may evict keys (BullMQ's jobs and locks would vanish).
 */
export async function probeRedis(options: RedisOptions, timeoutMs = 5000): Promise<void> {
  const where = describeEndpoint(options);
  const probe = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
  } catch (error) {
    probe.disconnect();
    let message = error instanceof Error ? error.message : String(error);
    if (options.password) message = message.split(options.password).join('***');
    throw new TubesumError(
      ErrorCode.NETWORK_ERROR,
      `Could not connect to Redis at ${where}: ${message}. Is Redis running there, and reachable from this machine?`,
      {
        cause: error,
        retryable: false,
      },
    );
  }
  try {
    const reply = (await probe.config('GET', 'maxmemory-policy')) as unknown;
    const policy = Array.isArray(reply) ? reply[1] : undefined;
    if (typeof policy === 'string' && policy !== 'noeviction' && !warned.has(where)) {
      warned.add(where);
      process.emitWarning(
        `tubesum: Redis at ${where} has maxmemory-policy=${policy}; set \`maxmemory-policy noeviction\` (redis.conf or CONFIG SET), ` +
          'or Redis may evict queued jobs and locks under memory pressure and videos would be lost.',
      );
    }
  } catch {
    // CONFIG is often disabled on managed Redis: nothing to check then.
  } finally {
    probe.disconnect();
  }
}
