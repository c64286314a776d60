import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, createMemoryStore } from '@tubesum/core';
import type { BatchStore, JobSnapshot } from '@tubesum/core';
import { contentDisposition, createServer } from '../http-server.js';
import { storeWith } from '../../packages/core/test/support/store-with.js';

describe('examples/http-server.ts: GET /batches/:id/zip', () => {
  const inner = createMemoryStore();
  let failReads = false;
  // The memory store, with summary reads that can be made to fail.
  const store: BatchStore = storeWith(inner, {
    getCached: async <T>(key: string) => {
      if (failReads && key.startsWith('summary:')) throw new Error('connection lost');
      return inner.getCached<T>(key);
    },
    // The export reads a page of summaries at once.
    getManyCached: async <T>(keys: readonly string[]) => {
      if (failReads && keys.some((key) => key.startsWith('summary:'))) throw new Error('connection lost');
      return inner.getManyCached!<T>(keys);
    },
  });
  const processor = new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory: fileURLToPath(new URL('../transcripts', import.meta.url)) }),
    summarizer: new ExtractiveSummarizer(),
    store,
  });
  let server: Server;
  let base = '';
  const headers = { 'content-type': 'application/json', authorization: 'Bearer alice-token' };

  beforeAll(async () => {
    server = createServer({ processor, tokens: { 'alice-token': 'alice' } }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await processor.close();
  });

  async function finishedBatch(name: string, before: string[] = []): Promise<JobSnapshot> {
    const body = JSON.stringify({ name, urls: [...before, 'T9fVe1KpL6s', 'q2ZsH8uJd5M', 'Xk3pL9vQm2A'] });
    const job = (await (await fetch(`${base}/batches`, { method: 'POST', headers, body })).json()) as JobSnapshot;
    await processor.waitFor(job.id, job);
    return job;
  }

  it('streams the ZIP (chunked, no length known up front) with a safe Content-Disposition', async () => {
    const job = await finishedBatch('Talks: "best of" 2026 / été\r\nX-Injected: 1');
    const response = await fetch(`${base}/batches/${job.id}/zip?transcripts=1`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('x-injected')).toBeNull();
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Talks- best of 2026 - ete X-Injected- 1-${job.id}.zip"; ` +
        `filename*=UTF-8''Talks-%20best%20of%202026%20-%20%C3%A9t%C3%A9%20X-Injected-%201-${job.id}.zip`,
    );
    const files = Object.keys((await JSZip.loadAsync(await response.arrayBuffer())).files);
    expect(files.filter((name) => name.endsWith('.srt'))).toHaveLength(3);
  });

  it('a store failure before the first byte answers 500 with the error as JSON', async () => {
    const job = await finishedBatch('fails at once');
    failReads = true;
    try {
      const response = await fetch(`${base}/batches/${job.id}/zip`, { headers });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: 'STORAGE_ERROR' } });
    } finally {
      failReads = false;
    }
  });

  it('a store failure mid-download cuts the response: the client sees an error, not a whole-looking ZIP', async () => {
    // The export reads its first page (200 items) before the headers go out: 200 videos without a
    // transcript come first (no summary to read), so the summaries are read on the second page.
    const missing = Array.from({ length: 200 }, (_, index) => `zz${String(index).padStart(9, '0')}`);
    const job = await finishedBatch('fails', missing);
    failReads = true;
    try {
      const response = await fetch(`${base}/batches/${job.id}/zip`, { headers });
      expect(response.status).toBe(200); // the headers went out before the store failed
      await expect(response.arrayBuffer()).rejects.toThrow();
    } finally {
      failReads = false;
    }
  });

  it('answers 404 as JSON before any byte for a batch that is not yours', async () => {
    const response = await fetch(`${base}/batches/nope/zip`, { headers });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('contentDisposition never lets quotes, line breaks or path separators through', () => {
    expect(contentDisposition('../../etc/passwd')).toBe(`attachment; filename="-.-etc-passwd.zip"; filename*=UTF-8''-.-etc-passwd.zip`);
    expect(contentDisposition('日本語')).toBe(`attachment; filename="tubesum.zip"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.zip`);
  });
});
