import { createMemoryStore } from '@tubesum/core';
import { FakeSummarizer } from '@tubesum/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOT_KEYS } from '../src/progress-records.js';
import type { Bot } from '../src/bot.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';
import { VIDEOS, cancelButtonId, memoryLogger, messageBodies, messageText, run, startBot, unzip, urls } from './helpers.js';

describe('delivering the ZIP under Discord’s limits', () => {
  let fake: FakeDiscord;
  let bot: Bot | undefined;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    fake.maxUploadBytes = Number.POSITIVE_INFINITY;
    fake.attachmentSizeLimit = 10 * 1024 * 1024;
    fake.tokenTtlMs = 15 * 60_000;
  });
  afterAll(async () => {
    await fake.close();
  });

  it('re-sends the final message without the file when Discord answers 40005, saying what was sent instead', async () => {
    // The interaction says 10 MiB, but Discord's real limit is lower: the upload gets 413 40005.
    fake.maxUploadBytes = 200;
    const store = createMemoryStore();
    const logger = memoryLogger();
    bot = await startBot(fake, { store, logger, summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(`${VIDEOS[0]} ${VIDEOS[1]}`)) });
    const final = await fake.waitFor(
      () => messageText(fake.originalMessage(token)).includes('Finished') && fake.originalMessage(token),
      10_000,
      'the final message',
    );
    await bot.messages!.delivered(/Job ([\w-]+)/.exec(JSON.stringify(final.embeds))![1]!);

    const refused = fake.requests.filter((r) => r.status === 413 && r.path.includes(token));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.files.length).toBe(1);
    expect(refused[0]!.path).toBe(`/webhooks/${FAKE_IDS.application}/${token}/messages/@original`);

    const text = messageText(final);
    const jobId = /Job ([\w-]+)/.exec(JSON.stringify(final.embeds))![1]!;
    expect(text).toContain('2 succeeded');
    expect(text).toMatch(/Discord refused the ZIP \([\d.]+ (KB|B)\) as too large for this channel, so nothing is attached/);
    expect(text).toContain(`/batch zip id:${jobId}`);
    expect(text).not.toContain('ZIP attached');
    expect(final.attachments).toEqual([]);
    expect(cancelButtonId(final)).toBeUndefined();
    // Delivered: forgotten in memory and in the store's index, so a restart does not send it again.
    expect(bot.messages!.tracked).toBe(0);
    expect(await store.getCached(BOT_KEYS.active)).toEqual([]);
    expect(logger.lines.some((line) => line.startsWith('warn') && line.includes('refused the ZIP'))).toBe(true);

    // `/batch zip` meets the same limit: it answers in words instead of failing silently.
    const zip = fake.sendCommand({ name: 'batch', options: [{ name: 'zip', type: 1, options: [{ name: 'id', type: 3, value: jobId }] }] });
    const answer = await fake.waitFor(() => fake.originalMessage(zip.token)?.content || undefined, 5000, 'the /batch zip answer');
    expect(answer).toMatch(/Discord refused the ZIP of batch `[\w-]+` \(.+\) as too large/);
    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('never loses the final edit to a 429 on the upload of the ZIP', async () => {
    bot = await startBot(fake, { store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 50 }) });
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(`${VIDEOS[0]} ${VIDEOS[1]} ${VIDEOS[2]}`)) });
    fake.rateLimitNext('PATCH', new RegExp(`/webhooks/${FAKE_IDS.application}/${token}/messages/@original$`), 0.4, (request) => request.files.length > 0);
    const final = await fake.waitFor(() => fake.originalMessage(token)?.attachments.length === 1 && fake.originalMessage(token), 10_000, 'the final message');
    const limited = fake.requests.find((r) => r.status === 429 && r.path.includes(token));
    expect(limited?.files).toHaveLength(1);
    // The retried final edit is the last one: no progress edit came after it and undid it.
    const edits = fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(token));
    expect(edits.at(-1)!.status).toBe(200);
    expect(edits.at(-1)!.files).toHaveLength(1);
    expect(edits.indexOf(limited!)).toBe(edits.length - 2);
    expect(messageText(final)).toContain('3 succeeded');
    expect(cancelButtonId(final)).toBeUndefined();
    const files = await unzip(final.files.get(final.attachments[0]!.filename)!);
    expect(Object.keys(files).some((name) => name.endsWith('index.md'))).toBe(true);
  });

  it('posts the parts through the channel once the token expired, with mentions disabled on every post', async () => {
    fake.attachmentSizeLimit = 1500;
    fake.tokenTtlMs = 300;
    bot = await startBot(fake, {
      store: createMemoryStore(),
      summarizer: new FakeSummarizer({ latencyMs: 200 }),
      env: { TUBESUM_SUMMARY_CONCURRENCY: '1', TUBESUM_INTERACTION_TOKEN_LIFETIME_MS: '300' },
    });
    const before = fake.requests.length;
    const { token } = fake.sendCommand({
      name: 'batch',
      options: run(urls(VIDEOS.join(' ')), { name: 'name', type: 3, value: '@everyone <@&1200000000000000001> list' }),
    });
    const first = await fake.waitFor(() => fake.originalMessage(token), 5000);
    await fake.waitFor(() => messageText(first).includes('Finished') || undefined, 15_000, 'the final message');
    const count = Number(/sent in (\d+) parts/.exec(messageText(first))![1]);
    const posts = await fake.waitFor(
      () => {
        const found = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${FAKE_IDS.channel}/messages`);
        return found.length === count && found;
      },
      5000,
      'the parts',
    );
    expect(posts.every((post) => post.authorization?.startsWith('Bot '))).toBe(true);
    expect(posts.every((post) => post.files.length === 1 && post.files[0]!.data.length <= 1500)).toBe(true);
    const files = await unzip(Buffer.concat(posts.map((post) => post.files[0]!.data)));
    expect(Object.keys(files).some((name) => name.endsWith('index.md'))).toBe(true);

    const bodies = messageBodies(fake).filter(({ request }) => fake.requests.indexOf(request) >= before);
    const routes = new Set(bodies.map(({ request }) => `${request.method} ${request.path.split('/')[1]}`));
    expect(routes).toEqual(new Set(['PATCH webhooks', 'PATCH channels', 'POST channels']));
    for (const { body } of bodies) expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('says so under the message when Discord refuses a part of a split ZIP', async () => {
    fake.attachmentSizeLimit = 1500;
    fake.maxUploadBytes = 1000;
    bot = await startBot(fake, { store: createMemoryStore(), summarizer: new FakeSummarizer({ latencyMs: 20 }) });
    const before = fake.requests.length;
    const { token } = fake.sendCommand({ name: 'batch', options: run(urls(VIDEOS.join(' '))) });
    const notice = await fake.waitFor(() => [...fake.messages.values()].find((m) => m.content.includes('refused part')), 10_000, 'the notice');
    const final = fake.originalMessage(token)!;
    const jobId = /Job ([\w-]+)/.exec(JSON.stringify(final.embeds))![1]!;
    expect(messageText(final)).toMatch(/sent in \d+ parts/);
    expect(notice.content).toMatch(/Discord refused part 1 of \d+ as too large; the remaining parts were not sent\./);
    expect(notice.content).toContain(`/batch zip id:${jobId}`);
    expect(notice.attachments).toEqual([]);
    await bot.messages!.delivered(jobId);
    expect(bot.messages!.tracked).toBe(0);
    const refused = fake.requests.slice(before).filter((r) => r.status === 413);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.path).toBe(`/webhooks/${FAKE_IDS.application}/${token}`);
    for (const { body } of messageBodies(fake)) expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});
