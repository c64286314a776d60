import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createExportZip } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { unzipSync } from 'fflate';
import { renderSummaryMarkdown } from '../../src/summarizers/render-summary-markdown.js';
import { makeItem, makeJob, makeSummary } from '../export/fixtures.js';

const utf8 = new TextDecoder();

/** A FakeSummarizer's summary of `bodyChars`, with its file and `batch.json` in a one-video export. */
async function exportOne(bodyChars: number) {
  const item = makeItem(0, { summaryKey: 'summary:v1:x' });
  const summary = await new FakeSummarizer({ bodyChars }).summarize(await new FakeTranscriptSource().fetchTranscript(item.videoId));
  const job = makeJob({ total: 1, counts: { pending: 0, running: 0, done: 1, failed: 0, cancelled: 0 } });
  const files = unzipSync(await createExportZip(job, [{ item, summary: makeSummary(item, { summary }) }], { date: new Date('2026-02-01T00:00:00Z') }));
  const summaryFile = Object.entries(files).find(([name]) => name.startsWith('summaries/') && name.endsWith('.md'));
  return { summary, file: utf8.decode(summaryFile![1]), manifest: utf8.decode(files['batch.json']!) };
}

describe('FakeSummarizer', () => {
  it('renders its markdown from its sections, as the real summarizers do', async () => {
    const transcript = await new FakeTranscriptSource().fetchTranscript('abcdefghijk');
    const summary = await new FakeSummarizer({ bodyChars: 1200 }).summarize(transcript);
    expect(summary.chapters).toHaveLength(3);
    expect(summary.chapters!.map((chapter) => chapter.summary.length)).toEqual([500, 500, 200]);
    expect(summary.markdown).toBe(renderSummaryMarkdown('abcdefghijk', summary));
  });

  it('writes prose that compresses like prose, different for each video and the same each time', async () => {
    const prose = async (videoId: string) =>
      (await new FakeSummarizer({ bodyChars: 3000 }).summarize(await new FakeTranscriptSource().fetchTranscript(videoId)))
        .chapters!.map((chapter) => chapter.summary)
        .join('');
    const text = await prose('abcdefghijk');
    expect(text).toHaveLength(3000);
    expect(text).toBe(await prose('abcdefghijk'));
    expect(text).not.toBe(await prose('abcdefghijl'));
    // English prose deflates to about 35-45% of its size; a repeated sentence to a few percent.
    expect(deflateRawSync(text).byteLength / text.length).toBeGreaterThan(0.3);
  });

  it('bodyChars grows the markdown, the exported summary file and batch.json by about that much', async () => {
    const short = await exportOne(0);
    const long = await exportOne(3000);
    expect(short.summary.chapters).toBeUndefined();
    for (const part of ['markdown', 'file', 'manifest'] as const) {
      const grown = (part === 'markdown' ? long.summary.markdown : long[part]).length - (part === 'markdown' ? short.summary.markdown : short[part]).length;
      expect(grown, part).toBeGreaterThanOrEqual(3000);
      expect(grown, part).toBeLessThan(3000 * 1.5);
    }
  });
});
