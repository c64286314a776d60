/**
 * Writing your own summarizer: implement the `Summarizer` interface (a model name, a prompt
 * version for the cache key, and `summarize`). This one needs no model at all: it keeps the
 * first sentence of every minute of the video. A real one would call your model here, pass
 * `options.signal` to its HTTP call, and throw a `TubesumError` (`RATE_LIMITED`,
 * `AUTHENTICATION_FAILED`, …) so the processor knows what to retry. It must not retry itself.
 *
 *   pnpm tsx examples/bring-your-own-summarizer.ts
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatchProcessor, ErrorCode, FileTranscriptSource, TubesumError, createMemoryStore } from '@tubesum/core';
import type { KeyPoint, SummarizeOptions, Summarizer, Summary, SummaryRecord, Transcript } from '@tubesum/core';

const directory = fileURLToPath(new URL('./transcripts', import.meta.url));

const timestamp = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

export class FirstSentencePerMinuteSummarizer implements Summarizer {
  readonly model = 'first-sentence-per-minute';
  readonly promptVersion = '1'; // change it when the output changes: cached summaries are keyed by it

  async summarize(transcript: Transcript, options: SummarizeOptions = {}): Promise<Summary> {
    options.signal?.throwIfAborted();
    if (transcript.segments.length === 0) {
      throw new TubesumError(ErrorCode.EMPTY_TRANSCRIPT, 'Nothing to summarize.', { videoId: transcript.videoId });
    }
    const keyPoints: KeyPoint[] = [];
    let lastMinute = -1;
    for (const segment of transcript.segments) {
      const minute = Math.floor(segment.startMs / 60_000);
      if (minute > lastMinute) keyPoints.push({ text: segment.text, startMs: segment.startMs });
      lastMinute = minute;
    }
    const link = (ms: number) => `https://www.youtube.com/watch?v=${transcript.videoId}&t=${Math.floor(ms / 1000)}`;
    const tldr = keyPoints[0]?.text ?? '';
    const markdown = [
      '## TL;DR',
      '',
      tldr,
      '',
      '## Minute by minute',
      '',
      ...keyPoints.map((point) => `- [${timestamp(point.startMs)}](${link(point.startMs)}) ${point.text}`),
    ].join('\n');
    return {
      tldr,
      keyPoints,
      markdown,
      language: options.language ?? transcript.language,
      model: this.model,
      usage: { inputTokens: 0, outputTokens: 0 },
    };
  }
}

export async function main({ log = console.log } = {}): Promise<Summary[]> {
  const processor = new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory }),
    summarizer: new FirstSentencePerMinuteSummarizer(),
    store: createMemoryStore(),
  });
  const job = await processor.submit({ userId: 'me', urls: ['https://youtu.be/nW4cR7yBx0U'] });
  await processor.waitFor(job.id, { userId: 'me' });

  // The summary as the processor stored it (the ZIP holds the same Markdown).
  const summaries: Summary[] = [];
  for (const item of await processor.items(job.id, { userId: 'me' })) {
    const record = item.summaryKey ? await processor.store.getCached<SummaryRecord>(item.summaryKey) : undefined;
    if (record) summaries.push(record.summary);
    log(`${item.title}:\n${record?.summary.markdown ?? item.error?.message}`);
  }
  await processor.close();
  return summaries;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
