import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import { VIDEOS, cancelButtonId, firstQuickThenSlow, messageBodies, messageText, startBot, unzip } from './helpers.js';

describe('a bot restarted mid-batch', () => {
  let fake: FakeDiscord;
  let folder: string;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    folder = mkdtempSync(join(tmpdir(), 'tubesum-bot-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('resumes the batch and finishes the same message through the channel route', async () => {
    const path = join(folder, 'store.sqlite');
    const env = { TUBESUM_SUMMARY_CONCURRENCY: '1', TUBESUM_TRANSCRIPT_CONCURRENCY: '1' };
    const firstStore = createSqliteStore({ path });
    const first = await startBot(fake, { store: firstStore, env, summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }) });
    const { token } = fake.sendCommand({
      name: 'batch',
      options: [{ name: 'run', type: 1, options: [{ name: 'urls', type: 3, value: VIDEOS.join('\n') }] }],
    });
    await fake.waitFor(() => messageText(fake.originalMessage(token)).includes('✅ 1 done') || undefined, 10_000, 'one done');
    const message = fake.originalMessage(token)!;
    expect(cancelButtonId(message)).toBeDefined();
    await first.stop();
    await firstStore.close?.();
    expect(fake.connectedClients).toBe(0);
    const stoppedAt = fake.requests.length;

    // A new process: new store handle on the same file, new Client, token deemed expired.
    const secondStore = createSqliteStore({ path });
    const summarizer = new FakeSummarizer({ latencyMs: 50 });
    const second = await startBot(fake, {
      store: secondStore,
      env: { ...env, TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1' },
      summarizer,
    });
    try {
      const final = await fake.waitFor(() => message.attachments.length === 1 && message, 10_000, 'the final edit');
      expect(messageText(final)).toContain('4 succeeded');
      expect(cancelButtonId(final)).toBeUndefined();
      const after = fake.requests.slice(stoppedAt).filter((r) => r.method !== 'GET');
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((r) => r.path === `/channels/${FAKE_IDS.channel}/messages/${message.id}`)).toBe(true);
      // What finished before the restart is not summarized again.
      expect(new Set(summarizer.calls).size).toBeLessThanOrEqual(VIDEOS.length - 1);
      const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
      expect(Object.keys(files).some((name) => name.endsWith('index.md'))).toBe(true);
      for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
    } finally {
      await second.stop();
      await secondStore.close?.();
    }
  });
});
