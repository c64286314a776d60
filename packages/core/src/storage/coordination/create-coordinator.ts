import type { Keyv } from 'keyv';
import type { Coordinator } from './coordinator.js';
import { lockFor } from './keyed-lock.js';
import { MemoryCoordinator } from './memory-coordinator.js';
import { PostgresCoordinator } from './postgres-coordinator.js';
import { ProcessCoordinator } from './process-coordinator.js';
import { RedisCoordinator } from './redis-coordinator.js';
import type { RedisScripting } from './redis-coordinator.js';
import { SqliteCoordinator } from './sqlite-coordinator.js';

interface SqlAdapter {
  query: (...args: never[]) => Promise<unknown>;
  opts: { dialect?: unknown; table?: unknown; schema?: unknown };
}

interface RedisAdapter {
  getClient(): Promise<unknown>;
  createKeyPrefix(key: string, namespace: string | undefined): string;
  namespace?: string | undefined;
}

function isSqlAdapter(adapter: unknown, dialect: string): adapter is SqlAdapter {
  const candidate = adapter as Partial<SqlAdapter> | null;
  return typeof candidate?.query === 'function' && candidate.opts?.dialect === dialect && typeof candidate.opts.table === 'string';
}

function isRedisAdapter(adapter: unknown): adapter is RedisAdapter {
  const candidate = adapter as Partial<RedisAdapter> | null;
  return typeof candidate?.getClient === 'function' && typeof candidate.createKeyPrefix === 'function';
}

/**
 * Whether the Keyv writes values exactly as Keyv's default serializer does (`{"value":…}` JSON, no
 * compression): only then can a coordinator change stored lists in place, in the backend.
 */
function writesDefaultFormat(keyv: Keyv): boolean {
  if (keyv.compression !== undefined) return false;
  try {
    const sample = { value: [':colon', 'plain'], nested: { text: 'ü' } };
    return keyv.serialize?.(sample) === '{"value":["::colon","plain"],"nested":{"text":"ü"}}';
  } catch {
    return false;
  }
}

/**
 * The coordinator for this Keyv's backend: synchronous map updates for a `Map`, single SQL
 * statements for `@keyv/sqlite` and `@keyv/postgres`, Lua scripts for `@keyv/redis`; anything else
 * (or a custom serializer or compression) falls back to read-modify-write serialized in this process.
 */
export function createCoordinator(keyv: Keyv): Coordinator {
  const adapter: unknown = keyv.store;
  const keyvKey = (key: string) => keyv._getKeyPrefix(key);
  if (!writesDefaultFormat(keyv)) {
    // A map is only ever shared within this process, so the lock makes it atomic all the same.
    return new ProcessCoordinator(keyv, lockFor(keyv), adapter instanceof Map ? 'atomic' : 'process');
  }
  if (adapter instanceof Map) return new MemoryCoordinator(adapter as Map<string, unknown>, keyvKey);
  if (isSqlAdapter(adapter, 'sqlite')) {
    return new SqliteCoordinator((sql, ...parameters) => adapter.query(...([sql, ...parameters] as never[])), adapter.opts.table as string, keyvKey);
  }
  if (isSqlAdapter(adapter, 'postgres')) {
    const schema = typeof adapter.opts.schema === 'string' ? adapter.opts.schema : 'public';
    return new PostgresCoordinator((sql, parameters) => adapter.query(...([sql, parameters] as never[])), `${schema}.${adapter.opts.table as string}`, keyvKey);
  }
  if (isRedisAdapter(adapter)) {
    return new RedisCoordinator(
      async () => (await adapter.getClient()) as RedisScripting,
      (key) => adapter.createKeyPrefix(keyvKey(key), adapter.namespace),
    );
  }
  return new ProcessCoordinator(keyv, lockFor(keyv), 'process');
}

/** Who can reach this Keyv's data: this process (a `Map`), this machine (SQLite), the network (Redis, PostgreSQL); undefined for another adapter. */
export function reachOf(keyv: Keyv): 'process' | 'machine' | 'network' | undefined {
  const adapter: unknown = keyv.store;
  if (adapter instanceof Map) return 'process';
  if (isSqlAdapter(adapter, 'sqlite')) return 'machine';
  if (isSqlAdapter(adapter, 'postgres') || isRedisAdapter(adapter)) return 'network';
  return undefined;
}
