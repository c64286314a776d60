import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_VERSION, ErrorCode, TubesumError, createExportZip } from '@tubesum/core';
import type { ExportEntry, ExportManifest } from '@tubesum/core';
import { makeItem, makeJob, makeSummary, streamOf, videoIdOf } from './fixtures.js';

const DATE = new Date('2026-02-01T00:00:00.000Z');

async function unzip(zip: Uint8Array): Promise<Map<string, string>> {
  const archive = await JSZip.loadAsync(zip);
  const files = new Map<string, string>();
  for (const [name, file] of Object.entries(archive.files)) {
    if (!file.dir) files.set(name, await file.async('string'));
  }
  return files;
}

/** Front matter as key -> value; each value is a YAML double-quoted string (JSON-compatible) or a scalar. */
function frontMatter(markdown: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  expect(match).not.toBeNull();
  const fields: Record<string, unknown> = {};
  for (const line of (match?.[1] ?? '').split('\n')) {
    const at = line.indexOf(': ');
    expect(at).toBeGreaterThan(0);
    fields[line.slice(0, at)] = JSON.parse(line.slice(at + 2));
  }
  return fields;
}

/** A batch with every kind of outcome. */
function mixedBatch(): { job: ReturnType<typeof makeJob>; entries: ExportEntry[] } {
  const done = makeItem(0);
  const failed = makeItem(1, {
    status: 'failed',
    attempts: 4,
    error: { code: ErrorCode.VIDEO_UNAVAILABLE, message: 'This video is private', retryable: false },
  });
  const cancelled = makeItem(2, {
    status: 'cancelled',
    error: { code: ErrorCode.CANCELLED, message: 'Cancelled before it finished.', retryable: false },
  });
  const pending = makeItem(3, { status: 'pending', attempts: 0 });
  const job = makeJob({
    total: 4,
    rejected: [{ input: 'https://example.com/x', reason: 'Not a YouTube link: example.com' }],
    duplicates: [{ input: `https://youtu.be/${done.videoId}?t=3`, videoId: done.videoId }],
  });
  return {
    job,
    entries: [{ item: done, summary: makeSummary(done) }, { item: failed }, { item: cancelled }, { item: pending }],
  };
}

