// The durable side of batch mode: which provider batch holds which request, and each result as it
// streams in, kept in the processor's store (any BatchStore: memory, SQLite, Redis, PostgreSQL).
import { z } from 'zod';
import { ErrorCode, TubesumError } from '../../errors.js';

/**
 * The part of a store batch mode writes to: its cache (every `BatchStore` has it). Spelled out here
 * rather than picked from `BatchStore`, so summarizers/ does not depend on storage/.
 */
export interface ProviderBatchStore {
  getCached<T>(key: string): Promise<T | undefined>;
  setCached(key: string, value: unknown): Promise<void>;
}

/**
 * One submission to a provider's batch API. Written with `state: 'submitting'` BEFORE the batch
 * is created, so a crash between the creation and the save of `batchId` leaves a marker to find
 * the batch by ({@link AnthropicMessageBatches.findCreated}).
 */
export interface ProviderBatchRecord {
  version: 1;
  /** Names the submission; every custom id of the batch starts with it. */
  token: string;
  /** ISO 8601 time the marker was written, just before the batch was created. */
  markedAt: string;
  /** The provider's batch id, once known. */
  batchId?: string | undefined;
  /** ISO 8601 time the provider created the batch. */
  submittedAt?: string | undefined;
  /**
   * `submitting`: marked, the creation not confirmed; `submitted`: the provider has it; `ended`:
   * every result is stored; `failed`: the provider refused it (nothing was created); `lost`: marked,
   * but no such batch exists at the provider (the creation never arrived).
   */
  state: 'submitting' | 'submitted' | 'ended' | 'failed' | 'lost';
  /** Request keys, in custom-id order: request `i` has custom id `${token}-${i}`. */
  keys: string[];
  /** True once a cancel was sent to the provider. */
  cancelRequested?: boolean | undefined;
}

/** Where a request went. `stale` marks a request to submit again (its last try failed transiently). */
export interface ProviderRequestIndex {
  version: 1;
  token: string;
  index: number;
  /** How often the request was sent again after it expired. */
  expiredResubmits: number;
  stale?: boolean | undefined;
}

/** One stored result: what a waiting summary needs, a few kilobytes. */
export type StoredProviderResult =
  | { type: 'succeeded'; message: unknown }
  | { type: 'errored'; error: { type?: string | undefined; message?: string | undefined } }
  | { type: 'expired' }
  | { type: 'canceled' };

const recordSchema = z.object({
  version: z.literal(1),
  token: z.string(),
  markedAt: z.string(),
  batchId: z.string().optional(),
  submittedAt: z.string().optional(),
  state: z.enum(['submitting', 'submitted', 'ended', 'failed', 'lost']),
  keys: z.array(z.string()),
  cancelRequested: z.boolean().optional(),
});

const indexSchema = z.object({
  version: z.literal(1),
  token: z.string(),
  index: z.number().int().nonnegative(),
  expiredResubmits: z.number().int().nonnegative(),
  stale: z.boolean().optional(),
});

const resultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('succeeded'), message: z.unknown() }),
  z.object({ type: z.literal('errored'), error: z.object({ type: z.string().optional(), message: z.string().optional() }) }),
  z.object({ type: z.literal('expired') }),
  z.object({ type: z.literal('canceled') }),
]);

/** Store keys of batch mode, `<provider>-batch…:v1:`, beside the transcript and summary caches. */
export class ProviderBatchRecords {
  readonly #store: ProviderBatchStore;
  readonly #prefix: string;

  constructor(store: ProviderBatchStore, provider: string) {
    this.#store = store;
    this.#prefix = provider;
  }

  getBatch(token: string): Promise<ProviderBatchRecord | undefined> {
    return this.#read(`${this.#prefix}-batch:v1:${token}`, recordSchema);
  }

  saveBatch(record: ProviderBatchRecord): Promise<void> {
    return this.#write(`${this.#prefix}-batch:v1:${record.token}`, record);
  }

  getRequest(key: string): Promise<ProviderRequestIndex | undefined> {
    return this.#read(`${this.#prefix}-batch-request:v1:${key}`, indexSchema);
  }

  saveRequest(key: string, index: ProviderRequestIndex): Promise<void> {
    return this.#write(`${this.#prefix}-batch-request:v1:${key}`, index);
  }

  getResult(customId: string): Promise<StoredProviderResult | undefined> {
    return this.#read(`${this.#prefix}-batch-result:v1:${customId}`, resultSchema);
  }

  saveResult(customId: string, result: StoredProviderResult): Promise<void> {
    return this.#write(`${this.#prefix}-batch-result:v1:${customId}`, result);
  }

  async #read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    let value: unknown;
    try {
      value = await this.#store.getCached<unknown>(key);
    } catch (error) {
      throw storageError('read', key, error);
    }
    if (value === undefined || value === null) return undefined;
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new TubesumError(ErrorCode.STORAGE_ERROR, `The store holds an unreadable batch record under ${key}.`, { retryable: false, cause: parsed.error });
    }
    return parsed.data;
  }

  async #write(key: string, value: unknown): Promise<void> {
    try {
      await this.#store.setCached(key, value);
    } catch (error) {
      throw storageError('write', key, error);
    }
  }
}

function storageError(verb: string, key: string, cause: unknown): TubesumError {
  if (cause instanceof TubesumError) return cause;
  return new TubesumError(ErrorCode.STORAGE_ERROR, `Could not ${verb} the batch record ${key}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    cause,
  });
}
