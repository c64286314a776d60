import type { JobLease } from '../batch-store.js';

/**
 * The operations a Keyv store needs to be atomic in its backend. Keys are the store's own keys
 * (`job:{id}:lease`, `user:{id}:jobs`…) before the Keyv namespace; each coordinator writes them
 * where Keyv itself would, in the format Keyv reads.
 */
export interface Coordinator {
  readonly coordination: 'atomic' | 'process';
  /** Appends `id` to the list under `key` unless it is there already. */
  addToList(key: string, id: string): Promise<void>;
  /** Removes `id` from the list under `key` (every occurrence); nothing when absent. */
  removeFromList(key: string, id: string): Promise<void>;
  /** Takes the lease under `key` when free, expired or `owner`'s; resolves whether `owner` holds it. */
  claim(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Extends `owner`'s unexpired lease; false (nothing changed) otherwise. */
  renew(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Deletes the lease when `owner` holds it. */
  release(key: string, owner: string): Promise<void>;
  /** The lease as the store sees it now. */
  lease(key: string): Promise<JobLease | undefined>;
}

/** What a lease key holds (as the `value` of Keyv's envelope); `expiresAt` in the store's clock, ms since the epoch. */
export interface StoredLease {
  owner: string;
  expiresAt?: number;
}

/** Keyv's default serializer marks a string starting with `:` by doubling the colon. */
export function escapeString(value: string): string {
  return value.startsWith(':') ? `:${value}` : value;
}

export function unescapeString(value: string): string {
  return value.startsWith(':') ? value.slice(1) : value;
}

/** `value` wrapped and serialized exactly as Keyv's default serializer writes it (`{"value":…}`). */
export function encodeEnvelope(value: unknown): string {
  return JSON.stringify({ value }, (_key, each: unknown) => (typeof each === 'string' ? escapeString(each) : each));
}

/** The `value` of a Keyv envelope written by Keyv's default serializer, or by a coordinator. */
export function decodeEnvelope<T>(raw: unknown): T | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const parsed = JSON.parse(text, (_key, each: unknown) => (typeof each === 'string' ? unescapeString(each) : each)) as { value?: T } | null;
  return parsed?.value ?? undefined;
}

/** A list's stored value, or [] when the key holds nothing (or not a list). */
export function listOf(raw: unknown): string[] {
  const value = decodeEnvelope<unknown>(raw);
  return Array.isArray(value) ? value.filter((each): each is string => typeof each === 'string') : [];
}
