import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@tubesum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { startModelNamingServer } from '@tubesum/test-support';
import type { ModelNamingServer } from '@tubesum/test-support';
import { VIDEOS, messageText, run, startBot, unzip, urls } from './helpers.js';

interface CommandJson {
  options: { name: string; options?: { name: string; choices?: { name: string; value: string }[] }[] }[];
}

describe('several models: the `model` option and one processor per model', () => {
  let fake: FakeDiscord;
  let llm: ModelNamingServer;
  let folder: string;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    llm = await startModelNamingServer(150);
    folder = mkdtempSync(join(tmpdir(), 'tubesum-bot-models-'));
  });
  afterAll(async () => {
    await fake.close();
    await llm.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('offers the configured models, summarizes with the one picked, and resumes each job with its own model', async () => {
    const path = join(folder, 'store.sqlite');
    const env = {
      TUBESUM_SUMMARIZER: 'openai',
      OPENAI_BASE_URL: llm.baseUrl,
      OPENAI_MODEL: 'model-a, model-b',
      OPENAI_CONTEXT_TOKENS: '8192',
      TUBESUM_STORE: `sqlite://${path}`,
      TUBESUM_SUMMARY_CONCURRENCY: '1',
      TUBESUM_TRANSCRIPT_CONCURRENCY: '1',
    };
    const firstStore = createSqliteStore({ path });
    const first = await startBot(fake, { store: firstStore, env, summarizer: null });
    const data = first.commands.get('batch')!.data as unknown as CommandJson;
    const model = data.options.find((o) => o.name === 'run')!.options!.find((o) => o.name === 'model');
    expect(model?.choices?.map((c) => c.value)).toEqual(['model-a', 'model-b']);
    expect(first.pool!.models).toEqual(['model-a', 'model-b']);

    // A batch with the second model, interrupted by a restart after its first video.
    llm.holdAfter(1);
    const picked = fake.sendCommand({
      name: 'batch',
      options: run(urls(VIDEOS.join('\n')), { name: 'model', type: 3, value: 'model-b' }),
    });
    await fake.waitFor(() => messageText(fake.originalMessage(picked.token)).includes('✅ 1 done') || undefined, 10_000, 'one done');
    await first.stop();
    await firstStore.close?.();
    const beforeRestart = llm.models.length;
    expect(beforeRestart).toBeGreaterThan(0);

    llm.release();
    const secondStore = createSqliteStore({ path });
    const second = await startBot(fake, { store: secondStore, env, summarizer: null });
    try {
      const message = fake.originalMessage(picked.token)!;
      const final = await fake.waitFor(() => message.attachments.length === 1 && message, 15_000, 'the final message');
      expect(messageText(final)).toContain('4 succeeded');
      expect(llm.models.length).toBeGreaterThan(beforeRestart);
      expect(new Set(llm.models)).toEqual(new Set(['model-b']));
      const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
      const summaries = Object.entries(files).filter(([name]) => name.startsWith('summaries/'));
      expect(summaries).toHaveLength(4);
      for (const [, text] of summaries) {
        expect(text).toContain('written by model-b');
        expect(text).not.toContain('model-a');
      }

      // Without `model`, the first one is used.
      const plain = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[0])) });
      const done = await fake.waitFor(
        () => fake.originalMessage(plain.token)?.attachments.length === 1 && fake.originalMessage(plain.token),
        10_000,
        'the default-model batch',
      );
      expect(llm.models.at(-1)).toBe('model-a');
      const plainFiles = await unzip(done.files.get(done.attachments[0]!.filename)!);
      expect(Object.values(plainFiles).some((text) => text.includes('written by model-a'))).toBe(true);

      // Both jobs are listed, whichever processor holds them.
      const list = fake.sendCommand({ name: 'batch', options: [{ name: 'list', type: 1 }] });
      const listed = String((await fake.waitFor(() => fake.callbacks(list.id)[0], 5000)).data?.content);
      for (const token of [picked.token, plain.token]) {
        const jobId = /Job ([\w-]+)/.exec(JSON.stringify(fake.originalMessage(token)!.embeds))![1]!;
        expect(listed).toContain(jobId);
      }

      // A model the bot does not offer (stale command registration) is refused in words.
      const stale = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS[1]), { name: 'model', type: 3, value: 'model-z' }) });
      const refused = await fake.waitFor(() => fake.originalMessage(stale.token)?.content || undefined, 5000);
      expect(refused).toMatch(/Unknown model `model-z`; this bot offers `model-a`, `model-b`/);
    } finally {
      await second.stop();
      await secondStore.close?.();
    }
  });
});
