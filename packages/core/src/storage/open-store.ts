import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../errors.js';
import { describeValue, validateOptions } from '../internal/validate-options.js';
import type { BatchStore } from './batch-store.js';
import { importOptional } from './import-optional.js';
import { withFastReads } from './keyv-deserialize.js';
import { createKeyvStore } from './keyv-store.js';
import { createMemoryStore } from './memory-store.js';
import { createSqliteStore } from './sqlite-store.js';
import { errorMessage } from './storage-error.js';
import { namespaceSchema, tableSchema } from './store-options.js';
import { positiveInteger } from '../internal/option-schemas.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * Keyv namespace: the prefix of every key, so several stores can share one database.
   * @default 'tubesum'
   */
  namespace?: string | undefined;
  /**
   * The table holding the keys (SQLite and PostgreSQL).
   * @default 'keyv'
   */
  table?: string | undefined;
  /**
   * How long to wait for a Redis or PostgreSQL connection, in milliseconds.
   * @default 5000
   */
  connectTimeoutMs?: number | undefined;
}

const optionsSchema = z
  .object({
    namespace: namespaceSchema.optional(),
    table: tableSchema.optional(),
    connectTimeoutMs: positiveInteger.optional(),
  })
  .optional();

const urlSchema = z.string('a store URL such as `sqlite://.tubesum/store.sqlite`').trim().min(1, 'a store URL such as `sqlite://.tubesum/store.sqlite`');

const SUPPORTED = 'memory://, sqlite://PATH (or a plain file path), redis://, rediss://, postgres:// or postgresql://';

/** The URL as it may appear in a message: the password replaced by `***`. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  }
}

/** `host:port` of a server URL, for messages. */
function hostAndPort(url: URL, defaultPort: number): string {
  return `${url.hostname || 'localhost'}:${url.port || defaultPort}`;
}

function connectionError(service: string, where: string, cause: unknown, password: string): TubesumError {
  let message = errorMessage(cause);
  if (password !== '') message = message.split(password).join('***').split(decodeURIComponent(password)).join('***');
  return new TubesumError(ErrorCode.STORAGE_ERROR, `Could not connect to ${service} at ${where}: ${message}`, { cause });
}

interface Resolved {
  namespace: string;
  table: string;
  connectTimeoutMs: number;
}

/**
 * Opens a {@link BatchStore} named by a URL:
 *
 * - `memory://`: in this process only;
 * - `sqlite://.tubesum/store.sqlite`, `sqlite:///absolute/path.sqlite`, `file:///…` or a plain file path: SQLite on disk;
 * - `redis://user:password@host:6379/0`, `rediss://…` (TLS): Redis, with `@keyv/redis` installed;
 * - `postgres://user:password@host:5432/db`, `postgresql://…`: PostgreSQL, with `@keyv/postgres` installed.
 *
 * Redis and PostgreSQL are connected (and PostgreSQL's table created) before this resolves, so a
 * wrong address fails here, fast, as a `STORAGE_ERROR` naming `host:port` (never the password).
 * A missing optional package or an unknown scheme throws `INVALID_OPTIONS`.
 *
 * PostgreSQL stores of one process share one connection pool per URL, ended when the last store closes.
 *
 * @example
 * ```ts
 * const store = await openStore(process.env.TUBESUM_STORE ?? 'sqlite://.tubesum/store.sqlite');
 * ```
 */
export async function openStore(url: string, options?: OpenStoreOptions): Promise<BatchStore> {
  const value = validateOptions(urlSchema, url, 'openStore url');
  const { namespace = 'tubesum', table = 'keyv', connectTimeoutMs = 5000 } = validateOptions(optionsSchema, options, 'openStore options') ?? {};
  const resolved: Resolved = { namespace, table, connectTimeoutMs };
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(value)?.[1]?.toLowerCase();

  if (scheme === 'memory') {
    if (!/^memory:(\/\/)?$/i.test(value)) throw invalidUrl(value, '`memory://` (nothing after it)');
    return createMemoryStore({ namespace });
  }
  if (scheme === 'sqlite') {
    const path = value.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') throw invalidUrl(value, 'a file path after `sqlite://`');
    return createSqliteStore({ path, namespace, table });
  }
  if (scheme === 'file') return createSqliteStore({ path: fileURLToPath(value), namespace, table });
  if (scheme === 'redis' || scheme === 'rediss') return openRedisStore(value, resolved);
  if (scheme === 'postgres' || scheme === 'postgresql') return openPostgresStore(value, resolved);
  // No `scheme://`: a file path (`store.sqlite`, `./data/store.sqlite`, `C:\data\store.sqlite`).
  if (!/^[a-z][a-z\d+.-]*:\/\//i.test(value)) return createSqliteStore({ path: value, namespace, table });
  throw invalidUrl(value, SUPPORTED);
}

function invalidUrl(value: string, expected: string): TubesumError {
  return new TubesumError(
    ErrorCode.INVALID_OPTIONS,
    `Expected \`url\` to be ${expected}, got \`${describeValue(redactUrl(value)).slice(1, -1)}\` (openStore url)`,
  );
}

function parseServerUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw invalidUrl(value, 'a valid server URL such as `redis://localhost:6379` or `postgres://user@localhost:5432/db`');
  }
}

