/**
 * Spreading batches over worker processes on several machines, with `@tubesum/bullmq` (BullMQ on
 * Redis). The submitting process owns its batches (state, events, cancel, export) exactly as in
 * the other examples; the workers fetch transcripts and write summaries. Needs a Redis.
 *
 *   pnpm tsx examples/distributed-workers.ts            # a submitter and 2 workers in one process (a demo)
 *   pnpm tsx examples/distributed-workers.ts worker     # one worker: start as many as you like, anywhere
 *   pnpm tsx examples/distributed-workers.ts submit     # submit examples/urls.txt and follow it
 *
 * REDIS_URL (default redis://127.0.0.1:6379) must name the same Redis everywhere. It serves both as
 * the queue and as the store, which the workers must reach too (a SQLite or memory store is refused).
 * Runs offline: transcripts from examples/transcripts, summaries from the extractive summarizer.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, openStore } from '@tubesum/core';
import type { BatchStore, JobSnapshot } from '@tubesum/core';
import { createQueueExecutor, startWorker } from '@tubesum/bullmq';
import type { QueueWorker } from '@tubesum/bullmq';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Setup {
  url?: string;
  /** Keeps this example's keys apart from anything else in the Redis. */
  prefix?: string;
  log?: (line: string) => void;
  /** Where the ZIP goes. */
  out?: string;
}

/** A worker: what `tubesum worker --queue redis://…` runs. Resolves once it takes jobs. */
export async function worker(store: BatchStore, { url = 'redis://127.0.0.1:6379', prefix = 'tubesum-example' }: Setup = {}): Promise<QueueWorker> {
  return startWorker({
    connection: url,
    prefix,
    store,
    transcripts: new FileTranscriptSource({ directory: here('./transcripts') }),
    summarizer: new ExtractiveSummarizer(),
    // Per worker: transcripts are limited per machine (YouTube blocks per IP), summaries also cluster-wide below.
    concurrency: { transcripts: 2, summaries: 4 },
  });
}

/** The submitter: a BatchProcessor whose items run on the workers; events and export as usual. */
export async function submit(
  store: BatchStore,
  { url = 'redis://127.0.0.1:6379', prefix = 'tubesum-example', log = console.log, out = 'tubesum-distributed.zip' }: Setup = {},
): Promise<JobSnapshot> {
  // An LLM key's limits are global: at most 8 summaries at once across every worker.
  const executor = createQueueExecutor({ connection: url, prefix, summaries: { globalConcurrency: 8 } });
  await executor.ready(); // fails at once, naming host and port, when Redis cannot be reached
  const processor = new BatchProcessor({ store, executor });
  processor.on('itemStage', ({ item, stage }) => log(`  #${item.index + 1} ${stage} on a worker`));
  processor.on('itemEnd', ({ item, status, progress }) => log(`[${progress.ended}/${progress.total}] ${status}: ${item.title ?? item.videoId}`));
  try {
    const job = await processor.submit({ userId: 'me', urls: await readFile(here('./urls.txt'), 'utf8'), name: 'Distributed batch' });
    log(`Batch ${job.id}: ${job.total} videos sent to the workers`);
    const ended = await processor.waitFor(job.id, { userId: 'me' });
    const zip = await processor.export(job.id, { userId: 'me' });
    await writeFile(out, zip);
    log(`${ended.progress.counts.done} summaries, ZIP of ${zip.byteLength} bytes written to ${out}`);
    return ended;
  } finally {
    await processor.close();
    await executor.close();
  }
}

/** The demo: two workers and a submitter in one process. In production each is its own process. */
export async function main({
  url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix = 'tubesum-example',
  log = console.log,
  out,
}: Setup = {}): Promise<JobSnapshot> {
  const store = await openStore(url, { namespace: prefix });
  const workers = [await worker(store, { url, prefix }), await worker(store, { url, prefix })];
  try {
    return await submit(store, { url, prefix, log, ...(out === undefined ? {} : { out }) });
  } finally {
    for (const each of workers) await each.close();
    await store.close?.();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const role = process.argv[2];
  if (role === 'worker') {
    const store = await openStore(url, { namespace: 'tubesum-example' });
    const running = await worker(store, { url });
    console.log('Worker ready; Ctrl+C to stop it (the jobs it runs finish first).');
    process.once('SIGINT', () => void running.close().then(() => store.close?.()));
  } else if (role === 'submit') {
    const store = await openStore(url, { namespace: 'tubesum-example' });
    await submit(store, { url });
    await store.close?.();
  } else {
    await main();
  }
}
