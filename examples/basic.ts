/**
 * The basics: submit a batch, follow it with events, export the ZIP.
 *
 *   pnpm tsx examples/basic.ts
 *
 * Runs offline: transcripts come from examples/transcripts, summaries from the extractive
 * summarizer. Swap in `new YouTubeTranscriptSource()` and `new AnthropicSummarizer()` for real videos.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, createMemoryStore } from '@tubesum/core';
import type { JobSnapshot } from '@tubesum/core';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export async function main({ out = 'tubesum-basic.zip', log = console.log } = {}): Promise<JobSnapshot> {
  const processor = new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory: here('./transcripts') }),
    summarizer: new ExtractiveSummarizer(),
    store: createMemoryStore(), // the default is a SQLite file under .tubesum/
  });
  processor.on('itemEnd', ({ item, status, progress }) => log(`[${progress.ended}/${progress.total}] ${status}: ${item.title ?? item.videoId}`));

  // One string with URLs in any form (or an array); it is split, validated and deduplicated.
  const urls = await readFile(here('./urls.txt'), 'utf8');
  const job = await processor.submit({ userId: 'me', urls, name: 'Sample batch' });
  log(`Batch ${job.id}: ${job.total} videos, ${job.rejected.length} rejected, ${job.duplicates.length} duplicate`);

  // The work runs in the background; waitFor resolves when every video has ended.
  const ended = await processor.waitFor(job.id, { userId: 'me' });
  await writeFile(out, await processor.export(job.id, { userId: 'me' }));
  log(`${ended.progress.counts.done} summaries written to ${out}`);

  await processor.close();
  return ended;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
