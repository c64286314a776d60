// The bot sharded (TUBESUM_SHARDS): two gateway shards in one process, each guild's interactions
// arriving on its own shard, against a fake Discord that routes guilds by shard like Discord.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, createSqliteStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord, FakeMessage } from './fake-discord.js';
import { FAKE_IDS } from './fake-discord.js';
import { VIDEOS, cancelButtonId, editsOf, messageText, run, startBot, unzip, urls, useFakeDiscord } from './helpers.js';

const [a, b, c, d] = VIDEOS;

/** `/batch run` of `videos` in `guildId`; resolves with the progress message once it exists. */
async function runIn(fake: FakeDiscord, guildId: string, videos: string[]): Promise<{ token: string; message: FakeMessage }> {
  const { token } = fake.sendCommand({ name: 'batch', guildId, options: run(urls(videos.join(' '))) });
  const message = await fake.waitFor(() => fake.originalMessage(token)?.embeds.length && fake.originalMessage(token), 15_000, `the message in ${guildId}`);
  return { token, message };
}

const finished = (message: FakeMessage) => message.attachments.length === 1 && message;

async function zipOf(message: FakeMessage): Promise<string[]> {
  return Object.keys(await unzip(message.files.get(message.attachments[0]!.filename)!));
}

/** Which shard got each INTERACTION_CREATE of `guildId` (from the `since`-th dispatch on). */
function shardsOf(fake: FakeDiscord, guildId: string, since = 0): number[] {
  return fake.dispatches
    .slice(since)
    .filter((each) => each.event === 'INTERACTION_CREATE' && each.guildId === guildId)
    .map((each) => each.shard[0]);
}

describe('the bot with 2 shards', () => {
  const discord = useFakeDiscord({ shards: 2 });

  it('runs a /batch in a guild of each shard, each in its own message, each with its ZIP', async () => {
    const { fake } = discord;
    const bot = await discord.start({ store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 150 }) });
    expect(bot.client.ws.shards.size).toBe(2);
    expect(fake.connectedShards).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const one = await runIn(fake, FAKE_IDS.guild, [a, b]);
    const zero = await runIn(fake, FAKE_IDS.otherGuild, [c, d]);
    expect(shardsOf(fake, FAKE_IDS.guild)).toEqual([1]);
    expect(shardsOf(fake, FAKE_IDS.otherGuild)).toEqual([0]);
    for (const { token, message } of [one, zero]) {
      const final = await fake.waitFor(() => finished(message), 15_000, 'the final message');
      expect(messageText(final)).toContain('2 succeeded');
      // Edited in place: the deferred reply, then its edits; no second message.
      expect(editsOf(fake, token, message.id).length).toBeGreaterThanOrEqual(2);
      expect((await zipOf(final)).filter((name) => name.startsWith('summaries/'))).toHaveLength(2);
    }
    expect(one.message.channel_id).toBe(FAKE_IDS.channel);
    expect(zero.message.channel_id).toBe(FAKE_IDS.otherChannel);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/channels/'))).toEqual([]);
  });

  it("cancels the batch of the shard whose guild's Cancel was pressed, and only that one", async () => {
    const { fake } = discord;
    // b never ends by itself; the other videos take 100 ms. Three summary slots: b holding one
    // never keeps another video waiting, whatever the order the transcripts arrive in.
    const summarizer = new FakeSummarizer({ latencyMs: (id) => (id === b ? 30_000 : 100) });
    await discord.start({ store: createMemoryStore(), summarizer, env: { TUBESUM_SUMMARY_CONCURRENCY: '3' } });
    const since = fake.dispatches.length;
    const zero = await runIn(fake, FAKE_IDS.otherGuild, [a, b]);
    const one = await runIn(fake, FAKE_IDS.guild, [c, d]);
    await fake.waitFor(() => messageText(zero.message).includes('✅ 1 done') || undefined, 15_000, 'one done on shard 0');
    const click = fake.clickButton({ customId: cancelButtonId(zero.message)!, messageId: zero.message.id });
    await fake.waitFor(() => fake.callbacks(click.id)[0], 15_000, 'the Cancel ack');
    expect(shardsOf(fake, FAKE_IDS.otherGuild, since)).toEqual([0, 0]);

    const cancelled = await fake.waitFor(() => finished(zero.message), 15_000, 'the cancelled message');
    expect(messageText(cancelled)).toContain('Cancelled');
    // The partial ZIP holds what finished before the cancel: a's summary.
    expect((await zipOf(cancelled)).filter((name) => name.startsWith('summaries/'))).toHaveLength(1);
    const other = await fake.waitFor(() => finished(one.message), 15_000, 'the other shard’s message');
    expect(messageText(other)).toContain('2 succeeded');
    expect(messageText(other)).not.toContain('Cancelled');
  });
});

describe('the sharded bot restarted mid-batch', () => {
  const discord = useFakeDiscord({ shards: 2 });
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tubesum-shards-'));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("resumes each shard's batch and finishes each in its own message", async () => {
    const { fake } = discord;
    const path = join(folder, 'store.sqlite');
    // One summary slot per video: the slow ones never keep the quick ones waiting.
    const env = { TUBESUM_SUMMARY_CONCURRENCY: '4', TUBESUM_TRANSCRIPT_CONCURRENCY: '4' };
    const firstStore = createSqliteStore({ path });
    // The first video of each batch is quick, the second one never ends before the stop.
    const slow = new Set<string>([b, d]);
    const first = await startBot(fake, { store: firstStore, env, summarizer: new FakeSummarizer({ latencyMs: (id) => (slow.has(id) ? 30_000 : 20) }) });
    const one = await runIn(fake, FAKE_IDS.guild, [a, b]);
    const zero = await runIn(fake, FAKE_IDS.otherGuild, [c, d]);
    for (const { message } of [one, zero]) {
      await fake.waitFor(() => messageText(message).includes('✅ 1 done') || undefined, 15_000, 'one done');
    }
    await first.stop();
    await firstStore.close?.();
    expect(fake.connectedClients).toBe(0);
    const stoppedAt = fake.requests.length;

    const secondStore = createSqliteStore({ path });
    const summarizer = new FakeSummarizer({ latencyMs: 20 });
    const second = await startBot(fake, { store: secondStore, env: { ...env, TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '1' }, summarizer });
    try {
      expect(fake.connectedShards).toEqual([
        [0, 2],
        [1, 2],
      ]);
      for (const { message } of [one, zero]) {
        const final = await fake.waitFor(() => finished(message), 15_000, 'the final edit');
        expect(messageText(final)).toContain('2 succeeded');
      }
      // Only the unfinished videos ran again, and each message was edited in its own channel.
      expect([...summarizer.calls].sort()).toEqual([b, d]);
      const after = fake.requests.slice(stoppedAt).filter((r) => r.method !== 'GET');
      const paths = new Set(after.map((r) => r.path));
      expect(paths).toEqual(
        new Set([`/channels/${FAKE_IDS.channel}/messages/${one.message.id}`, `/channels/${FAKE_IDS.otherChannel}/messages/${zero.message.id}`]),
      );
    } finally {
      await second.stop();
      await secondStore.close?.();
    }
  });
});
