import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, createMemoryStore, createSqliteStore } from '@tubesum/core';
import type { JobSnapshot, Summarizer } from '@tubesum/core';
import { createServer, main } from '../http-server.js';

/** The extractive summarizer behind a gate the test opens, so a batch can be watched mid-way. */
function gatedSummarizer() {
  const inner = new ExtractiveSummarizer();
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => (open = resolve));
  const summarizer: Summarizer = {
    model: inner.model,
    promptVersion: inner.promptVersion,
    async summarize(transcript, options) {
      const signal = options?.signal;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        void gate.then(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
      return inner.summarize(transcript, options);
    },
  };
  return {
    summarizer,
    open: () => open(),
    close: () => {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

/** Reads Server-Sent Events until the server ends the stream. */
async function readEvents(response: Response, onEvent: (name: string, data: unknown) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.+)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.+)$/m.exec(block)?.[1];
      onEvent(name, data === undefined ? undefined : JSON.parse(data));
    }
  }
}

describe('examples/http-server.ts', () => {
  const gate = gatedSummarizer();
  const processor = new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory: fileURLToPath(new URL('../transcripts', import.meta.url)) }),
    summarizer: gate.summarizer,
    store: createMemoryStore(),
  });
  let server: Server;
  let base = '';
  const as = (token: string | undefined, init: RequestInit = {}) => ({
    ...init,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  const post = (path: string, token: string | undefined, body: unknown) => fetch(`${base}${path}`, as(token, { method: 'POST', body: JSON.stringify(body) }));

  beforeAll(async () => {
    server = createServer({ processor, tokens: { 'alice-token': 'alice', 'bob-token': 'bob' } }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await processor.close();
  });

  it('answers 401 without a valid bearer token', async () => {
    for (const token of [undefined, 'wrong-token', 'constructor', '__proto__', 'toString']) {
      const response = await fetch(`${base}/batches`, as(token));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('rejects bad bodies and inputs without a video with 400', async () => {
    const notJson = await fetch(`${base}/batches`, as('alice-token', { method: 'POST', body: 'urls=x' }));
    expect(notJson.status).toBe(400);
    const noVideo = await post('/batches', 'alice-token', { urls: 'https://vimeo.com/76979871' });
    expect(noVideo.status).toBe(400);
    expect(await noVideo.json()).toMatchObject({ error: { code: 'INVALID_URL' } });
  });

  it('creates a batch, streams its progress as SSE, shows its status and serves its ZIP; only to its owner', async () => {
    const created = await post('/batches', 'alice-token', {
      urls: 'https://youtu.be/Xk3pL9vQm2A https://vimeo.com/1 https://youtu.be/nW4cR7yBx0U',
      name: 'Two talks',
    });
    expect(created.status).toBe(201);
    const job = (await created.json()) as JobSnapshot;
    expect(job).toMatchObject({ total: 2, name: 'Two talks', status: 'running', rejected: [{ input: 'https://vimeo.com/1' }] });

    // Bob sees none of it.
    for (const path of [`/batches/${job.id}`, `/batches/${job.id}/zip`, `/batches/${job.id}/events`]) {
      expect((await fetch(`${base}${path}`, as('bob-token'))).status).toBe(404);
    }
    expect((await fetch(`${base}/batches/${job.id}`, as('bob-token', { method: 'DELETE' }))).status).toBe(404);
    expect(await (await fetch(`${base}/batches`, as('bob-token'))).json()).toEqual([]);

    const stream = await fetch(`${base}/batches/${job.id}/events`, as('alice-token'));
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const events: { name: string; data: unknown }[] = [];
    await readEvents(stream, (name, data) => {
      events.push({ name, data });
      if (name === 'snapshot') gate.open(); // the summaries start once we are listening
    });
    const names = events.map((event) => event.name);
    expect(names[0]).toBe('snapshot');
    expect(names.filter((name) => name === 'itemEnd')).toHaveLength(2);
    expect(names.at(-1)).toBe('batchEnd');
    expect(events.at(-1)?.data).toMatchObject({ jobId: job.id, status: 'done', progress: { percent: 100 } });

    const status = (await (await fetch(`${base}/batches/${job.id}`, as('alice-token'))).json()) as { job: JobSnapshot; items: { status: string }[] };
    expect(status.job.status).toBe('done');
    expect(status.items.map((item) => item.status)).toEqual(['done', 'done']);

    const zip = await fetch(`${base}/batches/${job.id}/zip`, as('alice-token'));
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const files = Object.keys((await JSZip.loadAsync(await zip.arrayBuffer())).files);
    expect(files).toEqual(expect.arrayContaining(['index.md', 'batch.json']));

    const list = (await (await fetch(`${base}/batches`, as('alice-token'))).json()) as JobSnapshot[];
    expect(list.map((each) => each.id)).toContain(job.id);

    // A batch that has ended streams its snapshot and closes.
    const ended: string[] = [];
    await readEvents(await fetch(`${base}/batches/${job.id}/events`, as('alice-token')), (name) => ended.push(name));
    expect(ended).toEqual(['snapshot']);
  });

  it('cancels with DELETE or POST /cancel, keeping the batch exportable', async () => {
    gate.close();
    for (const cancel of [
      (id: string) => fetch(`${base}/batches/${id}`, as('alice-token', { method: 'DELETE' })),
      (id: string) => fetch(`${base}/batches/${id}/cancel`, as('alice-token', { method: 'POST' })),
    ]) {
      const job = (await (await post('/batches', 'alice-token', { urls: ['T9fVe1KpL6s', 'q2ZsH8uJd5M'] })).json()) as JobSnapshot;
      const response = await cancel(job.id);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: job.id, status: 'cancelled', progress: { counts: { cancelled: 2 } } });
      expect((await fetch(`${base}/batches/${job.id}/zip`, as('alice-token'))).status).toBe(200);
    }
    gate.open();
  });
});

describe('examples/http-server.ts behind a load balancer: two replicas on one store', () => {
  it('streams a batch run by replica A from replica B, and B cancels a batch A runs', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tubesum-http-replicas-'));
    const path = join(directory, 'store.sqlite');
    const transcripts = () => new FileTranscriptSource({ directory: fileURLToPath(new URL('../transcripts', import.meta.url)) });
    const gate = gatedSummarizer();
    const replicas = [gate.summarizer, new ExtractiveSummarizer()].map(
      (summarizer) =>
        new BatchProcessor({
          transcripts: transcripts(),
          summarizer,
          store: createSqliteStore({ path }),
          closeStore: true,
          pollIntervalMs: 50,
          stateWriteIntervalMs: 50,
        }),
    );
    const servers = replicas.map((processor) => createServer({ processor, tokens: { 'alice-token': 'alice' } }).listen(0, '127.0.0.1'));
    try {
      await Promise.all(servers.map((server) => once(server, 'listening')));
      const [a, b] = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`) as [string, string];
      const auth = { authorization: 'Bearer alice-token', 'content-type': 'application/json' };
      const created = await fetch(`${a}/batches`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ urls: 'https://youtu.be/Xk3pL9vQm2A https://youtu.be/nW4cR7yBx0U' }),
      });
      const job = (await created.json()) as JobSnapshot;
      const events: { name: string; data: unknown }[] = [];
      await readEvents(await fetch(`${b}/batches/${job.id}/events`, { headers: auth }), (name, data) => {
        events.push({ name, data });
        if (name === 'snapshot') gate.open();
      });
      const names = events.map((event) => event.name);
      expect(names[0]).toBe('snapshot');
      expect(names.at(-1)).toBe('batchEnd');
      expect(events.at(-1)?.data).toMatchObject({ jobId: job.id, status: 'done', progress: { counts: { done: 2 } } });

      gate.close();
      const second = (await (
        await fetch(`${a}/batches`, { method: 'POST', headers: auth, body: JSON.stringify({ urls: ['T9fVe1KpL6s', 'q2ZsH8uJd5M'] }) })
      ).json()) as JobSnapshot;
      const cancelled = await fetch(`${b}/batches/${second.id}`, { method: 'DELETE', headers: auth });
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toMatchObject({ id: second.id, status: 'cancelled', progress: { counts: { cancelled: 2 } } });
      const seenByA = (await (await fetch(`${a}/batches/${second.id}`, { headers: auth })).json()) as { job: JobSnapshot };
      expect(seenByA.job).toMatchObject({ status: 'cancelled', counts: { cancelled: 2 } });
    } finally {
      gate.open();
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
      await Promise.all(replicas.map((processor) => processor.close()));
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('examples/http-server.ts as started from the command line', () => {
  it('reads PORT, TOKENS and TUBESUM_STORE, and in demo mode streams the progress live', async () => {
    const { server, processor, url } = await main({ PORT: '0', TOKENS: 'carol-token:carol', TUBESUM_STORE: 'memory://', DEMO_DELAY_MS: '300' });
    try {
      const headers = { authorization: 'Bearer carol-token', 'content-type': 'application/json' };
      const created = await fetch(`${url}/batches`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ urls: 'https://youtu.be/Xk3pL9vQm2A https://youtu.be/T9fVe1KpL6s' }),
      });
      expect(created.status).toBe(201);
      const job = (await created.json()) as JobSnapshot;
      const stream = await fetch(`${url}/batches/${job.id}/events`, { headers });
      const events = [...(await stream.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
      // Opened after the batch started, the stream still sees the videos finish one by one.
      expect(events[0]).toBe('snapshot');
      expect(events.filter((event) => event === 'itemEnd')).toHaveLength(2);
      expect(events.at(-1)).toBe('batchEnd');
      expect((await fetch(`${url}/batches`, { headers: { authorization: 'Bearer alice-token' } })).status).toBe(401);
    } finally {
      server.closeAllConnections();
      server.close();
      await processor.close();
    }
  });
});
