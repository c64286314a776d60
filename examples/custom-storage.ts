/**
 * Keeping batches in Redis instead of the default SQLite file: any Keyv adapter works
 * (`@keyv/redis`, `@keyv/postgres`, …) through `createKeyvStore`. A second processor on the
 * same store, in this process or another, sees the batch: that is what resuming after a
 * crash relies on. `openStore('redis://…')` does the same from a URL.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 pnpm tsx examples/custom-storage.ts
 *
 * With Redis down it stops at once with the connection error, instead of retrying forever.
 */
import { createKeyv } from '@keyv/redis';
import type KeyvRedis from '@keyv/redis';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, createKeyvStore } from '@tubesum/core';
import type { BatchStore, JobSnapshot } from '@tubesum/core';

const directory = fileURLToPath(new URL('./transcripts', import.meta.url));

/**
 * A BatchStore on Redis: any Keyv works; `createKeyv` from @keyv/redis sets the namespace once.
 * The connection is made here, once, so an unreachable Redis fails now with its error (by
 * default the client would reconnect forever and every call would wait).
 */
async function redisStore(url: string, namespace: string): Promise<BatchStore> {
  const keyv = createKeyv({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } }, { namespace, throwOnConnectError: true, throwOnErrors: true });
  const adapter = keyv.store as KeyvRedis<unknown>;
  let lastError: unknown;
  adapter.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await adapter.getClient();
  } catch (error) {
    await keyv.disconnect().catch(() => undefined);
    const cause = lastError ?? error;
    throw new Error(`Cannot connect to Redis at ${new URL(url).host}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return createKeyvStore(keyv, { description: `Redis at ${new URL(url).host}` });
}

function createProcessor(store: BatchStore) {
  return new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory }),
    summarizer: new ExtractiveSummarizer(),
    store,
  });
}

export async function main({
  url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  namespace = 'tubesum-example',
  log = console.log,
} = {}): Promise<JobSnapshot> {
  const firstStore = await redisStore(url, namespace);
  const first = createProcessor(firstStore);
  const job = await first.submit({ userId: 'me', urls: 'https://youtu.be/Xk3pL9vQm2A https://youtu.be/T9fVe1KpL6s' });
  await first.waitFor(job.id, { userId: 'me' });
  await first.close();
  await firstStore.close?.(); // a store you pass in is yours to close: this disconnects from Redis

  // Later, or in another process: the batch and its summaries are still there.
  const secondStore = await redisStore(url, namespace);
  const second = createProcessor(secondStore);
  const found = await second.get(job.id, { userId: 'me' });
  const zip = await second.export(job.id, { userId: 'me' });
  log(`Batch ${found.id} from Redis: ${found.status}, ${found.progress.counts.done}/${found.total} done, ZIP ${zip.byteLength} bytes`);
  await second.close();
  await secondStore.close?.();
  return found;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
