import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import { Keyv } from 'keyv';
import type { StoredData } from 'keyv';
import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateOptions } from '../internal/validate-options.js';
import type { BatchStore } from './batch-store.js';
import { withFastReads } from './keyv-deserialize.js';
import { createKeyvStore } from './keyv-store.js';
import { storageError } from './storage-error.js';
import { namespaceSchema, tableSchema } from './store-options.js';
import { wholeMilliseconds } from '../internal/option-schemas.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file; its parent directory is created when missing. `:memory:` for a database
   * that lives only as long as the store.
   */
  path: string;
  /**
   * Keyv namespace: the prefix of every key.
   * @default 'tubesum'
   */
  namespace?: string | undefined;
  /**
   * The table holding the keys.
   * @default 'keyv'
   */
  table?: string | undefined;
  /**
   * How long a write waits for another process's lock on the file before failing, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number | undefined;
}

const optionsSchema = z.object({
  path: z.string('a file path').min(1, 'a file path'),
  namespace: namespaceSchema.optional(),
  table: tableSchema.optional(),
  busyTimeoutMs: wholeMilliseconds().optional(),
});

type Query = (sql: string, ...parameters: unknown[]) => Promise<unknown>;

interface Row {
  key: string;
  value: string;
}

/**
 * `@keyv/sqlite` tuned for many small writes: WAL journal with `synchronous=NORMAL` (a commit is an
 * append to the log, no fsync; a killed process loses nothing, a power cut may lose the last
 * commits), a `setMany` that is one statement, and a `getMany` that is linear in the number of keys.
 */
class TunedKeyvSqlite extends KeyvSqlite {
  constructor(uri: string, table: string, busyTimeoutMs: number) {
    super({ uri, table, busyTimeout: busyTimeoutMs });
    const query: Query = this.query;
    const setUp = async () => {
      await journalInWal(query, busyTimeoutMs);
      await query('PRAGMA synchronous=NORMAL');
      await query(`PRAGMA busy_timeout=${busyTimeoutMs}`);
    };
    let ready = setUp();
    // A failure to open reaches the caller through the first operation, not as an unhandled rejection.
    ready.catch(() => undefined);
    this.query = async (sql: string, ...parameters: unknown[]) => {
      try {
        await ready;
      } catch {
        // Set up again rather than keep a store that fails for good (a busy file is busy for a while).
        ready = setUp();
        ready.catch(() => undefined);
        await ready;
      }
      return query(sql, ...parameters);
    };
    // @keyv/sqlite emits `error` only when the database cannot be opened; then there is nothing to close.
    let openFailed = false;
    this.once('error', () => {
      openFailed = true;
    });
    const close = this.close;
    this.close = async () => {
      try {
        await close();
      } catch (error) {
        if (!openFailed) throw error;
      }
    };
  }

  override async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const rows = (await this.query(`SELECT key, value FROM ${this.opts.table} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(keys))) as Row[];
    const values = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => values.get(key) as StoredData<Value | undefined>);
  }

  async setMany(entries: Array<{ key: string; value: unknown }>): Promise<void> {
    if (entries.length === 0) return;
    // `WHERE true` lets SQLite tell the upsert clause from a join constraint.
    await this.query(
      `INSERT INTO ${this.opts.table} (key, value)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      JSON.stringify(entries.map(({ key, value }) => [key, value])),
    );
  }
}

/**
 * Puts the database in WAL mode. Switching takes an exclusive lock for which SQLite does not wait
 * (no busy handler: it answers SQLITE_BUSY at once), so stores opened on a new file at the same
 * moment (replicas starting together, a test's two processors) failed at random; this waits and
 * tries again for up to `busyTimeoutMs`, as any other statement would wait. Once one connection
 * switched, the file stays in WAL mode and the statement is a no-op for the others.
 */
async function journalInWal(query: Query, busyTimeoutMs: number): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      await query('PRAGMA journal_mode=WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown } | undefined)?.code !== 'SQLITE_BUSY' || Date.now() - started >= busyTimeoutMs) throw error;
      await sleep(Math.min(5 * 2 ** attempt, 100));
    }
  }
}

/**
 * A {@link BatchStore} in an SQLite file through `@keyv/sqlite`: the embedded default, nothing to
 * run beside the process. Survives a crash: open the same file again and `resume()`.
 *
 * @example
 * ```ts
 * const store = createSqliteStore({ path: '.tubesum/store.sqlite' });
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): BatchStore {
  const { path, namespace = 'tubesum', table = 'keyv', busyTimeoutMs = 5000 } = validateOptions(optionsSchema, options, 'createSqliteStore options');
  const inMemory = path === ':memory:';
  const where = inMemory ? 'the SQLite store in memory' : `the SQLite store at ${path}`;
  if (!inMemory) {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch (error) {
      throw storageError('create the directory of the database', where, error);
    }
  }
  const adapter = new TunedKeyvSqlite(`sqlite://${path}`, table, busyTimeoutMs);
  return createKeyvStore(withFastReads(new Keyv({ store: adapter, namespace })), { description: where });
}
