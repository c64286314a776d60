/**
 * A small HTTP service embedding the SDK, the way a web backend would: each user (one bearer
 * token each) creates batches, follows them, cancels them and downloads their ZIP, and never
 * sees anyone else's.
 *
 *   POST   /batches                 {"urls": "...", "name"?: "...", "options"?: {...}}  -> 201 the batch
 *   GET    /batches                 your batches, newest first
 *   GET    /batches/:id             the batch and its videos
 *   DELETE /batches/:id             cancel (also POST /batches/:id/cancel)
 *   GET    /batches/:id/zip         the ZIP, streamed as it is written (?transcripts=1 adds the transcripts)
 *   GET    /batches/:id/events      progress as Server-Sent Events, until the batch ends
 *   GET    /                        the batch page (examples/web): no token needed to load it
 *
 *   pnpm tsx examples/http-server.ts       then open http://127.0.0.1:3000/ and sign in with alice-token
 *   curl -H 'Authorization: Bearer alice-token' -d '{"urls":"https://youtu.be/Xk3pL9vQm2A https://youtu.be/T9fVe1KpL6s"}' localhost:3000/batches
 *   curl -N -H 'Authorization: Bearer alice-token' localhost:3000/batches/<id>/events
 *
 * Environment:
 *   PORT                 where it listens on 127.0.0.1 (default 3000)
 *   TOKENS               bearer tokens and their users (default "alice-token:alice,bob-token:bob")
 *   TUBESUM_STORE        where batches are kept (default sqlite://.tubesum/http-example.sqlite)
 *   DEMO_DELAY_MS        each summary waits this long, so the event stream shows progress live
 *                        (default 1500; 0 for full speed)
 *
 * Transcripts come from the bundled samples in examples/transcripts (Xk3pL9vQm2A, b7RtN0wYc4E,
 * q2ZsH8uJd5M, T9fVe1KpL6s, nW4cR7yBx0U), then from YouTube for any other video. Summaries are
 * the offline extractive ones: no key needed.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BatchProcessor,
  ErrorCode,
  ExtractiveSummarizer,
  FileTranscriptSource,
  YouTubeTranscriptSource,
  chainTranscriptSources,
  isTubesumError,
  openStore,
  safeFileName,
} from '@tubesum/core';
import type { ErrorCode as ErrorCodeType, Summarizer } from '@tubesum/core';
import { serveWeb } from './web/serve.js';

export interface ServerOptions {
  processor: BatchProcessor;
  /** Bearer token -> user id. */
  tokens: Readonly<Record<string, string>>;
}

const STATUS_OF: Partial<Record<ErrorCodeType, number>> = {
  [ErrorCode.INVALID_URL]: 400,
  [ErrorCode.INVALID_OPTIONS]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.EXPORT_TOO_LARGE]: 413,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_000_000) throw new HttpError(413, 'TOO_LARGE', 'The body is larger than 1 MB.');
    chunks.push(chunk);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'INVALID_BODY', 'Send a JSON object such as {"urls": "https://youtu.be/…"}.');
}

/**
 * `Content-Disposition` for a download named after a batch: a plain ASCII `filename` every
 * client understands and the exact UTF-8 name in `filename*` (RFC 6266), both safe as file
 * names on every OS and free of quotes, backslashes and line breaks.
 */
export function contentDisposition(name: string): string {
  const stem = safeFileName(name, { maxBytes: 150 });
  const ascii =
    stem
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\%;]/g, '')
      .replace(/^[. ]+|[. ]+$/g, '') || 'tubesum';
  const encoded = encodeURIComponent(`${stem}.zip`).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}.zip"; filename*=UTF-8''${encoded}`;
}

/**
 * Streams the batch's ZIP as it is written: memory stays flat however many videos it holds.
 * Errors before the first byte (404, 413) are answered as JSON; a store failure later cuts the
 * response short, so the client sees a failed download, never a truncated ZIP that looks whole.
 * A client that goes away stops the export.
 */
async function streamZip(processor: BatchProcessor, jobId: string, userId: string, url: URL, response: ServerResponse) {
  const controller = new AbortController();
  const stop = () => controller.abort();
  response.once('close', stop);
  try {
    const job = await processor.get(jobId, { userId });
    const withTranscripts = url.searchParams.get('transcripts') === '1';
    const zip = await processor.exportStream(jobId, { userId, withTranscripts, signal: controller.signal });
    response.writeHead(200, {
      'content-type': 'application/zip',
      'content-disposition': contentDisposition(`${job.name ?? 'tubesum'}-${job.id}`),
      'cache-control': 'no-store',
    });
    // The download starts now, not when the first 64 KB of the ZIP are ready.
    response.flushHeaders();
    await pipeline(Readable.fromWeb(zip as NodeReadableStream<Uint8Array>), response);
  } finally {
    response.off('close', stop);
  }
}

const EVENT_NAMES = ['batchStart', 'batchProgress', 'itemStart', 'itemStage', 'itemRetry', 'itemEnd', 'batchPause', 'batchEnd'] as const;

