/**
 * Every event a batch emits, enough to draw a progress bar: counts, percent, ETA and the
 * videos being worked on. One transcript fetch fails once with a retryable error, to show
 * `itemRetry`; one video has no transcript at all, to show a failure.
 *
 *   pnpm tsx examples/progress-events.ts
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatchProcessor, ErrorCode, ExtractiveSummarizer, FileTranscriptSource, TubesumError, createMemoryStore } from '@tubesum/core';
import type { JobSnapshot, TranscriptSource } from '@tubesum/core';

const directory = fileURLToPath(new URL('./transcripts', import.meta.url));

/** Files, except that the first fetch of each video is refused as YouTube's 429 would be. */
function flakyTranscripts(): TranscriptSource {
  const files = new FileTranscriptSource({ directory });
  const seen = new Set<string>();
  return {
    name: 'flaky-files',
    async fetchTranscript(videoId, options) {
      if (!seen.has(videoId)) {
        seen.add(videoId);
        throw new TubesumError(ErrorCode.TOO_MANY_REQUESTS, 'Too many requests (simulated).', { videoId, retryAfterMs: 50 });
      }
      return files.fetchTranscript(videoId, options);
    },
  };
}

export async function main({ log = console.log } = {}): Promise<JobSnapshot> {
  const processor = new BatchProcessor({
    transcripts: flakyTranscripts(),
    summarizer: new ExtractiveSummarizer(),
    store: createMemoryStore(),
    retry: { attempts: 3, minDelayMs: 50, maxDelayMs: 200 },
  });

  processor.on('batchStart', ({ job, resumed }) => log(`batchStart   ${job.total} videos${resumed ? ' (resumed)' : ''}`));
  processor.on('itemStart', ({ item }) => log(`itemStart    #${item.index + 1} ${item.videoId}`));
  processor.on('itemStage', ({ item, stage }) => log(`itemStage    #${item.index + 1} ${item.videoId} ${stage}`));
  processor.on('itemRetry', ({ item, attempt, error, delayMs }) =>
    log(`itemRetry    #${item.index + 1} attempt ${attempt} failed with ${error.code}, next in ${delayMs} ms`),
  );
  processor.on('itemEnd', ({ item, status, error, cached }) =>
    log(`itemEnd      #${item.index + 1} ${status}${error ? ` ${error.code}` : ''}${cached ? ' (cached)' : ''}`),
  );
  processor.on('batchProgress', ({ progress }) => {
    const eta = progress.etaMs === undefined ? '?' : `${Math.round(progress.etaMs)} ms`;
    const current = progress.current.map((each) => `${each.videoId}:${each.stage}`).join(' ');
    log(`batchProgress ${progress.percent.toFixed(0)}% ${progress.ended}/${progress.total} ETA ${eta} [${current}]`);
  });
  processor.on('batchEnd', ({ status, progress }) =>
    log(`batchEnd     ${status}: ${progress.counts.done} done, ${progress.counts.failed} failed in ${progress.elapsedMs} ms`),
  );

  // The last id has no transcript file: it fails with TRANSCRIPTS_DISABLED, the batch goes on and ends `failed`.
  const job = await processor.submit({ userId: 'me', urls: ['https://youtu.be/Xk3pL9vQm2A', 'https://youtu.be/nW4cR7yBx0U', 'NoSuchVideo'] });
  const ended = await processor.waitFor(job.id, { userId: 'me' }); // the promise twin of 'batchEnd'
  await processor.close();
  return ended;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
