/**
 * Cancelling a batch: an AbortSignal (or `processor.cancel(jobId, { userId })`) stops the work
 * in flight, not only the work still queued. Finished videos are kept and the ZIP can still
 * be exported; the others end as `cancelled`.
 *
 *   pnpm tsx examples/cancellation.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, createMemoryStore } from '@tubesum/core';
import type { JobSnapshot, Summarizer } from '@tubesum/core';

const directory = fileURLToPath(new URL('./transcripts', import.meta.url));

/** The extractive summarizer, made as slow as a real model so there is time to cancel. */
function slowSummarizer(delayMs: number): Summarizer {
  const inner = new ExtractiveSummarizer();
  return {
    model: inner.model,
    promptVersion: inner.promptVersion,
    async summarize(transcript, options) {
      await sleep(delayMs, undefined, { signal: options?.signal }); // rejects at once on abort
      return inner.summarize(transcript, options);
    },
  };
}

export async function main({ log = console.log } = {}): Promise<JobSnapshot> {
  const processor = new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory }),
    summarizer: slowSummarizer(200),
    store: createMemoryStore(),
    concurrency: { summaries: 1 },
  });
  const controller = new AbortController();

  // Stop as soon as the first video is done (a Cancel button, Ctrl-C, a deadline…).
  processor.on('itemEnd', ({ item, status }) => {
    log(`${status}: ${item.title ?? item.videoId}`);
    if (status === 'done') controller.abort();
  });

  const urls = ['Xk3pL9vQm2A', 'b7RtN0wYc4E', 'q2ZsH8uJd5M', 'T9fVe1KpL6s', 'nW4cR7yBx0U'];
  const job = await processor.submit({ userId: 'me', urls, signal: controller.signal });
  const ended = await processor.waitFor(job.id, { userId: 'me' });
  log(`Batch ${ended.status}: ${ended.progress.counts.done} done, ${ended.progress.counts.cancelled} cancelled`);

  const zip = await processor.export(job.id, { userId: 'me' }); // what was finished is kept
  log(`The ZIP of the partial batch is ${zip.byteLength} bytes`);
  await processor.close();
  return ended;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
