// A minimal OpenAI-compatible chat-completions server on 127.0.0.1: answers every request with a
// summary that names the model asked for, so tests can see which model wrote what.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAI {
  /** The value for `OPENAI_BASE_URL`. */
  baseUrl: string;
  /** The `model` of every chat-completions request, in order. */
  models: string[];
  /** Milliseconds before each answer. */
  latencyMs: number;
  /** Answers `count` more requests, then holds the others until {@link FakeOpenAI.release}. */
  holdAfter(count: number): void;
  /** Answers the held requests and every later one. */
  release(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAI(latencyMs = 0): Promise<FakeOpenAI> {
  const models: string[] = [];
  let allowed = Number.POSITIVE_INFINITY;
  let released: Promise<void> = Promise.resolve();
  let release = () => {};
  const fake: FakeOpenAI = {
    baseUrl: '',
    models,
    latencyMs,
    holdAfter(count) {
      allowed = count;
      released = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      allowed = Number.POSITIVE_INFINITY;
      release();
    },
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
      models.push(body.model);
      if (allowed <= 0) await released;
      allowed -= 1;
      if (fake.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.latencyMs));
      const summary = {
        tldr: `Summary written by ${body.model}.`,
        keyPoints: [{ text: `A key point noted by ${body.model}.`, seconds: 0 }],
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: `chatcmpl-${models.length}`,
          object: 'chat.completion',
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(summary) }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20 },
        }),
      );
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
