/**
 * What the batch page's browser tests run against: Debian's chromium driven by playwright-core,
 * the http-server example on 127.0.0.1 with a summarizer that finishes a video only when the
 * test releases it, and a transcript whose title is hostile HTML.
 */
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { BatchProcessor, ExtractiveSummarizer, FileTranscriptSource, createMemoryStore } from '@tubesum/core';
import type { Summarizer } from '@tubesum/core';
import { createServer } from '../http-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HOSTILE_ID = 'H0stileT1t1';
export const HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">Hostile <b>title</b>';

/** The extractive summarizer, but each summary waits for a permit from `release(n)`. */
export function permitSummarizer() {
  const inner = new ExtractiveSummarizer();
  let permits = 0;
  const waiting: (() => void)[] = [];
  const release = (count: number) => {
    permits += count;
    while (permits > 0 && waiting.length > 0) {
      permits -= 1;
      waiting.shift()!();
    }
  };
  const summarizer: Summarizer = {
    model: inner.model,
    promptVersion: inner.promptVersion,
    async summarize(transcript, options) {
      const signal = options?.signal;
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const at = waiting.indexOf(go);
          if (at !== -1) waiting.splice(at, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(go);
        release(0);
      });
      return inner.summarize(transcript, options);
    },
  };
  return { summarizer, release, waiting: () => waiting.length };
}

/** The bundled samples plus {@link HOSTILE_ID}, a copy of one of them under a title made of HTML. */
function transcriptsWithHostileTitle(): string {
  const samples = fileURLToPath(new URL('../transcripts', import.meta.url));
  const directory = mkdtempSync(join(tmpdir(), 'tubesum-web-'));
  for (const id of ['Xk3pL9vQm2A', 'b7RtN0wYc4E', 'q2ZsH8uJd5M', 'T9fVe1KpL6s', 'nW4cR7yBx0U']) {
    copyFileSync(join(samples, `${id}.vtt`), join(directory, `${id}.vtt`));
    copyFileSync(join(samples, `${id}.info.json`), join(directory, `${id}.info.json`));
  }
  copyFileSync(join(samples, 'Xk3pL9vQm2A.vtt'), join(directory, `${HOSTILE_ID}.vtt`));
  const info = JSON.parse(readFileSync(join(samples, 'Xk3pL9vQm2A.info.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(directory, `${HOSTILE_ID}.info.json`), JSON.stringify({ ...info, id: HOSTILE_ID, title: HOSTILE_TITLE }));
  return directory;
}

/** The example server on a free port, with a handle on its open event streams so a test can cut them. */
export async function startHarness() {
  const gate = permitSummarizer();
  const transcripts = transcriptsWithHostileTitle();
  const processor = new BatchProcessor({
    transcripts: new FileTranscriptSource({ directory: transcripts }),
    summarizer: gate.summarizer,
    store: createMemoryStore(),
  });
  const server: Server = createServer({ processor, tokens: { 'alice-token': 'alice', 'bob-token': 'bob' } });
  const streams = new Set<ServerResponse>();
  let streamsOpened = 0;
  let cancelRequests = 0;
  server.on('request', (request, response: ServerResponse) => {
    if (/\/cancel$/.test(request.url ?? '')) cancelRequests += 1;
    if (!/\/events$/.test(request.url ?? '')) return;
    streamsOpened += 1;
    streams.add(response);
    response.once('close', () => streams.delete(response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const userDataDir = mkdtempSync(join(tmpdir(), 'tubesum-chromium-'));
  // A persistent context is how playwright takes a user data dir of ours (it refuses one in `args`).
  const browser: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });

  return {
    base,
    browser,
    processor,
    gate,
    /** Cuts every open event stream from the server's side, as a proxy or a restart would. */
    dropStreams: () => {
      for (const response of streams) response.socket?.destroy();
    },
    streamsOpened: () => streamsOpened,
    cancelRequests: () => cancelRequests,
    async close() {
      await browser.close().catch(() => {});
      server.closeAllConnections();
      server.close();
      await processor.close().catch(() => {});
      rmSync(transcripts, { recursive: true, force: true });
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
