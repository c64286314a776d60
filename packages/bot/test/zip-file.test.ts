import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchProcessor, createMemoryStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { planZipDelivery, readPiece, writeZipToTempFile } from '../src/zip-file.js';

describe('the ZIP as a temporary file, sent piece by piece', () => {
  const processor = new BatchProcessor({ transcripts: new FakeTranscriptSource(), summarizer: new FakeSummarizer(), store: createMemoryStore() });
  afterAll(() => processor.close());

  it('streams the export into its own temporary folder and removes it on dispose', async () => {
    const ids = ['aaaaaaaaaaa', 'bbbbbbbbbbb', 'ccccccccccc'];
    const job = await processor.submit({ userId: 'u', urls: ids.map((id) => `https://youtu.be/${id}`) });
    await processor.waitFor(job.id, job);
    const zip = await writeZipToTempFile(processor, job.id, 'u', { withTranscripts: true });
    expect(dirname(zip.path).startsWith(join(tmpdir(), 'tubesum-bot-'))).toBe(true);
    const bytes = await readFile(zip.path);
    expect(bytes.byteLength).toBe(zip.size);
    const names = Object.keys((await JSZip.loadAsync(bytes)).files);
    expect(names.filter((name) => name.endsWith('.srt'))).toHaveLength(3);
    await zip.dispose();
    expect(existsSync(dirname(zip.path))).toBe(false);
  });

  it('leaves nothing behind when the export fails', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tubesum-bot-test-'));
    try {
      await expect(writeZipToTempFile(processor, 'no-such-job', 'u', { parent })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await readdir(parent)).toEqual([]);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('splits a ZIP larger than the upload limit into byte ranges under it, read one at a time', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tubesum-bot-test-'));
    try {
      const path = join(directory, 'a.zip');
      const data = randomBytes(5000);
      await writeFile(path, data);
      expect(planZipDelivery(5000, 'a.zip', 10_000).attached).toEqual([{ name: 'a.zip', offset: 0, length: 5000, contentType: 'application/zip' }]);
      const plan = planZipDelivery(5000, 'a.zip', 2048);
      expect(plan.attached).toEqual([]);
      expect(plan.parts.map((part) => part.name)).toEqual(['a.zip.001', 'a.zip.002', 'a.zip.003']);
      const files = await Promise.all(plan.parts.map((part) => readPiece(path, part)));
      expect(files.every((file) => (file.data as Buffer).length <= 2048)).toBe(true);
      expect(Buffer.concat(files.map((file) => file.data as Buffer)).equals(data)).toBe(true);
      expect(plan.lines.join('\n')).toContain('larger than the 2 KB upload limit here');
      const tooBig = planZipDelivery(5000, 'a.zip', 100);
      expect(tooBig.parts).toEqual([]);
      expect(tooBig.lines.join('\n')).toContain('nothing was attached');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
