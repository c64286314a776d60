import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createKeyv } from '@keyv/redis';
import { describe, expect, it } from 'vitest';
import { main } from '../custom-storage.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

describe('examples/custom-storage.ts without Redis', () => {
  it('stops at once with the connection error instead of waiting forever', async () => {
    // A port nobody listens on: bound, then closed.
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    const lines: string[] = [];
    await expect(main({ url: `redis://127.0.0.1:${port}`, namespace: 'unused', log: (line) => void lines.push(line) })).rejects.toThrow(
      new RegExp(`^Cannot connect to Redis at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect(lines).toEqual([]);
  });
});

// Redis is required in CI (.ci/run starts it); elsewhere the example is skipped with a notice.
const skip = !(await reachable()) && process.env.CI !== 'true';
if (skip) console.warn(`\n⚠ Redis is not reachable at ${url}: examples/custom-storage.ts is SKIPPED (required when CI=true).\n`);

describe.skipIf(skip)('examples/custom-storage.ts', () => {
  it('keeps the batch in Redis where a second processor finds it', async () => {
    const lines: string[] = [];
    const namespace = `tubesum-example-test-${randomUUID()}`;
    try {
      const job = await main({ url, namespace, log: (line) => void lines.push(line) });
      expect(job.status).toBe('done');
      expect(job.progress.counts.done).toBe(2);
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^Batch ${job.id} from Redis: done, 2/2 done, ZIP \\d+ bytes$`))]);
    } finally {
      const keyv = createKeyv(url, { namespace });
      await keyv.clear();
      await keyv.disconnect();
    }
  });
});
