import type { JobLease } from '../batch-store.js';
import type { Coordinator } from './coordinator.js';
import { encodeEnvelope, escapeString, unescapeString } from './coordinator.js';

type Query = (sql: string, ...parameters: unknown[]) => Promise<unknown>;

/** Milliseconds since the epoch by SQLite's clock (the machine's: every process on the file shares it). */
const NOW = `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;

/**
 * Coordination for `@keyv/sqlite`: each operation is one SQL statement, which SQLite runs as one
 * write transaction on the file, so two processes (or two connections) on one file never
 * interleave; a writer waits for another's lock up to the adapter's `busy_timeout`. Leases hold
 * `{"value":{"owner":…,"expiresAt":…}}` in the Keyv table, lists the Keyv value `{"value":[ids]}`.
 */
export class SqliteCoordinator implements Coordinator {
  readonly coordination = 'atomic';
  readonly #query: Query;
  readonly #table: string;
  readonly #rawKey: (key: string) => string;

  constructor(query: Query, table: string, rawKey: (key: string) => string) {
    this.#query = query;
    this.#table = table;
    this.#rawKey = rawKey;
  }

  async addToList(key: string, id: string): Promise<void> {
    const table = this.#table;
    await this.#query(
      `INSERT INTO ${table} (key, value) VALUES (?1, ?3)
       ON CONFLICT(key) DO UPDATE SET value = json_set(${table}.value, '$.value[#]', ?2)
       WHERE NOT EXISTS (SELECT 1 FROM json_each(${table}.value, '$.value') AS element WHERE element.value = ?2)`,
      this.#rawKey(key),
      escapeString(id),
      encodeEnvelope([id]),
    );
  }

  async removeFromList(key: string, id: string): Promise<void> {
    const table = this.#table;
    await this.#query(
      `UPDATE ${table} SET value = json_set(value, '$.value',
         (SELECT json_group_array(element.value) FROM json_each(${table}.value, '$.value') AS element WHERE element.value <> ?2))
       WHERE key = ?1 AND EXISTS (SELECT 1 FROM json_each(${table}.value, '$.value') AS element WHERE element.value = ?2)`,
      this.#rawKey(key),
      escapeString(id),
    );
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const table = this.#table;
    const rows = (await this.#query(
      `INSERT INTO ${table} (key, value) VALUES (?1, json_object('value', json_object('owner', ?2, 'expiresAt', ${NOW} + ?3)))
       ON CONFLICT(key) DO UPDATE SET value = excluded.value
       WHERE json_extract(${table}.value, '$.value.owner') = ?2 OR json_extract(${table}.value, '$.value.expiresAt') <= ${NOW}
       RETURNING 1 AS claimed`,
      this.#rawKey(key),
      escapeString(owner),
      leaseMs,
    )) as unknown[];
    return rows.length === 1;
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = (await this.#query(
      `UPDATE ${this.#table} SET value = json_object('value', json_object('owner', ?2, 'expiresAt', ${NOW} + ?3))
       WHERE key = ?1 AND json_extract(value, '$.value.owner') = ?2 AND json_extract(value, '$.value.expiresAt') > ${NOW}
       RETURNING 1 AS renewed`,
      this.#rawKey(key),
      escapeString(owner),
      leaseMs,
    )) as unknown[];
    return rows.length === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE key = ?1 AND json_extract(value, '$.value.owner') = ?2`, this.#rawKey(key), escapeString(owner));
  }

  async lease(key: string): Promise<JobLease | undefined> {
    const rows = (await this.#query(
      `SELECT json_extract(value, '$.value.owner') AS owner, json_extract(value, '$.value.expiresAt') - ${NOW} AS remaining FROM ${this.#table} WHERE key = ?1`,
      this.#rawKey(key),
    )) as Array<{ owner: string; remaining: number }>;
    const row = rows[0];
    return row === undefined ? undefined : { owner: unescapeString(row.owner), expiresInMs: row.remaining };
  }
}
