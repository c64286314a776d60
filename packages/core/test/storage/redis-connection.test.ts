import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createKeyv } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@tubesum/core';
import { skipUnlessReachable } from './services.js';

const redisUrl = 'redis://127.0.0.1:6379';
const namespace = `tubesum-test-${randomUUID()}`;
const skip = await skipUnlessReachable('Redis', redisUrl);

/** A TCP relay to the real Redis that the test can cut and restore, to play a lost connection. */
class Relay {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

const relay = new Relay();

afterAll(async () => {
  await relay.cut();
  if (skip) return;
  const keyv = createKeyv({ url: redisUrl, socket: { reconnectStrategy: false } }, { namespace });
  await keyv.clear();
  await keyv.disconnect();
});

describe.skipIf(skip)('openStore on Redis when the connection drops', () => {
  it('fails operations with STORAGE_ERROR instead of hanging, and recovers when Redis is back', async () => {
    await relay.start();
    const store = await openStore(`redis://127.0.0.1:${relay.port}`, { namespace });
    await store.setCached('key', 'kept');

    await relay.cut();
    // A few reconnection attempts with backoff (about 3 s in all), then the error.
    await expect(store.getCached('key')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await expect(store.getCached('key')).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
      message: expect.stringContaining(`in the Redis store at 127.0.0.1:${relay.port}`),
    });

    await relay.start();
    expect(await store.getCached('key')).toBe('kept');
    await store.close?.();
  });
});