async function openRedisStore(value: string, { namespace, connectTimeoutMs }: Resolved): Promise<BatchStore> {
  const url = parseServerUrl(value);
  const { createKeyv } = await importOptional(() => import('@keyv/redis'), '@keyv/redis', 'a Redis store');
  const where = hostAndPort(url, 6379);
  let connected = false;
  const keyv = createKeyv(
    {
      url: value,
      socket: {
        connectTimeout: connectTimeoutMs,
        // The first connection fails at once; a lost one is retried a few times with backoff.
        reconnectStrategy: (retries: number) => (connected && retries < 5 ? Math.min(100 * 2 ** retries, 2000) : false),
      },
    },
    { namespace, throwOnConnectError: true, throwOnErrors: true },
  );
  const adapter = keyv.store as KeyvRedis<unknown>;
  let lastError: unknown;
  adapter.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await adapter.getClient();
    connected = true;
  } catch (error) {
    await keyv.disconnect().catch(() => undefined);
    throw connectionError('Redis', where, lastError ?? error, url.password);
  }
  return createKeyvStore(withFastReads(keyv), { description: `the Redis store at ${where}` });
}

interface PgPool {
  query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  end(): Promise<void>;
}

/**
 * One `pg` pool per connection string in this process, shared by its PostgreSQL stores and ended
 * when the last closes. Ours rather than `@keyv/postgres`'s own module-level pool so that it has an
 * `error` listener: pg emits `error` on the pool when an idle connection dies (a PostgreSQL restart,
 * a network cut), and an EventEmitter without a listener would take the whole process down. The
 * next query simply opens a new connection.
 */
const postgresPools = new Map<string, { pool: PgPool; users: number }>();

async function loadPg(): Promise<{ Pool: new (options: Record<string, unknown>) => PgPool }> {
  // `pg` is `@keyv/postgres`'s own dependency: load the copy it uses.
  const from = createRequire(import.meta.resolve('@keyv/postgres'));
  const pg = from('pg') as { Pool?: unknown; default?: { Pool?: unknown } };
  return { Pool: (pg.Pool ?? pg.default?.Pool) as new (options: Record<string, unknown>) => PgPool };
}

async function openPostgresStore(value: string, { namespace, table, connectTimeoutMs }: Resolved): Promise<BatchStore> {
  const url = parseServerUrl(value);
  const { KeyvPostgres } = await importOptional(() => import('@keyv/postgres'), '@keyv/postgres', 'a PostgreSQL store');
  const { Pool } = await loadPg();
  const where = `${hostAndPort(url, 5432)}${url.pathname.length > 1 ? url.pathname : ''}`;
  let entry = postgresPools.get(value);
  if (entry === undefined) {
    const pool = new Pool({ connectionString: value, connectionTimeoutMillis: connectTimeoutMs });
    pool.on('error', () => {
      // An idle connection died; the pool drops it and the next query connects again.
    });
    entry = { pool, users: 0 };
    postgresPools.set(value, entry);
  }
  entry.users += 1;
  const shared = entry;

  class PooledKeyvPostgres extends KeyvPostgres {
    #open = true;
    // Called from KeyvPostgres's constructor: uses nothing of this class's own fields.
    override async connect() {
      return async (sql: string, values?: unknown[]) => (await shared.pool.query(sql, values)).rows as never;
    }
    override async disconnect(): Promise<void> {
      if (!this.#open) return;
      this.#open = false;
      shared.users -= 1;
      if (shared.users === 0) {
        if (postgresPools.get(value) === shared) postgresPools.delete(value);
        await shared.pool.end();
      }
    }
  }

  const adapter = new PooledKeyvPostgres({ uri: value, table, connectionTimeoutMillis: connectTimeoutMs });
  let setupError: unknown;
  adapter.on('error', (error: unknown) => {
    setupError ??= error;
  });
  const keyv = withFastReads(new Keyv({ store: adapter, namespace }));
  try {
    // Waits for the table to be created, and proves the connection works.
    await adapter.query('SELECT 1');
    if (setupError !== undefined) throw setupError;
  } catch (error) {
    await adapter.disconnect().catch(() => undefined);
    throw connectionError('PostgreSQL', where, error, url.password);
  }
  return createKeyvStore(keyv, { description: `the PostgreSQL store at ${where} (table ${table})` });
}
