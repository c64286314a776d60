import { Keyv } from 'keyv';
import { z } from 'zod';
import { validateOptions } from '../internal/validate-options.js';
import type { BatchStore } from './batch-store.js';
import { withFastReads } from './keyv-deserialize.js';
import { createKeyvStore } from './keyv-store.js';
import { namespaceSchema } from './store-options.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Keyv namespace: the prefix of every key.
   * @default 'tubesum'
   */
  namespace?: string | undefined;
}

const optionsSchema = z.object({ namespace: namespaceSchema.optional() }).optional();

/**
 * A {@link BatchStore} in this process's memory (a Keyv on a `Map`). Values are serialized like
 * every other store, so what comes back is a copy. Gone when the process ends: for tests and
 * short scripts.
 */
export function createMemoryStore(options?: MemoryStoreOptions): BatchStore {
  const { namespace = 'tubesum' } = validateOptions(optionsSchema, options, 'createMemoryStore options') ?? {};
  return createKeyvStore(withFastReads(new Keyv({ namespace })), { description: 'the memory store' });
}