/**
 * Streams one batch's events as Server-Sent Events until it ends (or pauses) or the client goes
 * away. Behind a load balancer the batch may run in another replica on the same store: `follow`
 * brings its events here from the store (a second or so late), so any replica can serve the stream.
 */
async function streamEvents(processor: BatchProcessor, jobId: string, userId: string, request: IncomingMessage, response: ServerResponse) {
  const job = await processor.get(jobId, { userId }); // 404 before any byte of the stream
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('snapshot', job);
  if (job.status !== 'running') {
    response.end();
    return;
  }

  const listeners = EVENT_NAMES.map((name) => {
    const listener = (event: { jobId: string }) => {
      if (event.jobId !== jobId) return;
      send(name, event);
      if (name === 'batchEnd' || name === 'batchPause') stop();
    };
    processor.on(name, listener as never); // one listener for every event name
    return () => processor.off(name, listener as never);
  });
  const unfollow = await processor.follow(jobId, { userId });
  const stop = () => {
    unfollow();
    for (const off of listeners) off();
    response.end();
  };
  request.once('close', stop);
}

/** The service, not yet listening: call `.listen(port)` on it. */
export function createServer({ processor, tokens }: ServerOptions): Server {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (await serveWeb(request, response)) return; // the page itself; its API calls carry the token
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    // Own keys only: a token such as `constructor` must not find Object.prototype's.
    const userId = token !== undefined && Object.hasOwn(tokens, token) ? tokens[token] : undefined;
    if (userId === undefined) {
      response.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'UNAUTHORIZED', 'Send `Authorization: Bearer <your token>`.');
    }
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const [, collection, id, action] = pathname.split('/');
    if (collection !== 'batches') throw new HttpError(404, 'NOT_FOUND', 'Try /batches.');
    const route = `${request.method} ${id === undefined ? '' : ':id'}${action === undefined ? '' : `/${action}`}`;

    switch (route) {
      case 'POST ': {
        const body = await readJson(request);
        const job = await processor.submit({ userId, urls: body.urls as string, name: body.name as string, options: body.options as never });
        return sendJson(response, 201, job);
      }
      case 'GET ':
        return sendJson(response, 200, await processor.list({ userId }));
      case 'GET :id':
        return sendJson(response, 200, { job: await processor.get(id!, { userId }), items: await processor.items(id!, { userId }) });
      case 'DELETE :id':
      case 'POST :id/cancel':
        return sendJson(response, 200, await processor.cancel(id!, { userId }));
      case 'GET :id/zip':
        return streamZip(processor, id!, userId, new URL(request.url ?? '/', 'http://localhost'), response);
      case 'GET :id/events':
        return streamEvents(processor, id!, userId, request, response);
      default:
        throw new HttpError(404, 'NOT_FOUND', `No route ${request.method} ${pathname}.`);
    }
  }

  return createHttpServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : isTubesumError(error) ? (STATUS_OF[error.code] ?? 500) : 500;
      const code = error instanceof HttpError || isTubesumError(error) ? error.code : 'INTERNAL';
      const message = status === 500 && !isTubesumError(error) ? 'Internal error.' : (error as Error).message;
      if (response.headersSent)
        response.destroy(); // mid-stream: cut the download so it cannot look complete
      else sendJson(response, status, { error: { code, message } });
    });
  });
}

/** The extractive summarizer, `delayMs` slower per video: a demo that finishes in milliseconds shows no progress. */
function slowDown(summarizer: Summarizer, delayMs: number): Summarizer {
  if (delayMs <= 0) return summarizer;
  return {
    model: summarizer.model,
    promptVersion: summarizer.promptVersion,
    async summarize(transcript, options) {
      const signal = options?.signal;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delayMs);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      return summarizer.summarize(transcript, options);
    },
  };
}

/** Starts the service from the environment (see the top of this file); resolves once it listens. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<{ server: Server; processor: BatchProcessor; url: string }> {
  const processor = new BatchProcessor({
    transcripts: chainTranscriptSources([
      new FileTranscriptSource({ directory: fileURLToPath(new URL('./transcripts', import.meta.url)) }),
      new YouTubeTranscriptSource(),
    ]),
    summarizer: slowDown(new ExtractiveSummarizer(), Number(env.DEMO_DELAY_MS ?? 1500)),
    store: await openStore(env.TUBESUM_STORE ?? 'sqlite://.tubesum/http-example.sqlite'),
  });
  await processor.resume(); // batches a previous run left unfinished carry on
  const tokens = Object.fromEntries((env.TOKENS ?? 'alice-token:alice,bob-token:bob').split(',').map((pair) => pair.split(':')));
  const server = createServer({ processor, tokens }).listen(Number(env.PORT ?? 3000), '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, processor, url };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { server, processor, url } = await main();
  console.log(`Listening on ${url}`);
  process.once('SIGINT', () => {
    server.close();
    server.closeAllConnections();
    void processor.close(); // unfinished batches stay resumable
  });
}
