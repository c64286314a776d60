import type { JobLease } from '../batch-store.js';
import type { Coordinator, StoredLease } from './coordinator.js';
import { decodeEnvelope, encodeEnvelope, listOf } from './coordinator.js';

/**
 * Coordination for a Keyv on a `Map` (the memory store): every operation reads and writes the map
 * synchronously, so nothing can interleave with it. A map lives in one process, which makes this
 * as atomic as the store can be shared. The clock is this process's.
 */
export class MemoryCoordinator implements Coordinator {
  readonly coordination = 'atomic';
  readonly #map: Map<string, unknown>;
  readonly #rawKey: (key: string) => string;

  constructor(map: Map<string, unknown>, rawKey: (key: string) => string) {
    this.#map = map;
    this.#rawKey = rawKey;
  }

  async addToList(key: string, id: string): Promise<void> {
    const raw = this.#rawKey(key);
    const list = listOf(this.#map.get(raw));
    if (!list.includes(id)) this.#map.set(raw, encodeEnvelope([...list, id]));
  }

  async removeFromList(key: string, id: string): Promise<void> {
    const raw = this.#rawKey(key);
    const list = listOf(this.#map.get(raw));
    if (list.includes(id)) this.#map.set(raw, encodeEnvelope(list.filter((each) => each !== id)));
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const raw = this.#rawKey(key);
    const current = decodeEnvelope<StoredLease>(this.#map.get(raw));
    const now = Date.now();
    if (current !== undefined && current.owner !== owner && (current.expiresAt ?? 0) > now) return false;
    this.#map.set(raw, encodeEnvelope({ owner, expiresAt: now + leaseMs } satisfies StoredLease));
    return true;
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const raw = this.#rawKey(key);
    const current = decodeEnvelope<StoredLease>(this.#map.get(raw));
    const now = Date.now();
    if (current?.owner !== owner || (current.expiresAt ?? 0) <= now) return false;
    this.#map.set(raw, encodeEnvelope({ owner, expiresAt: now + leaseMs } satisfies StoredLease));
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    const raw = this.#rawKey(key);
    if (decodeEnvelope<StoredLease>(this.#map.get(raw))?.owner === owner) this.#map.delete(raw);
  }

  async lease(key: string): Promise<JobLease | undefined> {
    const current = decodeEnvelope<StoredLease>(this.#map.get(this.#rawKey(key)));
    return current === undefined ? undefined : { owner: current.owner, expiresInMs: (current.expiresAt ?? 0) - Date.now() };
  }
}
