import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createMemoryStore, isTubesumError } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { describe, expect, it } from 'vitest';
import { createBot } from '../src/bot.js';
import { loadConfig } from '../src/config.js';
import { KeyedLock } from '../src/keyed-lock.js';
import { progressEditDelay } from '../src/message-editor.js';
import { createTranscriptSource } from '../src/providers.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import { VIDEOS, cancelButtonId, memoryLogger, run, urls, useFakeDiscord } from './helpers.js';

/** A store whose every call takes `ms`, as a store on disk or across the network does. */
function slowStore(store: BatchStore, ms: number): BatchStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('the per-user limit under a burst', () => {
  const discord = useFakeDiscord();

  it('accepts exactly the limit when one user sends three /batch run at the same instant', async () => {
    const fake = discord.fake;
    const bot = await discord.start({
      store: slowStore(createMemoryStore(), 30),
      summarizer: new FakeSummarizer({ latencyMs: 20_000 }),
      env: { TUBESUM_MAX_RUNNING_BATCHES_PER_USER: '2', TUBESUM_TRANSCRIPT_LANGUAGES: 'es,en' },
    });
    const sent = [VIDEOS[0], VIDEOS[1], VIDEOS[2]].map((video) => fake.sendCommand({ name: 'batch', options: run(urls(video)) }));
    // Another user is not held up by the first one's limit.
    const other = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[3])), userId: '1400000000000000009' });
    const outcomes = await Promise.all(
      [...sent, other].map(({ token }) =>
        fake.waitFor(
          () => {
            const message = fake.originalMessage(token);
            if (cancelButtonId(message)) return 'accepted';
            return message?.content.includes('already have') ? message.content : undefined;
          },
          10_000,
          'an answer to each command',
        ),
      ),
    );
    expect(outcomes.slice(0, 3).filter((outcome) => outcome === 'accepted')).toHaveLength(2);
    expect(outcomes.slice(0, 3).filter((outcome) => outcome !== 'accepted')).toEqual([
      '❌ You already have 2 batches running (the limit is 2). Wait for one to finish or cancel it with `/batch cancel`.',
    ]);
    expect(outcomes[3]).toBe('accepted');
    const jobs = await bot.pool!.list({ userId: FAKE_IDS.owner });
    expect(jobs.filter((job) => job.status === 'running')).toHaveLength(2);
    // TUBESUM_TRANSCRIPT_LANGUAGES reaches every job.
    expect(jobs.map((job) => job.options.transcriptLanguages)).toEqual([
      ['es', 'en'],
      ['es', 'en'],
    ]);
  });
});

describe('KeyedLock', () => {
  it('runs the tasks of one key one at a time, in order, and other keys alongside; a failure releases the key', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([lock.run('a', task('a1', true)), lock.run('a', task('a2')), lock.run('b', task('b1'))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    expect(lock.size).toBe(0);
  });
});

describe('progress edits of many batches', () => {
  it('are spread over the jitter instead of all firing at the end of the interval', () => {
    const delays = Array.from({ length: 10 }, (_, index) =>
      progressEditDelay({ lastEndedAt: 1000, intervalMs: 2500, jitterMs: 500, now: 1000, random: index / 10 }),
    );
    expect(delays).toEqual([2500, 2550, 2600, 2650, 2700, 2750, 2800, 2850, 2900, 2950]);
    expect(progressEditDelay({ lastEndedAt: 0, intervalMs: 2500, jitterMs: 500, now: 10_000, random: 0.5 })).toBe(250);
  });
});

describe('YouTube through TUBESUM_PROXY', () => {
  it('opens a CONNECT tunnel to www.youtube.com:443 with the credentials, and logs the proxy without its password', async () => {
    const connects: { target: string; authorization: string | undefined }[] = [];
    const sockets = new Set<Socket>();
    const proxy = createServer((_request, response) => response.writeHead(405).end());
    proxy.on('connect', (request, socket: Socket) => {
      connects.push({ target: request.url ?? '', authorization: request.headers['proxy-authorization'] });
      sockets.add(socket);
      // This proxy lets nothing through: the request fails, but it did come here.
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const port = (proxy.address() as AddressInfo).port;
    const fake = await FakeDiscord.start();
    const logger = memoryLogger();
    try {
      const env = { TUBESUM_PROXY: `http://bot:pw-secret@127.0.0.1:${port}`, TUBESUM_SUMMARIZER: 'offline' };
      const config = loadConfig({ DISCORD_TOKEN: 'token', DISCORD_APPLICATION_ID: FAKE_IDS.application, ...env });
      const error = await createTranscriptSource(config)
        .fetchTranscript('GJLlxj_dtq8')
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(isTubesumError(error)).toBe(true);
      expect(connects.length).toBeGreaterThanOrEqual(1);
      expect(connects.every((seen) => seen.target === 'www.youtube.com:443')).toBe(true);
      expect(connects[0]?.authorization).toBe(`Basic ${Buffer.from('bot:pw-secret').toString('base64')}`);

      // Built from the configuration alone (not started): it says which proxy YouTube requests take.
      const built = await createBot(
        loadConfig({ DISCORD_TOKEN: 'token', DISCORD_APPLICATION_ID: FAKE_IDS.application, DISCORD_API_URL: fake.apiUrl, ...env }),
        {
          store: createMemoryStore(),
          logger,
        },
      );
      await built.stop();
      expect(logger.lines).toContain(`info YouTube requests go through the proxy http://bot:***@127.0.0.1:${port} (TUBESUM_PROXY).`);
      expect(logger.lines.join('\n')).not.toContain('pw-secret');
    } finally {
      await fake.close();
      for (const socket of sockets) socket.destroy();
      proxy.close();
    }
  });
});
