import type { JobLease } from '../batch-store.js';
import type { Coordinator } from './coordinator.js';
import { encodeEnvelope, escapeString, unescapeString } from './coordinator.js';

type Query = (sql: string, parameters?: unknown[]) => Promise<unknown>;

/** Milliseconds since the epoch by the server's clock, at the start of the statement. */
const NOW = `(extract(epoch from statement_timestamp()) * 1000)::bigint`;

/**
 * Coordination for `@keyv/postgres`: each operation is one SQL statement on the Keyv table.
 * `INSERT … ON CONFLICT DO UPDATE … WHERE` and `UPDATE … WHERE` lock the row and evaluate their
 * condition on its newest version, so concurrent claims and list changes from any number of
 * processes serialize on the row. Lease times are the server's, never a client's.
 */
export class PostgresCoordinator implements Coordinator {
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
    await this.#query(
      `INSERT INTO ${this.#table} AS t (key, value) VALUES ($1, $3)
       ON CONFLICT (key) DO UPDATE
         SET value = jsonb_set(t.value::jsonb, '{value}', coalesce(t.value::jsonb -> 'value', '[]'::jsonb) || jsonb_build_array($2::text))::text
       WHERE NOT coalesce((t.value::jsonb -> 'value') ? $2::text, false)`,
      [this.#rawKey(key), escapeString(id), encodeEnvelope([id])],
    );
  }

  async removeFromList(key: string, id: string): Promise<void> {
    await this.#query(
      `UPDATE ${this.#table} AS t SET value = jsonb_set(t.value::jsonb, '{value}', (t.value::jsonb -> 'value') - $2::text)::text
       WHERE t.key = $1 AND coalesce((t.value::jsonb -> 'value') ? $2::text, false)`,
      [this.#rawKey(key), escapeString(id)],
    );
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = (await this.#query(
      `INSERT INTO ${this.#table} AS t (key, value)
       VALUES ($1, jsonb_build_object('value', jsonb_build_object('owner', $2::text, 'expiresAt', ${NOW} + $3::bigint))::text)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value
       WHERE (t.value::jsonb #>> '{value,owner}') = $2::text OR (t.value::jsonb #>> '{value,expiresAt}')::bigint <= ${NOW}
       RETURNING 1 AS claimed`,
      [this.#rawKey(key), escapeString(owner), leaseMs],
    )) as unknown[];
    return rows.length === 1;
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = (await this.#query(
      `UPDATE ${this.#table} AS t
       SET value = jsonb_build_object('value', jsonb_build_object('owner', $2::text, 'expiresAt', ${NOW} + $3::bigint))::text
       WHERE t.key = $1 AND (t.value::jsonb #>> '{value,owner}') = $2::text AND (t.value::jsonb #>> '{value,expiresAt}')::bigint > ${NOW}
       RETURNING 1 AS renewed`,
      [this.#rawKey(key), escapeString(owner), leaseMs],
    )) as unknown[];
    return rows.length === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} AS t WHERE t.key = $1 AND (t.value::jsonb #>> '{value,owner}') = $2::text`, [
      this.#rawKey(key),
      escapeString(owner),
    ]);
  }

  async lease(key: string): Promise<JobLease | undefined> {
    const rows = (await this.#query(
      `SELECT t.value::jsonb #>> '{value,owner}' AS owner, (t.value::jsonb #>> '{value,expiresAt}')::bigint - ${NOW} AS remaining
       FROM ${this.#table} AS t WHERE t.key = $1`,
      [this.#rawKey(key)],
    )) as Array<{ owner: string; remaining: string | number }>;
    const row = rows[0];
    return row === undefined ? undefined : { owner: unescapeString(row.owner), expiresInMs: Number(row.remaining) };
  }
}
