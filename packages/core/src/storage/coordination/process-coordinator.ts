import type { Keyv } from 'keyv';
import type { JobLease } from '../batch-store.js';
import type { Coordinator, StoredLease } from './coordinator.js';
import type { KeyedLock } from './keyed-lock.js';

/**
 * Coordination through any Keyv: read-modify-write through `get` and `set`, serialized per key by
 * a lock shared by the stores on this Keyv. Holds within this process only: two processes on one
 * backend can both claim a job and can lose each other's list entries. The clock is this process's.
 */
export class ProcessCoordinator implements Coordinator {
  readonly coordination: 'atomic' | 'process';
  readonly #keyv: Keyv;
  readonly #lock: KeyedLock;

  /** `coordination`: 'atomic' for a backend only this process can reach (a `Map`). */
  constructor(keyv: Keyv, lock: KeyedLock, coordination: 'atomic' | 'process') {
    this.#keyv = keyv;
    this.#lock = lock;
    this.coordination = coordination;
  }

  addToList(key: string, id: string): Promise<void> {
    return this.#update<string[]>(key, (list = []) => (list.includes(id) ? undefined : [...list, id]));
  }

  removeFromList(key: string, id: string): Promise<void> {
    return this.#update<string[]>(key, (list = []) => (list.includes(id) ? list.filter((each) => each !== id) : undefined));
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    let claimed = false;
    await this.#update<StoredLease>(key, (current) => {
      const now = Date.now();
      if (current !== undefined && current.owner !== owner && (current.expiresAt ?? 0) > now) return undefined;
      claimed = true;
      return { owner, expiresAt: now + leaseMs };
    });
    return claimed;
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    let renewed = false;
    await this.#update<StoredLease>(key, (current) => {
      const now = Date.now();
      if (current?.owner !== owner || (current.expiresAt ?? 0) <= now) return undefined;
      renewed = true;
      return { owner, expiresAt: now + leaseMs };
    });
    return renewed;
  }

  release(key: string, owner: string): Promise<void> {
    return this.#lock.run(key, async () => {
      if ((await this.#get<StoredLease>(key))?.owner === owner) await this.#keyv.delete(key);
    });
  }

  async lease(key: string): Promise<JobLease | undefined> {
    const current = await this.#get<StoredLease>(key);
    return current === undefined ? undefined : { owner: current.owner, expiresInMs: (current.expiresAt ?? 0) - Date.now() };
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const value = await this.#keyv.get<T>(key);
    return value === null ? undefined : value;
  }

  /** Writes what `change` returns for the current value; nothing when it returns undefined. */
  #update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<void> {
    return this.#lock.run(key, async () => {
      const next = change(await this.#get<T>(key));
      if (next !== undefined && (await this.#keyv.set(key, next)) === false) throw new Error(`the backend did not write ${key}`);
    });
  }
}
