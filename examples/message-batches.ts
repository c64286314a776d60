/**
 * Half the price: summaries through Anthropic's Message Batches API, with the wait and the cost
 * in plain sight.
 *
 *   ANTHROPIC_API_KEY=sk-ant-… pnpm tsx examples/message-batches.ts
 *
 * This sends real requests (at the batch discount) and waits for Anthropic's batch: usually
 * minutes, at most 24 hours. Stop it with Ctrl-C and run it again: the batch records in
 * `message-batches.sqlite` let it poll the same provider batch, so nothing is paid twice.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AnthropicSummarizer, BatchProcessor, FileTranscriptSource, createSqliteStore, describeProviderBatchWait, formatUsd } from '@tubesum/core';
import type { JobSnapshot } from '@tubesum/core';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface MessageBatchesOptions {
  /** A gateway, or a test server. @default Anthropic's API */
  baseURL?: string;
  apiKey?: string;
  /** The SQLite file of the batch and its provider batches. */
  database?: string;
  out?: string;
  /** How long the first summary waits for the others before the batch is sent. */
  windowMs?: number;
  /** The first wait between two looks at the running batch. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

export async function main(options: MessageBatchesOptions = {}): Promise<JobSnapshot> {
  const { log = console.log } = options;
  const store = createSqliteStore({ path: options.database ?? 'message-batches.sqlite' });
  const summarizer = new AnthropicSummarizer({
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    // The batch records (which request went into which provider batch, each result) live in the
    // processor's store: that is what makes a killed run resumable.
    batch: { store, windowMs: options.windowMs ?? 5_000, pollIntervalMs: options.pollIntervalMs ?? 10_000 },
  });
  const processor = new BatchProcessor({ store, transcripts: new FileTranscriptSource({ directory: here('./transcripts') }), summarizer });

  // Until the provider batch ends only "processing" is known: say what we wait for, once per change.
  let last = '';
  processor.on('batchProgress', ({ progress }) => {
    const wait = progress.current.find((current) => current.waiting)?.waiting;
    if (wait === undefined) return;
    const key = `${wait.phase} ${wait.batchId ?? ''}`;
    if (key !== last) log(describeProviderBatchWait(wait));
    last = key;
  });
  processor.on('itemEnd', ({ item, status, progress }) => log(`[${progress.ended}/${progress.total}] ${status}: ${item.title ?? item.videoId}`));

  // Pick up a run that was interrupted, or start one.
  const [resumed] = await processor.resume();
  const job = resumed ?? (await processor.submit({ userId: 'me', urls: ['Xk3pL9vQm2A', 'nW4cR7yBx0U', 'T9fVe1KpL6s'], name: 'Message Batches' }));
  const ended = await processor.waitFor(job.id, { userId: job.userId });

  const items = await processor.items(job.id, { userId: job.userId });
  for (const item of items) if (item.costUsd !== undefined) log(`${item.title ?? item.videoId}: ${formatUsd(item.costUsd)}`);
  log(`Cost of the batch: ${ended.costUsd === undefined ? 'unknown' : formatUsd(ended.costUsd)} (half the request/response price)`);
  const out = options.out ?? 'tubesum-message-batches.zip';
  await writeFile(out, await processor.export(job.id, { userId: job.userId })); // index.md and batch.json carry the cost too
  log(`ZIP written to ${out}`);
  await processor.close();
  await store.close?.();
  return ended;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
