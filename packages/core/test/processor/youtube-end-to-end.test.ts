import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { BatchProcessor, ExtractiveSummarizer, YouTubeTranscriptSource, createMemoryStore } from '@tubesum/core';
import { fakeYouTube, fastLimiter, recorded, skipWithoutRecordedYouTube, text } from '../transcripts/fake-youtube.js';

describe.skipIf(skipWithoutRecordedYouTube())('a batch through the real YouTube code path (captured answers via fetch)', () => {
  it('summarizes, exports with the video’s metadata, and asks YouTube nothing the second time', async () => {
    const youtube = fakeYouTube({ player: text(recorded('youtube.innertube.json')), captions: text(recorded('transcript.xml')) });
    const store = createMemoryStore();
    const processor = new BatchProcessor({
      transcripts: new YouTubeTranscriptSource({ fetch: youtube.fetch, limiter: fastLimiter() }),
      summarizer: new ExtractiveSummarizer(),
      store,
    });
    try {
      const first = await processor.submit({ userId: 'a', urls: 'https://youtu.be/GJLlxj_dtq8?si=abc' });
      expect((await processor.waitFor(first.id, first)).counts.done).toBe(1);
      const requests = youtube.requests.length;
      expect(youtube.routes()).toEqual(['player', 'captions']);

      const zip = await JSZip.loadAsync(await processor.export(first.id, { userId: 'a' }));
      const [file] = Object.keys(zip.files).filter((name) => name.startsWith('summaries/') && name.endsWith('.md'));
      const markdown = await zip.file(file!)!.async('string');
      expect(markdown).toContain('title: "Surface Go Review - It’s Awesome"');
      expect(markdown).toContain('channel: "Dave2D"');
      expect(markdown).toContain('https://www.youtube.com/watch?v=GJLlxj_dtq8&t=');

      const second = await processor.submit({ userId: 'b', urls: 'https://www.youtube.com/watch?v=GJLlxj_dtq8' });
      expect((await processor.waitFor(second.id, second)).counts.done).toBe(1);
      expect(youtube.requests.length).toBe(requests);
    } finally {
      await processor.close();
    }
  });

  it('records YouTube’s own refusal as the item’s error and goes on with the batch', async () => {
    const youtube = fakeYouTube({ player: text(recorded('youtube_video_unavailable.innertube.json')) });
    const processor = new BatchProcessor({
      transcripts: new YouTubeTranscriptSource({ fetch: youtube.fetch, limiter: fastLimiter() }),
      summarizer: new ExtractiveSummarizer(),
      store: createMemoryStore(),
    });
    try {
      const job = await processor.submit({ userId: 'a', urls: 'https://youtu.be/aaaaaaaaaaa https://youtu.be/bbbbbbbbbbb' });
      const ended = await processor.waitFor(job.id, job);
      expect(ended.counts).toMatchObject({ failed: 2, done: 0 });
      const items = await processor.items(job.id, { userId: 'a' });
      expect(items.map((item) => [item.error?.code, item.attempts])).toEqual([
        ['VIDEO_UNAVAILABLE', 1],
        ['VIDEO_UNAVAILABLE', 1],
      ]);
    } finally {
      await processor.close();
    }
  });
});
