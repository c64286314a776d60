import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { createKeyv } from '@keyv/redis';
import { openStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_KEYS } from '../src/progress-records.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import { VIDEOS, cancelButtonId, firstQuickThenSlow, messageText, startBot, unzip } from './helpers.js';

const url = 'redis://127.0.0.1:6379';
const namespace = `tubesum-bot-test-${randomUUID()}`;

/** True when Redis accepts connections (the suite is required, and fails, when CI=true). */
async function redisReachable(): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!up && process.env.CI !== 'true') console.warn('\n⚠ Redis is not reachable at 127.0.0.1:6379: the bot-on-Redis test is SKIPPED here.\n');
  return up || process.env.CI === 'true';
}

const reachable = await redisReachable();

describe.runIf(reachable)('the bot on a Redis store', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake.close();
    const keyv = createKeyv({ url, socket: { reconnectStrategy: false } }, { namespace });
    await keyv.clear();
    await keyv.disconnect();
  });

  it('runs a batch, survives a restart mid-batch and finishes the same message', async () => {
    const env = { TUBESUM_SUMMARY_CONCURRENCY: '1', TUBESUM_TRANSCRIPT_CONCURRENCY: '1' };
    const firstStore = await openStore(url, { namespace });
    const first = await startBot(fake, { store: firstStore, env, summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }) });
    const { token } = fake.sendCommand({
      name: 'batch',
      options: [{ name: 'run', type: 1, options: [{ name: 'urls', type: 3, value: VIDEOS.join('\n') }] }],
    });
    await fake.waitFor(() => messageText(fake.originalMessage(token)).includes('✅ 1 done') || undefined, 10_000, 'one done');
    const message = fake.originalMessage(token)!;
    await first.stop();
    await firstStore.close?.();

    // What the restarted bot needs is in Redis, under this namespace.
    const secondStore = await openStore(url, { namespace });
    const active = await secondStore.getCached<string[]>(BOT_KEYS.active);
    expect(active).toHaveLength(1);
    const record = await secondStore.getCached<{ location: { messageId: string } }>(BOT_KEYS.message(active![0]!));
    expect(record?.location.messageId).toBe(message.id);

    const stoppedAt = fake.requests.length;
    const second = await startBot(fake, {
      store: secondStore,
      env: { ...env, TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1' },
      summarizer: new FakeSummarizer({ latencyMs: 20 }),
    });
    try {
      const final = await fake.waitFor(() => message.attachments.length === 1 && message, 10_000, 'the final edit');
      expect(messageText(final)).toContain('4 succeeded');
      expect(cancelButtonId(final)).toBeUndefined();
      const after = fake.requests.slice(stoppedAt).filter((r) => r.method !== 'GET');
      expect(after.every((r) => r.path === `/channels/${FAKE_IDS.channel}/messages/${message.id}`)).toBe(true);
      const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
      expect(Object.keys(files).filter((name) => name.startsWith('summaries/'))).toHaveLength(4);
      await second.messages!.delivered(active![0]!);
      expect(await secondStore.getCached(BOT_KEYS.active)).toEqual([]);
    } finally {
      await second.stop();
      await secondStore.close?.();
    }
  });
});