describe('createExportZip', () => {
  it('writes index.md, one summary file per summary and batch.json', async () => {
    const { job, entries } = mixedBatch();
    const files = await unzip(await createExportZip(job, streamOf(entries), { date: DATE }));
    expect([...files.keys()].sort()).toEqual(['batch.json', 'index.md', 'summaries/001-Talk number 1.md']);
  });

  it('index.md lists every input with its status and reason', async () => {
    const { job, entries } = mixedBatch();
    const index = (await unzip(await createExportZip(job, streamOf(entries), { date: DATE }))).get('index.md') ?? '';
    expect(index).toContain('# Conference talks');
    expect(index).toContain('- **Created:** 2026-01-31 14:05 UTC');
    expect(index).toContain('- **Videos:** 4 — 1 done, 1 failed, 1 cancelled, 1 pending');
    expect(index).toContain('- **Rejected inputs:** 1 · **Duplicate inputs:** 1');
    expect(index).toContain('| 1 | [Talk number 1](summaries/001-Talk%20number%201.md) | done |');
    expect(index).toMatch(/\| 2 \| `v0000000001` \| failed \| .*This video is private \(`VIDEO_UNAVAILABLE`\) \|/);
    expect(index).toMatch(/\| 3 \| `v0000000002` \| cancelled \| .*\(`CANCELLED`\) \|/);
    expect(index).toMatch(/\| 4 \| `v0000000003` \| pending \| \[watch\]\(https:\/\/www\.youtube\.com\/watch\?v=v0000000003\) \|/);
    expect(index).toContain('## Rejected inputs');
    expect(index).toContain('| https://example.com/x | Not a YouTube link: example.com |');
    expect(index).toContain('## Duplicate inputs');
    expect(index).toContain('| https://youtu.be/v0000000000?t=3 | #1 Talk number 1 |');
  });

  it('a summary file has front matter and key points and chapters linking into the video', async () => {
    const { job, entries } = mixedBatch();
    const files = await unzip(await createExportZip(job, streamOf(entries), { date: DATE }));
    const file = files.get('summaries/001-Talk number 1.md') ?? '';
    expect(frontMatter(file)).toEqual({
      title: 'Talk number 1',
      channel: 'Some Channel',
      url: 'https://www.youtube.com/watch?v=v0000000000',
      video_id: 'v0000000000',
      duration: '1:02:05',
      duration_seconds: 3725,
      language: 'en',
      summary_language: 'en',
      model: 'claude-haiku-4-5',
      auto_generated_captions: true,
      extractive: false,
      partial: false,
      created: '2026-01-31T14:06:00.000Z',
      batch: 'job-1',
    });
    expect(file).toContain('# Talk number 1');
    expect(file).toContain('## TL;DR\n\nA talk about things.');
    expect(file).toContain('- [0:42](https://www.youtube.com/watch?v=v0000000000&t=42) The first point.');
    expect(file).toContain('- [1:02:03](https://www.youtube.com/watch?v=v0000000000&t=3723) A point past the hour.');
    expect(file).toContain('### [0:00](https://www.youtube.com/watch?v=v0000000000&t=0) Opening');
  });

  it('renders timestamps from the structured fields whatever the model wrote in its Markdown', async () => {
    const item = makeItem(0);
    const summary = makeSummary(item);
    summary.summary.markdown = '- [0:42](https://evil.example/?t=42) The first point.';
    summary.summary.keyPoints = [
      { text: 'The first point.', startMs: 42_000 },
      { text: 'Bad time', startMs: Number.NaN },
    ];
    const files = await unzip(await createExportZip(makeJob({ total: 1 }), streamOf([{ item, summary }])));
    const file = files.get('summaries/001-Talk number 1.md') ?? '';
    expect(file).not.toContain('evil.example');
    expect(file).toContain('- [0:42](https://www.youtube.com/watch?v=v0000000000&t=42) The first point.');
    expect(file).toContain('- [0:00](https://www.youtube.com/watch?v=v0000000000&t=0) Bad time');
  });

  it('falls back to the model Markdown when the summary has no structured parts', async () => {
    const item = makeItem(0);
    const summary = makeSummary(item);
    summary.summary = { ...summary.summary, tldr: ' ', keyPoints: [], markdown: 'Free-form notes.' };
    delete summary.summary.chapters;
    const file = (await unzip(await createExportZip(makeJob({ total: 1 }), streamOf([{ item, summary }])))).get('summaries/001-Talk number 1.md');
    expect(file).toContain('Free-form notes.');
  });

  it('batch.json is versioned and machine-readable', async () => {
    const { job, entries } = mixedBatch();
    const files = await unzip(await createExportZip(job, streamOf(entries), { date: DATE }));
    const manifest = JSON.parse(files.get('batch.json') ?? '') as ExportManifest;
    expect(manifest.formatVersion).toBe(EXPORT_FORMAT_VERSION);
    expect(EXPORT_FORMAT_VERSION).toBe(2);
    expect(manifest.exportedAt).toBe(DATE.toISOString());
    expect(manifest.job).toMatchObject({ id: 'job-1', name: 'Conference talks', status: 'done', total: 4 });
    expect(manifest.job.counts).toEqual({ pending: 1, running: 0, done: 1, failed: 1, cancelled: 1 });
    expect(manifest.items.map((item) => [item.index, item.status, item.file])).toEqual([
      [0, 'done', 'summaries/001-Talk number 1.md'],
      [1, 'failed', undefined],
      [2, 'cancelled', undefined],
      [3, 'pending', undefined],
    ]);
    expect(manifest.items[0]).toMatchObject({
      videoId: 'v0000000000',
      url: 'https://www.youtube.com/watch?v=v0000000000',
      input: 'https://youtu.be/v0000000000',
      title: 'Talk number 1',
      channel: 'Some Channel',
      durationSeconds: 3725,
    });
    expect(manifest.items[0]?.summary?.keyPoints[0]).toEqual({
      text: 'The first point.',
      startMs: 42_500,
      url: 'https://www.youtube.com/watch?v=v0000000000&t=42',
    });
    expect(manifest.items[1]?.error).toEqual({ code: 'VIDEO_UNAVAILABLE', message: 'This video is private', retryable: false });
    expect(manifest.rejected).toEqual(job.rejected);
    expect(manifest.duplicates).toEqual([{ ...job.duplicates[0], index: 0 }]);
    expect(JSON.stringify(manifest)).not.toContain('user-1');
  });

  it('keeps batch order when entries arrive out of order', async () => {
    const entries = [2, 0, 1].map((index) => ({ item: makeItem(index, { status: 'pending' as const }) }));
    const files = await unzip(await createExportZip(makeJob({ total: 3 }), streamOf(entries)));
    const manifest = JSON.parse(files.get('batch.json') ?? '') as ExportManifest;
    expect(manifest.items.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(files.get('index.md')).toMatch(/\| 1 \|[^\n]*\n\| 2 \|[^\n]*\n\| 3 \|/);
  });

  it('accepts an empty job and says so', async () => {
    const files = await unzip(await createExportZip(makeJob({ total: 0, name: '' }), streamOf([])));
    expect(files.get('index.md')).toContain('# tubesum batch');
    expect(files.get('index.md')).toContain('No videos.');
    expect(JSON.parse(files.get('batch.json') ?? '').items).toEqual([]);
  });

  it('notes items missing from the store and done items without a summary', async () => {
    const files = await unzip(await createExportZip(makeJob({ total: 3 }), streamOf([{ item: makeItem(0) }])));
    expect(files.get('index.md')).toContain("1 of the job's 3 videos were found in the store");
    expect(files.get('index.md')).toContain('done (summary missing from the store)');
  });
});

describe('createExportZip with hostile titles', () => {
  const hostile = [
    '../../etc/passwd',
    'CON',
    'nul.txt',
    '😀 Emoji 👨‍👩‍👧 title',
    'x'.repeat(500),
    '@everyone check this',
    'Line one\nLine two\r\n---\ntitle: injected',
    'Quotes "and" \'apostrophes\': colons # hash',
    '<script>alert(1)</script> [link](javascript:alert(1)) | pipe',
    '\u202Egnp.exe',
    '...',
  ];

  async function exportTitles(): Promise<{ files: Map<string, string>; manifest: ExportManifest }> {
    const entries = hostile.map((title, index) => {
      const item = makeItem(index, { title });
      return { item, summary: makeSummary(item, { title, channel: 'Chan: "nel"\n---' }) };
    });
    const files = await unzip(await createExportZip(makeJob({ total: hostile.length }), streamOf(entries)));
    return { files, manifest: JSON.parse(files.get('batch.json') ?? '') as ExportManifest };
  }

  it('every file name is safe, bounded and unique, and inside summaries/', async () => {
    const { files, manifest } = await exportTitles();
    const names = [...files.keys()].filter((name) => name.startsWith('summaries/'));
    expect(names).toHaveLength(hostile.length);
    expect(new Set(names).size).toBe(hostile.length);
    for (const path of names) {
      const name = path.slice('summaries/'.length);
      expect(name).toMatch(/^\d{3}-[^<>:"/\\|?*\p{Cc}]+\.md$/u);
      expect(name).not.toContain('..');
      expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(110);
    }
    expect(manifest.items.map((item) => item.file)).toEqual(
      expect.arrayContaining(['summaries/001--.-etc-passwd.md', 'summaries/002-_CON.md', 'summaries/003-_nul.txt.md', 'summaries/011-v0000000010.md']),
    );
    expect(manifest.items[4]?.file).toBe(`summaries/005-${'x'.repeat(100)}.md`);
    expect(manifest.items[3]?.file).toBe('summaries/004-😀 Emoji 👨‍👩‍👧 title.md');
  });

  it('titles stay one YAML value and inert Markdown', async () => {
    const { files, manifest } = await exportTitles();
    for (const [index, title] of hostile.entries()) {
      const file = files.get(manifest.items[index]?.file ?? '') ?? '';
      const fields = frontMatter(file);
      expect(fields.title).toBe(title);
      expect(fields.channel).toBe('Chan: "nel"\n---');
      expect(manifest.items[index]?.title).toBe(title);
    }
    const newlines = files.get(manifest.items[6]?.file ?? '') ?? '';
    expect(newlines).toContain('# Line one Line two --- title: injected\n');
    const markup = files.get(manifest.items[8]?.file ?? '') ?? '';
    expect(markup).toContain('# \\<script\\>alert(1)\\</script\\> \\[link\\](javascript:alert(1)) \\| pipe');
    const index = files.get('index.md') ?? '';
    expect(index).not.toContain('<script>');
    expect(index).toContain('\\[link\\](javascript:alert(1)) \\| pipe');
    // Every table row of the index has exactly its four cells: no title broke the table.
    for (const row of index.split('\n').filter((line) => /^\| \d+ \|/.test(line))) {
      expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    }
  });
});

describe('createExportZip checks its arguments and its signal', () => {
  it.each([
    [null, 'Expected `job` to be a job snapshot, got `null`'],
    [{ ...makeJob(), id: 7 }, 'Expected `job.id` to be a string, got `7`'],
    [{ ...makeJob(), rejected: 'none' }, 'Expected `job.rejected` to be an array, got "none"'],
  ])('job %#', async (job, message) => {
    await expect(createExportZip(job as never, streamOf([]))).rejects.toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message }));
  });

  it('entries', async () => {
    await expect(createExportZip(makeJob(), 42 as never)).rejects.toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: 'Expected `entries` to be an async iterable of { item, summary? }, got `42`' }),
    );
    await expect(createExportZip(makeJob({ total: 1 }), streamOf([{ item: { ...makeItem(0), status: 'lost' } } as never]))).rejects.toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringContaining('`entries[0].item.status` to be one of "pending"') }),
    );
  });

  it('stops with CANCELLED when the signal aborts between entries', async () => {
    const controller = new AbortController();
    async function* entries(): AsyncGenerator<ExportEntry> {
      yield { item: makeItem(0, { status: 'pending' }) };
      controller.abort();
      yield { item: makeItem(1, { status: 'pending' }) };
    }
    const error: unknown = await createExportZip(makeJob({ total: 2 }), entries(), { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TubesumError);
    expect((error as TubesumError).code).toBe(ErrorCode.CANCELLED);
  });

  it('uses a video id for an untitled video', async () => {
    const item = makeItem(0, { videoId: videoIdOf(5) });
    const summary = makeSummary(item);
    delete summary.title;
    const files = await unzip(await createExportZip(makeJob({ total: 1 }), streamOf([{ item, summary }])));
    expect(files.has('summaries/001-v0000000005.md')).toBe(true);
    expect(files.get('summaries/001-v0000000005.md')).toContain('# v0000000005');
  });
});
