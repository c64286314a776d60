// TUBESUM_ANTHROPIC_BATCH=auto: a batch of enough videos goes through Anthropic's Message Batches
// API (the fake one); the message says what it waits for, and the final message what it cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@tubesum/core';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../test-support/src/fake-anthropic-server.js';
import { FakeDiscord } from './fake-discord.js';
import { VIDEOS, messageText, run, startBot, urls } from './helpers.js';

describe('TUBESUM_ANTHROPIC_BATCH', () => {
  let fake: FakeDiscord;
  let anthropic: FakeAnthropicServer;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    anthropic = await startFakeAnthropicServer();
  });
  afterAll(async () => {
    await fake.close();
    await anthropic.close();
  });

  it('auto: a batch from the threshold on goes through the Message Batches API, a smaller one does not; the cost is in the final message', async () => {
    const env = {
      TUBESUM_SUMMARIZER: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: anthropic.url,
      TUBESUM_ANTHROPIC_BATCH: 'auto',
      TUBESUM_ANTHROPIC_BATCH_MIN_VIDEOS: '3',
      TUBESUM_BATCH_WINDOW_MS: '300',
      TUBESUM_BATCH_POLL_MS: '20',
      TUBESUM_STORE: 'memory://',
    };
    const bot = await startBot(fake, { store: createMemoryStore(), env, summarizer: null });
    try {
      expect(bot.pool!.models).toEqual(['claude-haiku-4-5']);
      anthropic.batches.hold();
      const big = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join('\n'))) });
      const waiting = await fake.waitFor(
        () => /Waiting for Anthropic's batch \(submitted <t:\d+:R>, usually under 1 h\)/.exec(messageText(fake.originalMessage(big.token)))?.[0],
        15_000,
        'the wait on the batch',
      );
      expect(waiting).toBeDefined();
      expect(messageText(fake.originalMessage(big.token))).not.toContain('ETA');
      anthropic.batches.release();
      const final = await fake.waitFor(
        () => /Finished/.test(messageText(fake.originalMessage(big.token))) && fake.originalMessage(big.token),
        15_000,
        'the final message',
      );
      expect(messageText(final)).toMatch(/Cost: \$0\.\d{4} \(estimated from the tokens used, batch discount applied\)/);
      expect(anthropic.batches.requestCount()).toBe(VIDEOS.length);
      expect(anthropic.requests).toHaveLength(0);

      // Below the threshold: request/response, at once.
      const small = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[0])) });
      await fake.waitFor(() => /Finished/.test(messageText(fake.originalMessage(small.token))) || undefined, 15_000, 'the small batch');
      expect(anthropic.requests.length).toBeGreaterThan(0);
      expect(anthropic.batches.requestCount()).toBe(VIDEOS.length);
    } finally {
      await bot.stop();
    }
  }, 60_000);
});
