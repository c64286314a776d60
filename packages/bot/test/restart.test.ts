import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchProcessor, ErrorCode, FileTranscriptSource, createSqliteStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import { TRANSCRIPTS, VIDEOS, cancelButtonId, firstQuickThenSlow, messageBodies, messageText, startBot, unzip } from './helpers.js';

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

  const env = { TUBESUM_SUMMARY_CONCURRENCY: '1', TUBESUM_TRANSCRIPT_CONCURRENCY: '1' };

  /** A bot on the store at `path` runs /batch over VIDEOS until one video is done, then stops: its progress message. */
  async function runUntilOneDoneThenStop(path: string) {
    const firstStore = createSqliteStore({ path });
    const first = await startBot(fake, { store: firstStore, env, summarizer: new FakeSummarizer({ latencyMs: firstQuickThenSlow() }) });
    const { token } = fake.sendCommand({
      name: 'batch',
      options: [{ name: 'run', type: 1, options: [{ name: 'urls', type: 3, value: VIDEOS.join('\n') }] }],
    });
    await fake.waitFor(() => messageText(fake.originalMessage(token)).includes('✅ 1 done') || undefined, 10_000, 'one done');
    const message = fake.originalMessage(token)!;
    await first.stop();
    await firstStore.close?.();
    return message;
  }

  it('resumes the batch and finishes the same message through the channel route', async () => {
    const path = join(folder, 'store.sqlite');
    const message = await runUntilOneDoneThenStop(path);
    expect(cancelButtonId(message)).toBeDefined();
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

  it('sends the outcome of a batch that ended `failed` while the bot was down', async () => {
    const path = join(folder, 'failed.sqlite');
    const message = await runUntilOneDoneThenStop(path);

    // Another process (no bot) finishes the batch meanwhile; one video fails, so it ends `failed`.
    // Which video the first bot finished is not fixed: each item reads the transcript cache before
    // it queues for a transcript, and those reads can return in any order (CI once saw the first
    // bot finish the last video, the one this test made fail, and the batch end `done`). The video
    // that fails is one the first bot left unfinished.
    const workerStore = createSqliteStore({ path });
    const [jobId] = await workerStore.listUnfinishedJobIds();
    const unfinished = (await workerStore.getItems(jobId!)).filter((item) => item.status !== 'done').map((item) => item.videoId);
    expect(unfinished).toHaveLength(VIDEOS.length - 1);
    const failing = unfinished.at(-1)!;
    const worker = new BatchProcessor({
      store: workerStore,
      transcripts: new FileTranscriptSource({ directory: TRANSCRIPTS }),
      summarizer: new FakeSummarizer({ failures: { [failing]: ErrorCode.CONTEXT_TOO_LONG } }),
      retry: { attempts: 1 },
    });
    const [resumed] = await worker.resume();
    const ended = await worker.waitFor(resumed!.id, resumed!);
    const outcomes = (await worker.items(resumed!.id, resumed!)).map((item) => `${item.videoId} ${item.status} ${item.error?.code ?? ''}`.trim());
    expect(ended.status, outcomes.join('; ')).toBe('failed');
    expect(outcomes).toContain(`${failing} failed ${ErrorCode.CONTEXT_TOO_LONG}`);
    await worker.close();
    await workerStore.close?.();

    // The restarted bot sees an ended job whose outcome was never sent, and sends it.
    const secondStore = createSqliteStore({ path });
    const second = await startBot(fake, { store: secondStore, env: { ...env, TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1' } });
    try {
      const final = await fake.waitFor(() => message.attachments.length === 1 && message, 10_000, 'the outcome');
      expect(messageText(final)).toContain('Finished');
      expect(messageText(final)).toContain('3 succeeded, 1 failed');
      expect(cancelButtonId(final)).toBeUndefined();
    } finally {
      await second.stop();
      await secondStore.close?.();
    }
  });
});
