// The bot's progress record cannot be saved (store down) while the job already reports progress:
// track() fails and says so, and the progress events that arrived meanwhile leave no unhandled
// rejection behind (which would end a real bot process).
import { createMemoryStore } from '@tubesum/core';
import type { BatchStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { VIDEOS, memoryLogger, run, startBot, urls } from './helpers.js';

/** A memory store whose write of the bot's active index waits for `until`, then fails. */
function storeFailingActiveIndex(until: Promise<void>): BatchStore {
  const inner = createMemoryStore();
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'setCached') {
        return async (key: string, value: unknown, ...rest: unknown[]) => {
          if (key === 'bot:active:v1') {
            await until;
            throw new Error('store down');
          }
          return (target.setCached as (...args: unknown[]) => Promise<void>)(key, value, ...rest);
        };
      }
      const member: unknown = Reflect.get(target, property, target);
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
    },
  });
}

/** Lets pending promise callbacks and Node's unhandled-rejection check run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a progress record that cannot be saved', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('fails the command without an unhandled rejection from the progress events', async () => {
    let progressed = () => {};
    const progressSeen = new Promise<void>((resolve) => {
      progressed = resolve;
    });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const logger = memoryLogger();
    const bot = await startBot(fake, { store: storeFailingActiveIndex(progressSeen), logger, summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    bot.processor!.on('batchProgress', () => progressed());
    try {
      fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(' '))) });
      await fake.waitFor(() => logger.lines.some((line) => line.includes('store down')) || undefined, 10_000, 'the failure logged');
      await turn();
      await turn();
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await bot.stop();
    }
  });
});
