import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { BatchProcessor, ErrorCode, createMemoryStore, createSqliteStore, openStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { skipUnlessReachable } from '../../core/test/storage/services.js';
import { createQueueExecutor, startWorker } from '../src/index.js';
import { REDIS_URL, isolatedRedis } from './support/cluster.js';

const skip = await skipUnlessReachable('Redis', REDIS_URL);
const names = isolatedRedis('options');

/** A closed port: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The commands in a buffer of RESP arrays (`*2\r\n$3\r\nGET\r\n…`), as lists of strings. */
function commandsIn(text: string): string[][] {
  const commands: string[][] = [];
  const lines = text.split('\r\n');
  for (let at = 0; at < lines.length;) {
    const count = /^\*(\d+)$/.exec(lines[at] ?? '');
    if (!count) {
      at += 1;
      continue;
    }
    const parts: string[] = [];
    for (let part = 0; part < Number(count[1]); part += 1) parts.push(lines[at + 2 + part * 2] ?? '');
    commands.push(parts);
    at += 1 + Number(count[1]) * 2;
  }
  return commands;
}

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

/** A fake Redis at the wire that answers every command, and `CONFIG GET maxmemory-policy` with `allkeys-lru`. */
async function evictingRedis(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const [name = '', ...args] of commandsIn(chunk.toString())) {
        if (name.toLowerCase() === 'config') socket.write(`*2\r\n${bulk(args[1] ?? '')}${bulk('allkeys-lru')}`);
        else if (name.toLowerCase() === 'info') socket.write(bulk('# Server\r\nredis_version:7.2.0\r\nloading:0\r\n'));
        else socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const sources = { transcripts: new FakeTranscriptSource(), summarizer: new FakeSummarizer() };

describe('bad configuration', () => {
  const stores: BatchStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close?.();
  });

  it('refuses a memory, SQLite or default store in executor mode with INVALID_OPTIONS naming the store', async () => {
    const executor = createQueueExecutor({ connection: 'redis://127.0.0.1:1' });
    const sqlite = createSqliteStore({ path: ':memory:' });
    stores.push(sqlite);
    for (const [store, what] of [
      [createMemoryStore(), 'a memory store'],
      [sqlite, 'a SQLite store'],
      [undefined, 'no `store`'],
    ] as const) {
      expect(() => new BatchProcessor({ executor, ...(store ? { store } : {}) })).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringContaining(what) }),
      );
    }
    await executor.close();
  });

  it('requires transcripts and summarizer without an executor only (the types say so too; a JavaScript caller finds out at run time)', () => {
    // @ts-expect-error: without an executor, transcripts and summarizer are required
    expect(() => new BatchProcessor({ store: createMemoryStore() })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringContaining('transcripts') }),
    );
    // @ts-expect-error: likewise the summarizer
    expect(() => new BatchProcessor({ store: createMemoryStore(), transcripts: sources.transcripts })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('summarizer') }),
    );
  });

  it('validates the options of createQueueExecutor and startWorker', async () => {
    expect(() => createQueueExecutor({ connection: 42 } as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringContaining('connection') }),
    );
    expect(() => createQueueExecutor({ connection: 'http://x' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }));
    expect(() => createQueueExecutor({ connection: REDIS_URL, queueName: 'a:b' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('queueName') }),
    );
    expect(() => createQueueExecutor({ connection: REDIS_URL, summaries: { globalConcurrency: 0 } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    );
    expect(() => createQueueExecutor({ connection: REDIS_URL, extra: 1 } as never)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('extra') }),
    );
    await expect(
      startWorker({ connection: REDIS_URL, store: createMemoryStore(), ...sources, concurrency: { transcripts: 2, summaries: 4 } }),
    ).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      message: expect.stringContaining('memory store'),
    });
    await expect(startWorker({ connection: REDIS_URL, store: createMemoryStore(), ...sources } as never)).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      message: expect.stringContaining('concurrency'),
    });
  });

  it('fails fast on an unreachable Redis, naming host and port and never the password', async () => {
    const port = await closedPort();
    const url = `redis://admin:hunter2secret@127.0.0.1:${port}/0`;
    const executor = createQueueExecutor({ connection: url });
    const error: unknown = await executor.ready().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCode.NETWORK_ERROR, message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(JSON.stringify(error) + String(error)).not.toContain('hunter2secret');
    await executor.close();
    const store = createMemoryStore();
    const shared = Object.assign(Object.create(store) as BatchStore, { reach: 'network' as const });
    const failed: unknown = await startWorker({ connection: url, store: shared, ...sources, concurrency: { transcripts: 1, summaries: 1 } }).catch(
      (caught: unknown) => caught,
    );
    expect(failed).toMatchObject({ code: ErrorCode.NETWORK_ERROR, message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(String(failed)).not.toContain('hunter2secret');
  });

  it('warns, naming maxmemory-policy, when Redis may evict keys', async () => {
    const server = await evictingRedis();
    const { port } = server.address() as AddressInfo;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const executor = createQueueExecutor({ connection: `redis://127.0.0.1:${port}` });
    for (let tries = 0; tries < 200 && warnings.length === 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    process.off('warning', onWarning);
    expect(warnings.join('\n')).toMatch(/maxmemory-policy=allkeys-lru.*noeviction/);
    void executor.close();
    server.close();
  });

  it.skipIf(skip)('a processor with the queue executor and a Redis store accepts them', async () => {
    const store = await openStore(REDIS_URL, { namespace: names.namespace });
    stores.push(store);
    const executor = createQueueExecutor({ connection: REDIS_URL, prefix: names.prefix });
    const processor = new BatchProcessor({ store, executor });
    await executor.ready();
    await processor.close();
    await executor.close();
  });
});
