import { Readable } from 'node:stream';
import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, createMemoryStore, isTubesumError } from '@tubesum/core';
import type { BatchStore, ExportManifest } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { storeWith } from '../support/store-with.js';
import { checkZip } from '../support/zip-check.js';
import { setup, urlsOf, videoIds } from './helpers.js';

const processors: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(processors.splice(0).map((processor) => processor.close()));
});

/** A memory store whose cached reads fail from the `failFrom`-th value on (counting from when armed). */
function flakyStore(): { store: BatchStore; arm(failFrom: number): void; cachedReads(): number } {
  const inner = createMemoryStore();
  let armedAt: number | undefined;
  let reads = 0;
  const count = (values: number) => {
    reads += values;
    if (armedAt !== undefined && reads >= armedAt) throw new Error('connection reset by peer');
  };
  const store = storeWith(inner, {
    getCached: async <T>(key: string): Promise<T | undefined> => {
      count(1);
      return inner.getCached<T>(key);
    },
    getManyCached: async <T>(keys: readonly string[]): Promise<Array<T | undefined>> => {
      count(keys.length);
      return inner.getManyCached!<T>(keys);
    },
  });
  return { store, arm: (failFrom) => (armedAt = reads + failFrom), cachedReads: () => reads };
}

describe('BatchProcessor.exportStream', () => {
  it('streams the ZIP of a job, with transcripts on request', async () => {
    const { processor } = setup();
    processors.push(processor);
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(6)) });
    await processor.waitFor(job.id, job);
    const stream = await processor.exportStream(job.id, { userId: 'a', withTranscripts: true });
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.fromWeb(stream)) chunks.push(chunk as Buffer);
    expect(checkZip(Buffer.concat(chunks)).filter((entry) => !entry.directory)).toHaveLength(6 * 3 + 2);
    const zip = await JSZip.loadAsync(Buffer.concat(chunks));
    const names = Object.keys(zip.files).filter((name) => !zip.files[name]?.dir);
    expect(names.filter((name) => name.startsWith('summaries/'))).toHaveLength(6);
    expect(names.filter((name) => name.endsWith('.srt'))).toHaveLength(6);
    const text = await zip.file(names.find((name) => name.endsWith('.txt')) ?? '')!.async('string');
    expect(text).toMatch(/\n\[00:00\] \S/);
    const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as ExportManifest;
    expect(manifest.items.every((item) => item.transcriptFiles !== undefined)).toBe(true);
  });

  it('export() is the same stream collected', async () => {
    const { processor } = setup();
    processors.push(processor);
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(3)) });
    await processor.waitFor(job.id, job);
    const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: 'a' }));
    expect(Object.keys(zip.files).sort()).toEqual(expect.arrayContaining(['batch.json', 'index.md', 'summaries/']));
  });

  it('only the owner can export; the request is validated', async () => {
    const { processor } = setup();
    processors.push(processor);
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(1)) });
    await processor.waitFor(job.id, job);
    await expect(processor.exportStream(job.id, { userId: 'b' })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(processor.exportStream(job.id, { userId: 'a', withTranscripts: 'yes' as unknown as boolean })).rejects.toThrow(/withTranscripts/);
  });

  it('a store failure in the middle errors the stream with STORAGE_ERROR', async () => {
    const { store, arm } = flakyStore();
    const { processor } = setup({ store });
    processors.push(processor);
    // Three pages of 200: the stream resolves once the first is read.
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(450)) });
    await processor.waitFor(job.id, job);
    const stream = await processor.exportStream(job.id, { userId: 'a' });
    arm(1);
    const error: unknown = await new Response(stream).arrayBuffer().catch((caught: unknown) => caught);
    expect(isTubesumError(error, ErrorCode.STORAGE_ERROR)).toBe(true);
    expect((error as Error).message).toBe(`Could not read summaries in the store (batch ${job.id}): connection reset by peer`);
  });

  it('reads from a store without getManyCached one value at a time, and its failure errors the stream too', async () => {
    const inner = createMemoryStore();
    let reads = 0;
    let failing = false;
    const store = storeWith(inner, {
      getManyCached: undefined,
      getCached: async <T>(key: string): Promise<T | undefined> => {
        reads += 1;
        // Past the first page of 200, which is read before the stream resolves.
        if (failing && reads > 220) throw new Error('connection reset by peer');
        return inner.getCached<T>(key);
      },
    });
    const { processor } = setup({ store });
    processors.push(processor);
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(300)) });
    await processor.waitFor(job.id, job);
    reads = 0;
    failing = true;
    const error: unknown = await new Response(await processor.exportStream(job.id, { userId: 'a' })).arrayBuffer().catch((caught: unknown) => caught);
    expect(isTubesumError(error, ErrorCode.STORAGE_ERROR)).toBe(true);
    expect((error as Error).message).toBe(`Could not read a summary in the store (batch ${job.id}): connection reset by peer`);
    failing = false;
    const zip = await JSZip.loadAsync(await processor.export(job.id, { userId: 'a' }));
    expect(Object.keys(zip.files).filter((name) => name.startsWith('summaries/') && !name.endsWith('/'))).toHaveLength(300);
  });

  it('a paused batch exports what it has (the export once refused the status `paused`)', async () => {
    const ids = videoIds(8);
    const summarizer = new FakeSummarizer({ failures: Object.fromEntries(ids.slice(4).map((id) => [id, ErrorCode.AUTHENTICATION_FAILED])) });
    const { processor } = setup({ summarizer, concurrency: { transcripts: 1, summaries: 1 }, retry: { attempts: 1 } });
    processors.push(processor);
    const job = await processor.submit({ userId: 'a', urls: urlsOf(ids) });
    const paused = await processor.waitFor(job.id, job);
    expect(paused.status).toBe('paused');
    const files = await JSZip.loadAsync(await processor.export(job.id, { userId: 'a' }));
    const summaries = Object.keys(files.files).filter((name) => name.startsWith('summaries/') && !name.endsWith('/'));
    expect(summaries).toHaveLength(paused.counts.done);
    expect(paused.counts.done).toBe(4);
    expect(await files.file('index.md')!.async('string')).toContain('(paused)');
    const manifest = JSON.parse(await files.file('batch.json')!.async('string')) as ExportManifest;
    expect(manifest.job.status).toBe('paused');
  });

  it('cancelling the stream stops reading the store', async () => {
    const { store, cachedReads } = flakyStore();
    const { processor } = setup({ store });
    processors.push(processor);
    const job = await processor.submit({ userId: 'a', urls: urlsOf(videoIds(600)) });
    await processor.waitFor(job.id, job);
    const before = cachedReads();
    const reader = (await processor.exportStream(job.id, { userId: 'a' })).getReader();
    await reader.read();
    await reader.cancel();
    const atCancel = cachedReads();
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(cachedReads()).toBe(atCancel);
    expect(atCancel - before).toBeLessThan(600);
  });
});
